// A doctor's slots never overlap (DESIGN.md §2.1), also when many writers race: the scheduling
// service locks the doctor's row and checks for overlap in the transaction that inserts the slot.
// Runs on SQLite and MariaDB, and under ThreadSanitizer in the test script.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "clinic/service/scheduling_service.hpp"
#include "support/matchers.hpp"
#include "support/store_fixture.hpp"

namespace clinic::testing {
namespace {

using namespace std::chrono_literals;

class SlotSchedulingTest : public StoreTest {
 protected:
  domain::RequestContext AdminContext() const {
    return {.actor = {.role = domain::Role::kAdmin, .id = 1}};
  }

  std::int64_t CountSlots(Id doctor_id) {
    auto rows = raw().Query("SELECT COUNT(*) FROM doctor_time_slots WHERE doctor_id = ?",
                            {storage::sql::Value{doctor_id}});
    EXPECT_TRUE(rows);
    return rows ? rows->at(0).Int(0) : -1;
  }

  SystemClock clock_;
};

TEST_P(SlotSchedulingTest, ConcurrentOverlappingSlotsOfOneDoctorLeaveExactlyOne) {
  const auto doctor = NewDoctor(std::nullopt, "d@clinic.example");
  service::SchedulingService scheduling(store(), clock_);
  std::atomic<int> created{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < 8; ++i) {
    // Each slot starts five minutes after the previous one and lasts an hour: every pair overlaps,
    // and none is an exact duplicate the unique key alone would catch.
    racers.emplace_back([&, i] {
      auto outcome =
          scheduling.CreateSlot(AdminContext(), doctor.id,
                                {.start_time_utc = At(5 * i), .end_time_utc = At(5 * i) + 60min});
      if (outcome) {
        ++created;
      } else if (outcome.error().code == ErrorCode::kAlreadyExists) {
        ++refused;
      }
    });
  }
  for (auto& racer : racers) racer.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(refused.load(), 7);
  EXPECT_EQ(CountSlots(doctor.id), 1);
}

TEST_P(SlotSchedulingTest, AnotherDoctorMayHaveASlotAtTheSameTime) {
  const auto first = NewDoctor(std::nullopt, "first@clinic.example");
  const auto second = NewDoctor(std::nullopt, "second@clinic.example");
  service::SchedulingService scheduling(store(), clock_);
  const service::NewSlot slot{.start_time_utc = At(0), .end_time_utc = At(30)};
  ASSERT_TRUE(scheduling.CreateSlot(AdminContext(), first.id, slot));
  ASSERT_TRUE(scheduling.CreateSlot(AdminContext(), second.id, slot));
  auto again = scheduling.CreateSlot(AdminContext(), first.id,
                                     {.start_time_utc = At(15), .end_time_utc = At(45)});
  ASSERT_THAT(again, StatusIs(ErrorCode::kAlreadyExists));
  auto touching = scheduling.CreateSlot(AdminContext(), first.id,
                                        {.start_time_utc = At(30), .end_time_utc = At(60)});
  EXPECT_THAT(touching, IsOk());
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(SlotSchedulingTest);

}  // namespace
}  // namespace clinic::testing
