#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "clinic/common/clock.hpp"

namespace clinic {

// Text forms of time used at the edges. Storage and the API always carry UTC.

// "2026-12-01T09:00:00Z". Parsing takes RFC 3339 date-times exactly: years 0001–9999, an
// explicit offset within ±23:59 ("+08:00", converted to UTC) or Z, and fractional seconds of any
// length (what JavaScript's toISOString() sends), which are dropped: every stored instant is
// whole seconds. A leap second (":60") is refused.
std::string FormatRfc3339(Instant t);
// The last instant those forms spell, 9999-12-31T23:59:59Z: nothing later is ever stored.
inline constexpr Instant kLastInstant{std::chrono::seconds(253'402'300'799)};
std::optional<Instant> ParseRfc3339(std::string_view text);

// The SQL DATETIME / TIMESTAMP text form both backends store: "2026-12-01 09:00:00" (UTC).
std::string FormatSqlDateTime(Instant t);
std::optional<Instant> ParseSqlDateTime(std::string_view text);

// A calendar date, "2026-12-01".
std::string FormatDate(std::chrono::year_month_day d);
std::optional<std::chrono::year_month_day> ParseDate(std::string_view text);

}  // namespace clinic
