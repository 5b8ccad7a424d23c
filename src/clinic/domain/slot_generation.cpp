#include "clinic/domain/slot_generation.hpp"

#include <algorithm>
#include <tuple>

#include "clinic/domain/time_zone.hpp"

namespace clinic::domain {

SlotPlan GenerateSlots(const std::vector<WeeklyInterval>& weekly, const date::time_zone& zone,
                       std::chrono::minutes slot_length, std::chrono::year_month_day from,
                       std::chrono::year_month_day to) {
  SlotPlan plan;
  if (slot_length <= std::chrono::minutes::zero()) return plan;
  std::vector<WeeklyInterval> intervals = weekly;
  std::sort(intervals.begin(), intervals.end(), [](const auto& a, const auto& b) {
    return std::tie(a.weekday, a.start) < std::tie(b.weekday, b.start);
  });
  const std::chrono::sys_days last{to};
  for (std::chrono::sys_days day{from}; day <= last; day += std::chrono::days(1)) {
    const auto weekday = static_cast<int>(std::chrono::weekday(day).iso_encoding());
    const date::local_seconds midnight{day.time_since_epoch()};
    for (const auto& interval : intervals) {
      if (interval.weekday != weekday) continue;
      for (auto offset = interval.start; offset + slot_length <= interval.end;
           offset += slot_length) {
        const auto start = LocalToUtc(zone, midnight + offset);
        const auto end = LocalToUtc(zone, midnight + offset + slot_length);
        // A clock change inside the slot makes its real length differ from its wall-clock one;
        // such a slot is neither what the doctor offered nor what a patient would expect.
        const bool exists = start && end && *end - *start == slot_length;
        const bool overlaps_previous =
            exists && !plan.slots.empty() && *start < plan.slots.back().end;
        if (!exists || overlaps_previous) {
          ++plan.skipped;
          continue;
        }
        plan.slots.push_back({*start, *end});
      }
    }
  }
  return plan;
}

std::optional<std::pair<std::size_t, std::size_t>> FindOverlappingIntervals(
    const std::vector<WeeklyInterval>& weekly) {
  for (std::size_t i = 0; i < weekly.size(); ++i) {
    for (std::size_t j = i + 1; j < weekly.size(); ++j) {
      const auto& a = weekly[i];
      const auto& b = weekly[j];
      if (a.weekday == b.weekday && a.start < b.end && b.start < a.end) return std::pair{i, j};
    }
  }
  return std::nullopt;
}

}  // namespace clinic::domain
