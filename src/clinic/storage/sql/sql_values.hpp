#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "clinic/common/time.hpp"
#include "clinic/domain/ids.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::sql {

// Conversions between record fields and SQL values, the same on both backends.

inline Value ToValue(const std::optional<std::string>& v) { return v ? Value{*v} : Value{nullptr}; }
inline Value ToValue(std::optional<Id> v) { return v ? Value{*v} : Value{nullptr}; }
inline Value ToValue(Instant t) { return Value{FormatSqlDateTime(t)}; }
inline Value ToValue(std::optional<Instant> t) {
  return t ? Value{FormatSqlDateTime(*t)} : Value{nullptr};
}
inline Value ToValue(bool b) { return Value{std::int64_t{b ? 1 : 0}}; }

inline Instant InstantAt(const Row& row, std::size_t i) {
  return ParseSqlDateTime(row.Text(i)).value_or(Instant{});
}
inline std::optional<Instant> OptInstantAt(const Row& row, std::size_t i) {
  if (row.IsNull(i)) return std::nullopt;
  return ParseSqlDateTime(row.Text(i));
}

}  // namespace clinic::storage::sql
