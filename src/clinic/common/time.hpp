#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "clinic/common/clock.hpp"

namespace clinic {

// Text forms of time used at the edges. Storage and the API always carry UTC.

// "2026-12-01T09:00:00Z". Parsing also accepts an explicit offset ("+08:00") and converts it to
// UTC; fractional seconds are rejected because every stored instant is whole seconds.
std::string FormatRfc3339(Instant t);
std::optional<Instant> ParseRfc3339(std::string_view text);

// The SQL DATETIME / TIMESTAMP text form both backends store: "2026-12-01 09:00:00" (UTC).
std::string FormatSqlDateTime(Instant t);
std::optional<Instant> ParseSqlDateTime(std::string_view text);

// A calendar date, "2026-12-01".
std::string FormatDate(std::chrono::year_month_day d);
std::optional<std::chrono::year_month_day> ParseDate(std::string_view text);

}  // namespace clinic
