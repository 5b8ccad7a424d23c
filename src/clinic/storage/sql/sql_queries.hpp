#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clinic/domain/enums.hpp"
#include "clinic/storage/repositories.hpp"
#include "clinic/storage/sql/connection.hpp"
#include "clinic/storage/sql/sql_values.hpp"

namespace clinic::storage::sql {

// The query shapes the SQL repositories share, each written once. The templates take a table
// description, a struct with:
//   using Record = …;                      the domain record of one row
//   static constexpr std::string_view kTable, kNoun, kColumns;
//   static Record FromRow(const Row& r);   reads the columns in kColumns order

// `%text%` for LIKE with the wildcards in `text` escaped by '!' (ESCAPE '!' works on both
// backends; a backslash escape does not, because MySQL string literals eat backslashes).
std::string ContainsPattern(const std::string& text);

// Appended to a SELECT that must lock its rows until the transaction ends. Only MySQL needs it:
// SQLite has no row locks, and its write transactions (BEGIN IMMEDIATE) already exclude each
// other.
std::string_view RowLockSuffix(const Connection& c);

// The condition that `appointment` (the appointments table or its alias) is the active, not
// cancelled, appointment of the slot whose id is `slot_id`. On MySQL it compares the generated
// active_slot_id, so each slot costs one probe of its unique index rather than of idx_appt_slot
// and then the rows. SQLite's partial unique index on slot_id serves the plain condition.
std::string ActiveAppointmentOfSlot(const Connection& c, std::string_view appointment,
                                    std::string_view slot_id);

// Locks a doctor's or patient's row for a rule that spans other rows. On MySQL the row is also
// written (its lock_version bumped; updated_at set to itself so it keeps its value): a Galera
// node's row lock does not reach other nodes, but certification refuses the second of two
// transactions that wrote the same row. SQLite's write transactions exclude each other already.
Status BumpLockVersion(Connection& c, std::string_view table, Id id);

// `columns` (a table description's kColumns) each prefixed with `alias.`, for a joined SELECT.
std::string Qualified(std::string_view alias, std::string_view columns);

// How many columns a kColumns list names.
constexpr std::size_t ColumnCount(std::string_view columns) {
  return static_cast<std::size_t>(std::count(columns.begin(), columns.end(), ',')) + 1;
}

template <typename Table>
std::string Select(std::string_view where) {
  return fmt::format("SELECT {} FROM {} {}", Table::kColumns, Table::kTable, where);
}

template <typename Table>
Result<std::vector<typename Table::Record>> QueryAll(Connection& c, const std::string& sql,
                                                     std::span<const Value> params) {
  CLINIC_ASSIGN_OR_RETURN(auto rows, c.Query(sql, params));
  std::vector<typename Table::Record> records;
  records.reserve(rows.size());
  for (const auto& row : rows) records.push_back(Table::FromRow(row));
  return records;
}

template <typename Table>
Result<std::optional<typename Table::Record>> QueryOne(Connection& c, const std::string& sql,
                                                       std::initializer_list<Value> params) {
  CLINIC_ASSIGN_OR_RETURN(auto records,
                          QueryAll<Table>(c, sql, std::span(params.begin(), params.size())));
  if (records.empty()) return std::optional<typename Table::Record>{};
  return std::optional<typename Table::Record>{std::move(records.front())};
}

template <typename Table>
Result<typename Table::Record> GetById(Connection& c, Id id, std::string_view suffix = "") {
  CLINIC_ASSIGN_OR_RETURN(
      auto found,
      QueryOne<Table>(c, Select<Table>(fmt::format("WHERE id = ?{}", suffix)), {Value{id}}));
  if (!found) return Fail(Error::NotFound(fmt::format("{} {} not found", Table::kNoun, id)));
  return std::move(*found);
}

// Runs `where` (which must start with "WHERE") plus keyset pagination on id.
template <typename Table>
Result<domain::Page<typename Table::Record>> QueryPage(Connection& c, std::string where,
                                                       std::vector<Value> params,
                                                       const domain::PageRequest& page) {
  const int limit = page.limit < 1 ? 1 : page.limit;
  where += " AND id > ? ORDER BY id LIMIT ?";
  params.emplace_back(page.after_id.value_or(0));
  params.emplace_back(static_cast<std::int64_t>(limit) + 1);
  CLINIC_ASSIGN_OR_RETURN(auto records, QueryAll<Table>(c, Select<Table>(where), params));
  domain::Page<typename Table::Record> out;
  if (records.size() > static_cast<std::size_t>(limit)) {
    records.resize(static_cast<std::size_t>(limit));
    out.next_after_id = records.back().id;
  }
  out.items = std::move(records);
  return out;
}

template <typename Table>
Status SetDeleted(Connection& c, Id id, std::optional<Instant> deleted_at) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c.Execute(fmt::format("UPDATE {} SET deleted_at = ? WHERE id = ?", Table::kTable),
                {ToValue(deleted_at), Value{id}}));
  if (result.affected_rows == 0) CLINIC_TRY_STATUS(GetById<Table>(c, id));
  return Ok();
}

// Appends the soft-delete filter and the substring search shared by the people tables.
void AddPersonFilter(const PersonFilter& filter,
                     std::initializer_list<std::string_view> search_columns, std::string& where,
                     std::vector<Value>& params);

// The end of a list query ordered by (start time, id): the [from, to) window on the start, the
// keyset position `after`, the order and `limit` + 1 rows (the extra one tells the caller that
// another page follows).
void AppendStartOrderedPage(std::string_view start_column, std::string_view id_column,
                            const std::optional<Instant>& from, const std::optional<Instant>& to,
                            const std::optional<std::pair<Instant, Id>>& after, int limit,
                            std::string& sql, std::vector<Value>& params);

// A role as the role columns spell it.
Value RoleValue(domain::Role role);

}  // namespace clinic::storage::sql
