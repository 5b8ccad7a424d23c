// The appointment repository's contract and the booking service straight over the store, on
// SQLite and MariaDB; the concurrent cases also run under ThreadSanitizer in the test script.

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "clinic/service/appointment_service.hpp"
#include "support/matchers.hpp"
#include "support/store_fixture.hpp"

namespace clinic::testing {
namespace {

using namespace std::chrono_literals;
using storage::AppointmentFilter;
using storage::InTransaction;
using storage::Transaction;
using storage::TxMode;

class AppointmentBookingTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    location_ = NewLocation("Asia/Singapore");
    doctor_ = NewDoctor(location_.id, "d@clinic.example");
    patient_ = NewPatient("p@example.com");
  }

  static domain::RequestContext As(domain::Role role, Id id) {
    return {.actor = {.role = role, .id = id}};
  }

  // A slot of `doctor` at the test location, `minutes` after At(0), an hour long.
  domain::Slot SlotAt(const domain::Doctor& doctor, int minutes) {
    auto slot = InTransaction(store(), TxMode::kWrite, [&](Transaction& tx) {
      return tx.slots().Create({.doctor_id = doctor.id,
                                .location_id = location_.id,
                                .start_time_utc = At(minutes),
                                .end_time_utc = At(minutes) + 60min});
    });
    EXPECT_THAT(slot, IsOk());
    return slot.value_or(domain::Slot{});
  }

  Result<domain::Appointment> Insert(const domain::Slot& slot, Id patient_id) {
    return InTransaction(store(), TxMode::kWrite, [&](Transaction& tx) {
      return tx.appointments().Create({.slot_id = slot.id,
                                       .doctor_id = slot.doctor_id,
                                       .patient_id = patient_id,
                                       .location_id = slot.location_id});
    });
  }

  std::int64_t ActiveAppointmentsOn(Id slot_id) {
    auto rows =
        raw().Query("SELECT COUNT(*) FROM appointments WHERE slot_id = ? AND status <> 'cancelled'",
                    {storage::sql::Value{slot_id}});
    EXPECT_TRUE(rows);
    return rows ? rows->at(0).Int(0) : -1;
  }

  SystemClock clock_;
  domain::Location location_;
  domain::Doctor doctor_;
  domain::Patient patient_;
};

TEST_P(AppointmentBookingTest, ListingsCarryTheSlotTimesAndFilterAndPageByStart) {
  const auto other_patient = NewPatient("q@example.com");
  const auto late = Insert(SlotAt(doctor_, 300), patient_.id).value();
  const auto early = Insert(SlotAt(doctor_, 0), patient_.id).value();
  const auto theirs = Insert(SlotAt(doctor_, 120), other_patient.id).value();

  auto listing = InTransaction(store(), TxMode::kRead, [&](Transaction& tx) {
    return tx.appointments().GetListing(early.id);
  });
  ASSERT_THAT(listing, IsOk());
  EXPECT_EQ(listing->start_time_utc, At(0));
  EXPECT_EQ(listing->end_time_utc, At(60));
  EXPECT_EQ(listing->timezone, "Asia/Singapore");

  const auto list = [&](AppointmentFilter filter) {
    std::vector<Id> ids;
    auto found = InTransaction(store(), TxMode::kRead,
                               [&](Transaction& tx) { return tx.appointments().List(filter); });
    EXPECT_THAT(found, IsOk());
    for (const auto& item : found.value_or(std::vector<domain::AppointmentListing>{})) {
      ids.push_back(item.appointment.id);
    }
    return ids;
  };
  EXPECT_EQ(list({}), (std::vector<Id>{early.id, theirs.id, late.id}));
  EXPECT_EQ(list({.patient_id = patient_.id}), (std::vector<Id>{early.id, late.id}));
  EXPECT_EQ(list({.from = At(60), .to = At(300)}), (std::vector<Id>{theirs.id}));
  EXPECT_EQ(list({.after = std::pair{At(0), early.id}, .limit = 1}),
            (std::vector<Id>{theirs.id, late.id}))
      << "limit + 1 rows tell the caller another page follows";
}

TEST_P(AppointmentBookingTest, OverlapMoveCancelAndIdempotencyKeysInStorage) {
  const auto first = SlotAt(doctor_, 0);
  const auto second = SlotAt(doctor_, 60);
  const auto booked = Insert(first, patient_.id).value();
  const auto other = Insert(second, NewPatient("q@example.com").id).value();

  const auto check = [&](auto&& body) { return InTransaction(store(), TxMode::kWrite, body); };
  EXPECT_EQ(check([&](Transaction& tx) {
              return tx.appointments().PatientHasOverlap(patient_.id, At(30), At(90), std::nullopt);
            }),
            true);
  EXPECT_EQ(check([&](Transaction& tx) {
              return tx.appointments().PatientHasOverlap(patient_.id, At(30), At(90), booked.id);
            }),
            false);
  EXPECT_EQ(check([&](Transaction& tx) {
              return tx.appointments().PatientHasOverlap(patient_.id, At(60), At(120),
                                                         std::nullopt);
            }),
            false)
      << "touching ends do not overlap";

  auto into_taken = store().Run(TxMode::kWrite, [&](Transaction& tx) {
    return tx.appointments().MoveToSlot(booked.id, second);
  });
  ASSERT_THAT(into_taken, StatusIs(ErrorCode::kAlreadyExists));
  ASSERT_TRUE(store().Run(TxMode::kWrite, [&](Transaction& tx) {
    return tx.appointments().Cancel(other.id, std::string("Travelling"));
  }));
  ASSERT_TRUE(store().Run(TxMode::kWrite, [&](Transaction& tx) {
    return tx.appointments().MoveToSlot(booked.id, second);
  }));
  EXPECT_EQ(ActiveAppointmentsOn(first.id), 0);
  EXPECT_EQ(ActiveAppointmentsOn(second.id), 1);
  auto cancelled = check([&](Transaction& tx) { return tx.appointments().Get(other.id); });
  EXPECT_EQ(cancelled->cancellation_reason, "Travelling");

  const storage::IdempotencyRecord record{.actor_role = domain::Role::kPatient,
                                          .actor_id = patient_.id,
                                          .operation = "appointment.book",
                                          .key = "Key-1",
                                          .request_hash = std::string(64, 'a'),
                                          .created_at = At(0)};
  ASSERT_TRUE(store().Run(TxMode::kWrite, [&](Transaction& tx) -> Status {
    CLINIC_TRY_STATUS(tx.idempotency().Reserve(record));
    return tx.idempotency().Attach(domain::Role::kPatient, patient_.id, "appointment.book", "Key-1",
                                   booked.id);
  }));
  auto again = store().Run(TxMode::kWrite,
                           [&](Transaction& tx) { return tx.idempotency().Reserve(record); });
  ASSERT_THAT(again, StatusIs(ErrorCode::kAlreadyExists));
  auto found = check([&](Transaction& tx) {
    return tx.idempotency().Find(domain::Role::kPatient, patient_.id, "appointment.book", "Key-1");
  });
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->resource_id, booked.id);
  auto other_case = check([&](Transaction& tx) {
    return tx.idempotency().Find(domain::Role::kPatient, patient_.id, "appointment.book", "key-1");
  });
  ASSERT_TRUE(other_case);
  EXPECT_FALSE(*other_case) << "keys are case-sensitive";
}

TEST_P(AppointmentBookingTest, ConcurrentBookingsOfOneSlotSeatOnePatient) {
  service::AppointmentService appointments(store(), clock_);
  const auto slot = SlotAt(doctor_, 0);
  std::vector<domain::Patient> patients;
  for (int i = 0; i < 8; ++i)
    patients.push_back(NewPatient("racer" + std::to_string(i) + "@x.org"));
  std::atomic<int> booked{0};
  std::atomic<int> taken{0};
  std::vector<std::thread> racers;
  for (const auto& patient : patients) {
    racers.emplace_back([&, id = patient.id] {
      auto outcome = appointments.Book(As(domain::Role::kPatient, id), {.slot_id = slot.id});
      if (outcome) {
        ++booked;
      } else if (outcome.error().code == ErrorCode::kAlreadyExists) {
        ++taken;
      }
    });
  }
  for (auto& racer : racers) racer.join();
  EXPECT_EQ(booked.load(), 1);
  EXPECT_EQ(taken.load(), 7);
  EXPECT_EQ(ActiveAppointmentsOn(slot.id), 1);
}

TEST_P(AppointmentBookingTest, ConcurrentBookingsOfOnePatientNeverOverlap) {
  service::AppointmentService appointments(store(), clock_);
  // Eight doctors with hour-long slots five minutes apart: every pair overlaps, so the patient
  // can hold only one of them.
  std::vector<domain::Slot> slots;
  for (int i = 0; i < 8; ++i) {
    slots.push_back(SlotAt(NewDoctor(location_.id, "d" + std::to_string(i) + "@x.org"), 5 * i));
  }
  std::atomic<int> booked{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> racers;
  for (const auto& slot : slots) {
    racers.emplace_back([&, slot_id = slot.id] {
      auto outcome =
          appointments.Book(As(domain::Role::kPatient, patient_.id), {.slot_id = slot_id});
      if (outcome) {
        ++booked;
      } else if (outcome.error().code == ErrorCode::kFailedPrecondition) {
        ++refused;
      }
    });
  }
  for (auto& racer : racers) racer.join();
  EXPECT_EQ(booked.load(), 1);
  EXPECT_EQ(refused.load(), 7);
}

TEST_P(AppointmentBookingTest, ConcurrentReschedulesIntoOneSlotMoveOneAppointment) {
  service::AppointmentService appointments(store(), clock_);
  // Into a slot of the same doctor (the appointment moves) and of another doctor (a new
  // appointment is booked there): either way one wins.
  const auto colleague = NewDoctor(location_.id, "colleague@clinic.example");
  int round = 0;
  for (const auto& target : {SlotAt(doctor_, 0), SlotAt(colleague, 0)}) {
    std::vector<Id> ids;
    for (int i = 0; i < 8; ++i) {
      const auto home = SlotAt(doctor_, 120 + 60 * (8 * round + i));
      const auto mover =
          NewPatient("mover" + std::to_string(round) + "-" + std::to_string(i) + "@x.org");
      ids.push_back(Insert(home, mover.id).value().id);
    }
    ++round;
    std::atomic<int> moved{0};
    std::atomic<int> taken{0};
    std::vector<std::thread> racers;
    for (const Id id : ids) {
      racers.emplace_back([&, id] {
        auto outcome = appointments.Reschedule(As(domain::Role::kAdmin, 1), id, target.id);
        if (outcome) {
          ++moved;
        } else if (outcome.error().code == ErrorCode::kAlreadyExists) {
          ++taken;
        }
      });
    }
    for (auto& racer : racers) racer.join();
    EXPECT_EQ(moved.load(), 1) << "doctor " << target.doctor_id;
    EXPECT_EQ(taken.load(), 7) << "doctor " << target.doctor_id;
    EXPECT_EQ(ActiveAppointmentsOn(target.id), 1) << "doctor " << target.doctor_id;
  }
}

TEST_P(AppointmentBookingTest, AnAppointmentKeepsItsDoctorAndKnowsWhetherItsPatientIsDeleted) {
  const auto colleague = NewDoctor(location_.id, "colleague@clinic.example");
  const auto booked = Insert(SlotAt(doctor_, 0), patient_.id).value();
  const auto elsewhere = SlotAt(colleague, 120);
  EXPECT_THAT(store().Run(TxMode::kWrite,
                          [&](Transaction& tx) {
                            return tx.appointments().MoveToSlot(booked.id, elsewhere);
                          }),
              StatusIs(ErrorCode::kFailedPrecondition));
  EXPECT_EQ(ActiveAppointmentsOn(elsewhere.id), 0);

  const auto successor = Insert(elsewhere, patient_.id).value();
  ASSERT_THAT(store().Run(TxMode::kWrite,
                          [&](Transaction& tx) {
                            return tx.appointments().CancelAsRescheduled(
                                booked.id, successor.id, "rescheduled to appointment 2");
                          }),
              IsOk());
  const auto listing = [&](Id id) {
    return InTransaction(store(), TxMode::kRead,
                         [&](Transaction& tx) { return tx.appointments().GetListing(id); });
  };
  const auto ended = listing(booked.id);
  ASSERT_THAT(ended, IsOk());
  EXPECT_EQ(ended->appointment.status, domain::AppointmentStatus::kCancelled);
  EXPECT_EQ(ended->appointment.cancellation_reason, "rescheduled to appointment 2");
  EXPECT_EQ(ended->appointment.rescheduled_to_id, successor.id);
  EXPECT_EQ(ended->appointment.doctor_id, doctor_.id);
  EXPECT_FALSE(ended->patient_deleted);
  EXPECT_EQ(listing(successor.id)->appointment.rescheduled_to_id, std::nullopt);

  ASSERT_THAT(
      store().Run(TxMode::kWrite,
                  [&](Transaction& tx) { return tx.patients().SetDeletedAt(patient_.id, At(0)); }),
      IsOk());
  EXPECT_TRUE(listing(successor.id)->patient_deleted);
  const auto count = [&](AppointmentFilter filter) {
    auto found = InTransaction(store(), TxMode::kRead,
                               [&](Transaction& tx) { return tx.appointments().List(filter); });
    EXPECT_THAT(found, IsOk());
    return found ? found->size() : 0u;
  };
  EXPECT_EQ(count({.doctor_id = colleague.id}), 1u);
  EXPECT_EQ(count({.doctor_id = colleague.id, .include_deleted_patients = false}), 0u);
  const auto schedule = [&](bool include_deleted_patients) {
    auto slots = InTransaction(store(), TxMode::kRead, [&](Transaction& tx) {
      return tx.slots().ListForDoctor(colleague.id, At(0), At(24 * 60), include_deleted_patients);
    });
    EXPECT_THAT(slots, IsOk());
    return slots && slots->size() == 1 ? slots->front().appointment_id : std::nullopt;
  };
  EXPECT_EQ(schedule(true), successor.id);
  EXPECT_EQ(schedule(false), std::nullopt) << "the slot reads as if it had no appointment";
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(AppointmentBookingTest);

}  // namespace
}  // namespace clinic::testing
