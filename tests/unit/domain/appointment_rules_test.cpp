// The appointment status machine and the bookability rules of domain/appointment_rules.hpp.

#include "clinic/domain/appointment_rules.hpp"

#include <gtest/gtest.h>

#include "support/printers.hpp"

namespace clinic::domain {
namespace {

using namespace std::chrono_literals;

const Instant kStart = std::chrono::sys_days{std::chrono::year{2030} / 1 / 7} + 9h;
const Instant kBefore = kStart - 1h;
const Instant kAfter = kStart + 10min;

std::optional<ErrorCode> Outcome(const Status& status) {
  if (status) return std::nullopt;
  return status.error().code;
}

constexpr std::optional<ErrorCode> kAllowed = std::nullopt;
constexpr std::optional<ErrorCode> kRefused = ErrorCode::kFailedPrecondition;

TEST(AppointmentStatusMachine, OnlyScheduledAppointmentsChange) {
  using S = AppointmentStatus;
  using C = AppointmentChange;
  for (const auto status : {S::kCompleted, S::kCancelled, S::kNoShow}) {
    for (const auto change : {C::kCancel, C::kReschedule, C::kComplete, C::kNoShow}) {
      EXPECT_EQ(Outcome(CheckAppointmentChange(status, change, kStart, kAfter, true)), kRefused)
          << Name(status);
    }
  }
}

TEST(AppointmentStatusMachine, AttendanceIsRecordedOnlyOnceTheSlotStarted) {
  using C = AppointmentChange;
  for (const auto change : {C::kComplete, C::kNoShow}) {
    EXPECT_EQ(Outcome(CheckAppointmentChange(AppointmentStatus::kScheduled, change, kStart, kBefore,
                                             true)),
              kRefused);
    EXPECT_EQ(Outcome(CheckAppointmentChange(AppointmentStatus::kScheduled, change, kStart, kStart,
                                             true)),
              kAllowed);
  }
}

TEST(AppointmentStatusMachine, PatientsCancelAndRescheduleOnlyBeforeTheStartStaffAlsoAfter) {
  using C = AppointmentChange;
  for (const auto change : {C::kCancel, C::kReschedule}) {
    EXPECT_EQ(Outcome(CheckAppointmentChange(AppointmentStatus::kScheduled, change, kStart, kBefore,
                                             false)),
              kAllowed);
    EXPECT_EQ(Outcome(CheckAppointmentChange(AppointmentStatus::kScheduled, change, kStart, kAfter,
                                             false)),
              kRefused);
    EXPECT_EQ(Outcome(CheckAppointmentChange(AppointmentStatus::kScheduled, change, kStart, kAfter,
                                             true)),
              kAllowed);
  }
}

TEST(Bookability, FreeFutureSlotsOfActiveDoctorsOnly) {
  Slot slot;
  slot.id = 3;
  slot.start_time_utc = kStart;
  slot.end_time_utc = kStart + 30min;
  Doctor doctor;
  doctor.is_active = true;
  EXPECT_EQ(Outcome(CheckBookable(slot, doctor, kBefore)), kAllowed);
  EXPECT_EQ(Outcome(CheckBookable(slot, doctor, kStart)), kRefused) << "starting now is past";
  slot.is_available = false;
  EXPECT_EQ(Outcome(CheckBookable(slot, doctor, kBefore)), kRefused);
  slot.is_available = true;
  doctor.is_active = false;
  EXPECT_EQ(Outcome(CheckBookable(slot, doctor, kBefore)), kRefused);
  doctor.is_active = true;
  doctor.deleted_at = kBefore;
  EXPECT_EQ(Outcome(CheckBookable(slot, doctor, kBefore)), kRefused);
}

}  // namespace
}  // namespace clinic::domain
