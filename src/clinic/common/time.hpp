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
// whole seconds. A leap second (":60") is refused, and so is an offset that carries the instant
// outside kFirstInstant–kLastInstant in UTC ("0001-01-01T00:00:00+01:00"): whatever parses
// formats back and is stored as it was read.
std::string FormatRfc3339(Instant t);
// The first and last instants those forms spell, 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z:
// nothing outside them is ever stored.
inline constexpr Instant kFirstInstant{std::chrono::seconds(-62'135'596'800)};
inline constexpr Instant kLastInstant{std::chrono::seconds(253'402'300'799)};
std::optional<Instant> ParseRfc3339(std::string_view text);

// The SQL DATETIME / TIMESTAMP text form both backends store: "2026-12-01 09:00:00" (UTC).
std::string FormatSqlDateTime(Instant t);
std::optional<Instant> ParseSqlDateTime(std::string_view text);

// A calendar date, "2026-12-01".
std::string FormatDate(std::chrono::year_month_day d);
std::optional<std::chrono::year_month_day> ParseDate(std::string_view text);

}  // namespace clinic
