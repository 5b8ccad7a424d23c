#include "clinic/storage/sql/sql_queries.hpp"

#include <fmt/ranges.h>

namespace clinic::storage::sql {

std::string ContainsPattern(const std::string& text) {
  std::string pattern = "%";
  for (const char ch : text) {
    if (ch == '%' || ch == '_' || ch == '!') pattern.push_back('!');
    pattern.push_back(ch);
  }
  pattern.push_back('%');
  return pattern;
}

std::string_view RowLockSuffix(const Connection& c) {
  return c.dialect() == Dialect::kMysql ? " FOR UPDATE" : "";
}

std::string ActiveAppointmentOfSlot(const Connection& c, std::string_view appointment,
                                    std::string_view slot_id) {
  if (c.dialect() == Dialect::kMysql) {
    return fmt::format("{}.active_slot_id = {}", appointment, slot_id);
  }
  return fmt::format("{0}.slot_id = {1} AND {0}.status <> 'cancelled'", appointment, slot_id);
}

std::string Qualified(std::string_view alias, std::string_view columns) {
  std::string qualified;
  while (!columns.empty()) {
    const auto comma = columns.find(',');
    const auto column = columns.substr(0, comma);
    if (!qualified.empty()) qualified += ", ";
    qualified += fmt::format("{}.{}", alias, column);
    columns = comma == std::string_view::npos ? std::string_view{} : columns.substr(comma + 1);
    while (!columns.empty() && columns.front() == ' ') columns.remove_prefix(1);
  }
  return qualified;
}

Status BumpLockVersion(Connection& c, std::string_view table, Id id) {
  if (c.dialect() != Dialect::kMysql) return Ok();
  CLINIC_TRY_STATUS(c.Execute(fmt::format("UPDATE {} SET lock_version = lock_version + 1, "
                                          "updated_at = updated_at WHERE id = ?",
                                          table),
                              {Value{id}}));
  return Ok();
}

void AddPersonFilter(const PersonFilter& filter,
                     std::initializer_list<std::string_view> search_columns, std::string& where,
                     std::vector<Value>& params) {
  if (!filter.include_deleted) where += " AND deleted_at IS NULL";
  if (!filter.q || filter.q->empty()) return;
  const std::string pattern = ContainsPattern(*filter.q);
  std::vector<std::string> terms;
  for (const auto column : search_columns) {
    terms.push_back(fmt::format("{} LIKE ? ESCAPE '!'", column));
    params.emplace_back(pattern);
  }
  where += fmt::format(" AND ({})", fmt::join(terms, " OR "));
}

void AppendStartOrderedPage(std::string_view start_column, std::string_view id_column,
                            const std::optional<Instant>& from, const std::optional<Instant>& to,
                            const std::optional<std::pair<Instant, Id>>& after, int limit,
                            std::string& sql, std::vector<Value>& params) {
  if (from) {
    sql += fmt::format(" AND {} >= ?", start_column);
    params.push_back(ToValue(*from));
  }
  if (to) {
    sql += fmt::format(" AND {} < ?", start_column);
    params.push_back(ToValue(*to));
  }
  if (after) {
    sql += fmt::format(" AND ({0} > ? OR ({0} = ? AND {1} > ?))", start_column, id_column);
    params.push_back(ToValue(after->first));
    params.push_back(ToValue(after->first));
    params.emplace_back(after->second);
  }
  sql += fmt::format(" ORDER BY {}, {} LIMIT ?", start_column, id_column);
  params.emplace_back(static_cast<std::int64_t>(limit < 1 ? 1 : limit) + 1);
}

Value RoleValue(domain::Role role) { return Value{std::string(domain::Name(role))}; }

}  // namespace clinic::storage::sql
