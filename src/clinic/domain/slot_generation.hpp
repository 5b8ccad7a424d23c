#pragma once

#include <date/tz.h>

#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include "clinic/common/clock.hpp"
#include "clinic/domain/ids.hpp"

namespace clinic::domain {

// One interval of a doctor's weekly working hours, in the location's local wall-clock time.
struct WeeklyInterval {
  int weekday = 1;                // ISO: 1 = Monday .. 7 = Sunday
  std::chrono::minutes start{0};  // minutes after local midnight
  std::chrono::minutes end{0};    // exclusive; after `start`, at most 24:00
};

// A doctor's weekly working hours at one location: the template slots are generated from.
struct WorkingHours {
  Id doctor_id = 0;
  Id location_id = 0;
  int slot_minutes = 30;
  int horizon_days = 30;  // how many days ahead slots may be generated
  std::vector<WeeklyInterval> weekly;
};

// A generated period, [start, end) in UTC.
struct UtcPeriod {
  Instant start{};
  Instant end{};
};

// What GenerateSlots produced.
struct SlotPlan {
  std::vector<UtcPeriod> slots;  // by start time, none overlapping another
  // Slots the weekly hours describe that do not exist in real time: their local start or end
  // falls in a spring-forward gap, or a clock change inside them makes them longer or shorter
  // than the slot length.
  int skipped = 0;
};

// Cuts each interval of `weekly` into consecutive slots of `slot_length` (a remainder shorter
// than a slot is dropped) on every local date in [from, to] (inclusive) and converts them to UTC
// with `zone`. A local time keeps its wall-clock meaning across DST changes (a 09:00 slot is 09:00
// local in winter and in summer). A local time that occurs twice (the autumn repeated hour) is
// taken at its first occurrence, and a slot that would overlap an earlier one is skipped, so the
// repeated hour is never doubled. Pure: no clock, no I/O.
SlotPlan GenerateSlots(const std::vector<WeeklyInterval>& weekly, const date::time_zone& zone,
                       std::chrono::minutes slot_length, std::chrono::year_month_day from,
                       std::chrono::year_month_day to);

// The first pair of intervals of one weekday that overlap each other (touching ends do not), as
// indexes into `weekly`, or nullopt when there is none.
std::optional<std::pair<std::size_t, std::size_t>> FindOverlappingIntervals(
    const std::vector<WeeklyInterval>& weekly);

}  // namespace clinic::domain
