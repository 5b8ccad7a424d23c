#pragma once

#include <date/tz.h>

#include <optional>
#include <string_view>

#include "clinic/common/clock.hpp"

namespace clinic::domain {

// IANA time zone rules (the OS tz database). Locations keep their zone's name; local times are
// computed from it, never stored.

// The zone named `name` ("America/New_York"), or nullptr when the tz database has no such zone.
const date::time_zone* FindTimeZone(std::string_view name);

// The UTC instant of a local wall-clock time in `zone`. A time that does not exist (the hour the
// clocks skip in spring) answers nullopt; a time that occurs twice (autumn) answers the first.
std::optional<Instant> LocalToUtc(const date::time_zone& zone, date::local_seconds local);

// The local wall-clock time of `t` in `zone`.
date::local_seconds UtcToLocal(const date::time_zone& zone, Instant t);

}  // namespace clinic::domain
