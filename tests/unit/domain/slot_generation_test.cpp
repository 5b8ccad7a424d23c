// Slot generation from weekly working hours (domain/slot_generation.hpp): local wall-clock times
// keep their meaning across DST changes, times that do not exist are skipped, and the autumn
// repeated hour never yields overlapping slots.

#include "clinic/domain/slot_generation.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "clinic/common/time.hpp"
#include "clinic/domain/time_zone.hpp"

namespace clinic::domain {
namespace {

using namespace std::chrono_literals;
using std::chrono::year;

const date::time_zone& Zone(const char* name) {
  const auto* zone = FindTimeZone(name);
  EXPECT_NE(zone, nullptr) << name;
  return *zone;
}

// The slots' start times as RFC 3339 UTC text, for readable expectations.
std::vector<std::string> Starts(const SlotPlan& plan) {
  std::vector<std::string> starts;
  for (const auto& slot : plan.slots) starts.push_back(FormatRfc3339(slot.start));
  return starts;
}

void ExpectNoOverlaps(const SlotPlan& plan) {
  for (std::size_t i = 1; i < plan.slots.size(); ++i) {
    EXPECT_LE(plan.slots[i - 1].end, plan.slots[i].start)
        << FormatRfc3339(plan.slots[i - 1].start) << " overlaps "
        << FormatRfc3339(plan.slots[i].start);
  }
}

TEST(SlotGenerationTest, NineOClockStaysNineLocalAcrossBothNewYorkClockChanges) {
  // 2026-03-08 and 2026-11-01 are Sundays; 09:00-10:00 every day.
  std::vector<WeeklyInterval> weekly;
  for (int day = 1; day <= 7; ++day) weekly.push_back({day, 9h, 10h});
  const auto& zone = Zone("America/New_York");

  const auto spring = GenerateSlots(weekly, zone, 60min, year{2026} / 3 / 7, year{2026} / 3 / 9);
  EXPECT_THAT(Starts(spring), ::testing::ElementsAre("2026-03-07T14:00:00Z", "2026-03-08T13:00:00Z",
                                                     "2026-03-09T13:00:00Z"));
  const auto autumn = GenerateSlots(weekly, zone, 60min, year{2026} / 10 / 31, year{2026} / 11 / 2);
  EXPECT_THAT(Starts(autumn), ::testing::ElementsAre("2026-10-31T13:00:00Z", "2026-11-01T14:00:00Z",
                                                     "2026-11-02T14:00:00Z"));
  EXPECT_EQ(spring.skipped, 0);
  EXPECT_EQ(autumn.skipped, 0);
}

TEST(SlotGenerationTest, TheSpringForwardGapYieldsNothing) {
  const std::vector<WeeklyInterval> weekly{{7, 2h, 3h}};
  const auto plan = GenerateSlots(weekly, Zone("America/New_York"), 30min, year{2026} / 3 / 8,
                                  year{2026} / 3 / 8);
  EXPECT_TRUE(plan.slots.empty());
  EXPECT_EQ(plan.skipped, 2);
}

TEST(SlotGenerationTest, ASlotEndingInTheGapIsSkipped) {
  const std::vector<WeeklyInterval> weekly{{7, 1h, 2h}};
  const auto plan = GenerateSlots(weekly, Zone("America/New_York"), 30min, year{2026} / 3 / 8,
                                  year{2026} / 3 / 8);
  EXPECT_THAT(Starts(plan), ::testing::ElementsAre("2026-03-08T06:00:00Z"));
  EXPECT_EQ(plan.skipped, 1);
}

TEST(SlotGenerationTest, TheRepeatedAutumnHourIsNotDoubled) {
  const std::vector<WeeklyInterval> weekly{{7, 0h, 3h}};
  const auto plan = GenerateSlots(weekly, Zone("America/New_York"), 15min, year{2026} / 11 / 1,
                                  year{2026} / 11 / 1);
  ExpectNoOverlaps(plan);
  for (const auto& slot : plan.slots) EXPECT_EQ(slot.end - slot.start, 15min);
  // 00:00-01:45 EDT (04:00Z..05:45Z), then 02:00-03:00 EST (07:00Z..08:00Z); 01:45-02:00 local
  // lasts 75 real minutes and is skipped.
  EXPECT_EQ(plan.slots.size(), 11u);
  EXPECT_EQ(FormatRfc3339(plan.slots.front().start), "2026-11-01T04:00:00Z");
  EXPECT_EQ(FormatRfc3339(plan.slots[7].start), "2026-11-01T07:00:00Z");
  EXPECT_EQ(plan.skipped, 1);
}

TEST(SlotGenerationTest, AnIntervalInsideTheRepeatedHourHasNoOverlappingSlots) {
  const std::vector<WeeklyInterval> weekly{{7, 1h, 2h}};
  const auto plan = GenerateSlots(weekly, Zone("America/New_York"), 30min, year{2026} / 11 / 1,
                                  year{2026} / 11 / 1);
  ExpectNoOverlaps(plan);
  EXPECT_THAT(Starts(plan), ::testing::ElementsAre("2026-11-01T05:00:00Z"));
}

TEST(SlotGenerationTest, SingaporeIsEightHoursAheadAllYear) {
  const std::vector<WeeklyInterval> weekly{{2, 9h, 12h}, {2, 13h, 14h}};  // Tuesdays, lunch break
  const auto plan = GenerateSlots(weekly, Zone("Asia/Singapore"), 60min, year{2026} / 12 / 1,
                                  year{2026} / 12 / 7);
  EXPECT_THAT(Starts(plan), ::testing::ElementsAre("2026-12-01T01:00:00Z", "2026-12-01T02:00:00Z",
                                                   "2026-12-01T03:00:00Z", "2026-12-01T05:00:00Z"));
  const auto july =
      GenerateSlots(weekly, Zone("Asia/Singapore"), 60min, year{2026} / 7 / 7, year{2026} / 7 / 7);
  EXPECT_EQ(FormatRfc3339(july.slots.front().start), "2026-07-07T01:00:00Z");
}

TEST(SlotGenerationTest, KolkataHasAHalfHourOffset) {
  const std::vector<WeeklyInterval> weekly{{1, 9h, 10h}};
  const auto plan = GenerateSlots(weekly, Zone("Asia/Kolkata"), 30min, year{2026} / 11 / 30,
                                  year{2026} / 11 / 30);
  EXPECT_THAT(Starts(plan), ::testing::ElementsAre("2026-11-30T03:30:00Z", "2026-11-30T04:00:00Z"));
}

TEST(SlotGenerationTest, ARemainderShorterThanASlotIsDropped) {
  const std::vector<WeeklyInterval> weekly{{1, 9h, 10h + 20min}};
  const auto plan =
      GenerateSlots(weekly, Zone("UTC"), 30min, year{2026} / 11 / 30, year{2026} / 11 / 30);
  EXPECT_EQ(plan.slots.size(), 2u);
  EXPECT_EQ(plan.skipped, 0);
}

TEST(SlotGenerationTest, OverlappingIntervalsOfOneWeekdayAreFound) {
  EXPECT_EQ(FindOverlappingIntervals({{1, 9h, 12h}, {2, 9h, 12h}, {1, 12h, 13h}}), std::nullopt);
  const auto overlap = FindOverlappingIntervals({{1, 9h, 12h}, {1, 13h, 14h}, {1, 11h, 13h}});
  ASSERT_TRUE(overlap.has_value());
  EXPECT_EQ(overlap->first, 0u);
  EXPECT_EQ(overlap->second, 2u);
}

}  // namespace
}  // namespace clinic::domain
