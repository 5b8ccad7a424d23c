// The storage contract: every Store adapter behaves the same. Runs on SQLite and on MariaDB.

#include <fmt/format.h>

#include <atomic>
#include <thread>

#include "support/matchers.hpp"
#include "support/store_fixture.hpp"

namespace clinic::testing {
namespace {

using namespace std::chrono_literals;
using storage::InTransaction;
using storage::Transaction;
using storage::TxMode;

class StoreContractTest : public StoreTest {};

TEST_P(StoreContractTest, LocationRoundTripsEveryColumn) {
  domain::Location location;
  location.name = "Orchard <b>&</b> Co; DROP TABLE x";
  location.address_line1 = "238 Orchard Road";
  location.address_line2 = "#04-01";
  location.city = "Singapore";
  location.state_region = std::nullopt;
  location.postal_code = "238851";
  location.country = "Singapore";
  location.phone = "+6565550100";
  location.timezone = "Asia/Singapore";
  auto created = InTransaction(store(), TxMode::kWrite,
                               [&](Transaction& tx) { return tx.locations().Create(location); });
  ASSERT_THAT(created, IsOk());
  EXPECT_GT(created->id, 0);
  EXPECT_EQ(created->name, location.name);
  EXPECT_EQ(created->address_line2, location.address_line2);
  EXPECT_EQ(created->state_region, std::nullopt);
  EXPECT_EQ(created->timezone, "Asia/Singapore");
  EXPECT_GT(created->created_at.time_since_epoch().count(), 0);

  created->city = "Singapura";
  auto updated = InTransaction(store(), TxMode::kWrite,
                               [&](Transaction& tx) { return tx.locations().Update(*created); });
  ASSERT_TRUE(updated);
  EXPECT_EQ(updated->city, "Singapura");
}

TEST_P(StoreContractTest, MissingRowsAreNotFound) {
  auto got = InTransaction(store(), TxMode::kRead,
                           [&](Transaction& tx) { return tx.patients().Get(424242); });
  ASSERT_THAT(got, StatusIs(ErrorCode::kNotFound));
  auto deleted = InTransaction(store(), TxMode::kWrite, [&](Transaction& tx) -> Status {
    return tx.patients().SetDeletedAt(424242, At(0));
  });
  ASSERT_THAT(deleted, StatusIs(ErrorCode::kNotFound));
}

TEST_P(StoreContractTest, ListPagesByIdWithCursor) {
  for (int i = 0; i < 5; ++i) NewLocation();
  domain::PageRequest page{.limit = 2, .after_id = std::nullopt};
  std::vector<Id> seen;
  for (int guard = 0; guard < 10; ++guard) {
    auto listed = InTransaction(store(), TxMode::kRead,
                                [&](Transaction& tx) { return tx.locations().List(page); });
    ASSERT_TRUE(listed);
    for (const auto& l : listed->items) seen.push_back(l.id);
    if (!listed->next_after_id) break;
    page.after_id = listed->next_after_id;
  }
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
}

TEST_P(StoreContractTest, EmailsAreUniqueRegardlessOfCaseAndSoftDeletion) {
  const auto first = NewPatient("ann@example.com");
  auto deleted = InTransaction(store(), TxMode::kWrite, [&](Transaction& tx) -> Status {
    return tx.patients().SetDeletedAt(first.id, At(0));
  });
  ASSERT_TRUE(deleted);
  domain::Patient again;
  again.first_name = "Ann";
  again.last_name = "Other";
  again.email = "ANN@example.com";
  auto duplicate = InTransaction(store(), TxMode::kWrite,
                                 [&](Transaction& tx) { return tx.patients().Create(again); });
  ASSERT_THAT(duplicate, StatusIs(ErrorCode::kAlreadyExists));

  auto found = InTransaction(store(), TxMode::kRead, [&](Transaction& tx) {
    return tx.patients().FindByEmail("Ann@Example.com");
  });
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->id, first.id);
  EXPECT_TRUE((*found)->deleted_at.has_value());
}

TEST_P(StoreContractTest, SoftDeletedPeopleLeaveListsAndComeBackOnRestore) {
  const auto kept = NewPatient("kept@example.com");
  const auto gone = NewPatient("gone@example.com");
  auto ids = [&](bool include_deleted) {
    auto listed = InTransaction(store(), TxMode::kRead, [&](Transaction& tx) {
      return tx.patients().List({.q = std::nullopt, .include_deleted = include_deleted},
                                {.limit = 50, .after_id = std::nullopt});
    });
    std::vector<Id> out;
    for (const auto& p : listed.value().items) out.push_back(p.id);
    return out;
  };
  ASSERT_TRUE(InTransaction(store(), TxMode::kWrite, [&](Transaction& tx) -> Status {
    return tx.patients().SetDeletedAt(gone.id, At(0));
  }));
  EXPECT_EQ(ids(false), std::vector<Id>{kept.id});
  EXPECT_EQ(ids(true), (std::vector<Id>{kept.id, gone.id}));
  ASSERT_TRUE(InTransaction(store(), TxMode::kWrite, [&](Transaction& tx) -> Status {
    return tx.patients().SetDeletedAt(gone.id, std::nullopt);
  }));
  EXPECT_EQ(ids(false), (std::vector<Id>{kept.id, gone.id}));
}

TEST_P(StoreContractTest, SearchTreatsLikeWildcardsLiterally) {
  NewPatient("percent%sign@example.com");
  NewPatient("plain@example.com");
  auto search = [&](const std::string& q) {
    auto listed = InTransaction(store(), TxMode::kRead, [&](Transaction& tx) {
      return tx.patients().List({.q = q, .include_deleted = false},
                                {.limit = 50, .after_id = std::nullopt});
    });
    return listed.value().items.size();
  };
  EXPECT_EQ(search("%"), 1u);
  EXPECT_EQ(search("_"), 0u);
  EXPECT_EQ(search("PLAIN"), 1u);
  EXPECT_EQ(search("example"), 2u);
  EXPECT_EQ(search("' OR 1=1 --"), 0u);
}

TEST_P(StoreContractTest, DoctorFiltersBySpecializationLocationAndActivity) {
  const auto here = NewLocation();
  const auto there = NewLocation();
  auto a = NewDoctor(here.id, "a@clinic.example");
  auto b = NewDoctor(there.id, "b@clinic.example");
  b.specialization = "Pediatrics";
  b.is_active = false;
  ASSERT_TRUE(InTransaction(store(), TxMode::kWrite,
                            [&](Transaction& tx) { return tx.doctors().Update(b); }));
  auto count = [&](storage::DoctorFilter filter) {
    auto listed = InTransaction(store(), TxMode::kRead, [&](Transaction& tx) {
      return tx.doctors().List(filter, {.limit = 50, .after_id = std::nullopt});
    });
    return listed.value().items.size();
  };
  EXPECT_EQ(count({}), 1u);
  EXPECT_EQ(count({.include_inactive = true}), 2u);
  EXPECT_EQ(count({.specialization = "Pediatrics", .include_inactive = true}), 1u);
  EXPECT_EQ(count({.specialization = "pediatrics", .include_inactive = true}), 1u)
      << "specialization matches regardless of case on every backend";
  EXPECT_EQ(count({.location_id = here.id}), 1u);
  EXPECT_EQ(count({.location_id = there.id}), 0u);
  EXPECT_EQ(count({.q = "tan"}), 1u);
  auto locked = InTransaction(store(), TxMode::kWrite,
                              [&](Transaction& tx) { return tx.doctors().GetForUpdate(a.id); });
  ASSERT_TRUE(locked);
  EXPECT_EQ(locked->email, "a@clinic.example");
}

TEST_P(StoreContractTest, AdminsAreFoundByUsernameOrEmail) {
  domain::Admin admin;
  admin.username = "frontdesk";
  admin.email = "desk@clinic.example";
  admin.password_hash = "hash";
  auto created = InTransaction(store(), TxMode::kWrite,
                               [&](Transaction& tx) { return tx.admins().Create(admin); });
  ASSERT_TRUE(created);
  for (const char* login : {"frontdesk", "FrontDesk", "desk@clinic.example"}) {
    auto found = InTransaction(store(), TxMode::kRead,
                               [&](Transaction& tx) { return tx.admins().FindByLogin(login); });
    ASSERT_TRUE(found && *found) << login;
    EXPECT_EQ((*found)->id, created->id);
  }
  ASSERT_TRUE(InTransaction(store(), TxMode::kWrite, [&](Transaction& tx) -> Status {
    return tx.admins().RecordLogin(created->id, At(5));
  }));
  auto reread = InTransaction(store(), TxMode::kRead,
                              [&](Transaction& tx) { return tx.admins().Get(created->id); });
  EXPECT_EQ(reread->last_login_at, At(5));
}

TEST_P(StoreContractTest, SlotOverlapIsDetectedButTouchingEndsAreNot) {
  const auto doctor = NewDoctor(std::nullopt, "d@clinic.example");
  NewSlot(doctor.id, At(0), 60min);
  auto overlaps = [&](int from, int to) {
    return InTransaction(
               store(), TxMode::kRead,
               [&](Transaction& tx) { return tx.slots().Overlaps(doctor.id, At(from), At(to)); })
        .value();
  };
  EXPECT_TRUE(overlaps(30, 90));
  EXPECT_TRUE(overlaps(-30, 30));
  EXPECT_TRUE(overlaps(10, 20));
  EXPECT_FALSE(overlaps(60, 120));
  EXPECT_FALSE(overlaps(-60, 0));
  auto listed = InTransaction(store(), TxMode::kRead, [&](Transaction& tx) {
    return tx.slots().ListForDoctor(doctor.id, At(0), At(1), /*include_deleted_patients=*/true);
  });
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().slot.start_time_utc, At(0));
  EXPECT_EQ(listed->front().slot.end_time_utc, At(60));
  EXPECT_EQ(listed->front().appointment_id, std::nullopt);
}

TEST_P(StoreContractTest, ASlotIsReadWithItsDoctorAfterTheDoctorIsLocked) {
  const auto location = NewLocation();
  const auto doctor = NewDoctor(location.id, "d@clinic.example");
  const auto slot = NewSlot(doctor.id, At(0), 30min);
  auto read =
      InTransaction(store(), TxMode::kWrite,
                    [&](Transaction& tx) -> Result<std::pair<domain::Slot, domain::Doctor>> {
                      CLINIC_TRY_STATUS(tx.doctors().Lock(doctor.id));
                      return tx.slots().GetWithDoctor(slot.id);
                    });
  ASSERT_THAT(read, IsOk());
  const auto& [read_slot, read_doctor] = *read;
  EXPECT_EQ(read_slot.id, slot.id);
  EXPECT_EQ(read_slot.doctor_id, doctor.id);
  EXPECT_EQ(read_slot.location_id, slot.location_id);
  EXPECT_EQ(read_slot.start_time_utc, At(0));
  EXPECT_EQ(read_slot.end_time_utc, At(30));
  EXPECT_EQ(read_slot.is_available, slot.is_available);
  EXPECT_EQ(read_doctor.id, doctor.id);
  EXPECT_EQ(read_doctor.email, "d@clinic.example");
  EXPECT_EQ(read_doctor.specialization, doctor.specialization);
  EXPECT_EQ(read_doctor.location_id, location.id);
  EXPECT_EQ(read_doctor.is_active, doctor.is_active);
  EXPECT_EQ(read_doctor.updated_at, doctor.updated_at) << "locking changes no visible column";

  auto missing = InTransaction(store(), TxMode::kRead,
                               [&](Transaction& tx) { return tx.slots().GetWithDoctor(424242); });
  EXPECT_THAT(missing, StatusIs(ErrorCode::kNotFound));
}

TEST_P(StoreContractTest, OnlyNeverBookedSlotsCanBeDeleted) {
  const auto doctor = NewDoctor(std::nullopt, "d@clinic.example");
  const auto patient = NewPatient("p@example.com");
  const auto free_slot = NewSlot(doctor.id, At(0), 30min);
  const auto booked_slot = NewSlot(doctor.id, At(30), 30min);
  ASSERT_TRUE(InTransaction(store(), TxMode::kWrite, [&](Transaction& tx) {
    return tx.appointments().Create(
        {.slot_id = booked_slot.id, .doctor_id = doctor.id, .patient_id = patient.id});
  }));
  auto deleted_booked = InTransaction(store(), TxMode::kWrite, [&](Transaction& tx) -> Status {
    return tx.slots().Delete(booked_slot.id);
  });
  ASSERT_THAT(deleted_booked, StatusIs(ErrorCode::kFailedPrecondition));
  EXPECT_TRUE(InTransaction(store(), TxMode::kWrite, [&](Transaction& tx) -> Status {
    return tx.slots().Delete(free_slot.id);
  }));
}

TEST_P(StoreContractTest, ASlotHasOneActiveAppointmentAndCanBeRebookedAfterCancel) {
  const auto doctor = NewDoctor(std::nullopt, "d@clinic.example");
  const auto patient = NewPatient("p@example.com");
  const auto other = NewPatient("q@example.com");
  const auto slot = NewSlot(doctor.id, At(0), 30min);
  auto book = [&](Id patient_id) {
    return InTransaction(store(), TxMode::kWrite, [&](Transaction& tx) {
      return tx.appointments().Create(
          {.slot_id = slot.id, .doctor_id = doctor.id, .patient_id = patient_id});
    });
  };
  auto first = book(patient.id);
  ASSERT_TRUE(first);
  auto second = book(other.id);
  ASSERT_THAT(second, StatusIs(ErrorCode::kAlreadyExists));

  ASSERT_TRUE(InTransaction(store(), TxMode::kWrite, [&](Transaction& tx) -> Status {
    return tx.appointments().SetStatus(first->id, domain::AppointmentStatus::kCancelled);
  }));
  auto rebooked = book(other.id);
  ASSERT_THAT(rebooked, IsOk());
  auto active = InTransaction(store(), TxMode::kRead, [&](Transaction& tx) {
    return tx.appointments().FindActiveBySlot(slot.id);
  });
  ASSERT_TRUE(active && *active);
  EXPECT_EQ((*active)->id, rebooked->id);
}

TEST_P(StoreContractTest, ConcurrentBookingsOfOneSlotLeaveExactlyOneActive) {
  const auto doctor = NewDoctor(std::nullopt, "d@clinic.example");
  const auto slot = NewSlot(doctor.id, At(0), 30min);
  std::vector<domain::Patient> patients;
  for (int i = 0; i < 8; ++i) patients.push_back(NewPatient(fmt::format("p{}@example.com", i)));
  std::atomic<int> booked{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> racers;
  for (const auto& patient : patients) {
    racers.emplace_back([&, patient_id = patient.id] {
      auto outcome = InTransaction(store(), TxMode::kWrite, [&](Transaction& tx) {
        return tx.appointments().Create(
            {.slot_id = slot.id, .doctor_id = doctor.id, .patient_id = patient_id});
      });
      if (outcome) {
        ++booked;
      } else if (outcome.error().code == ErrorCode::kAlreadyExists) {
        ++refused;
      }
    });
  }
  for (auto& t : racers) t.join();
  EXPECT_EQ(booked.load(), 1);
  EXPECT_EQ(refused.load(), 7);
  auto rows =
      raw().Query("SELECT COUNT(*) FROM appointments WHERE slot_id = ? AND status <> 'cancelled'",
                  {storage::sql::Value{slot.id}});
  ASSERT_TRUE(rows);
  EXPECT_EQ(rows->at(0).Int(0), 1);
}

TEST_P(StoreContractTest, AFailedTransactionLeavesNoTrace) {
  auto outcome = store().Run(TxMode::kWrite, [&](Transaction& tx) -> Status {
    domain::Location location;
    location.name = "Ghost";
    location.address_line1 = "nowhere";
    location.city = "x";
    location.country = "y";
    CLINIC_TRY_STATUS(tx.locations().Create(location));
    return Fail(Error::FailedPrecondition("changed my mind"));
  });
  ASSERT_FALSE(outcome);
  auto rows = raw().Query("SELECT COUNT(*) FROM clinic_locations");
  EXPECT_EQ(rows->at(0).Int(0), 0);
}

TEST_P(StoreContractTest, AnAbortedTransactionRunsAgainAndTheRetryIsCounted) {
  const auto conflicts_before = [&] {
    for (const auto& retries : store().retries()) {
      if (retries.reason == "conflict") return retries.count;
    }
    return std::uint64_t{0};
  };
  const std::uint64_t before = conflicts_before();
  int attempts = 0;
  auto outcome = store().Run(TxMode::kWrite, [&](Transaction& tx) -> Status {
    domain::Location location;
    location.name = fmt::format("Attempt {}", ++attempts);
    location.address_line1 = "1 Main St";
    location.city = "x";
    location.country = "y";
    CLINIC_TRY_STATUS(tx.locations().Create(location));
    if (attempts == 1) return Fail(Error::Aborted("lost a race"));
    return Ok();
  });
  ASSERT_THAT(outcome, IsOk());
  EXPECT_EQ(attempts, 2);
  auto rows = raw().Query("SELECT name FROM clinic_locations");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->at(0).Text(0), "Attempt 2");
  EXPECT_EQ(conflicts_before(), before + 1);
}

TEST_P(StoreContractTest, PaymentsAreUniqueByTransactionRef) {
  const auto doctor = NewDoctor(std::nullopt, "d@clinic.example");
  const auto patient = NewPatient("p@example.com");
  const auto slot = NewSlot(doctor.id, At(0), 30min);
  auto appointment = InTransaction(store(), TxMode::kWrite, [&](Transaction& tx) {
    return tx.appointments().Create(
        {.slot_id = slot.id, .doctor_id = doctor.id, .patient_id = patient.id});
  });
  ASSERT_TRUE(appointment);
  domain::Payment payment;
  payment.appointment_id = appointment->id;
  payment.amount_cents = 12345;
  payment.currency = "SGD";
  payment.method = domain::PaymentMethod::kCard;
  payment.status = domain::PaymentStatus::kPaid;
  payment.transaction_ref = "txn-1";
  payment.paid_at = At(30);
  auto pay = [&] {
    return InTransaction(store(), TxMode::kWrite,
                         [&](Transaction& tx) { return tx.payments().Create(payment); });
  };
  auto first = pay();
  ASSERT_THAT(first, IsOk());
  EXPECT_EQ(first->amount_cents, 12345);
  EXPECT_EQ(first->method, domain::PaymentMethod::kCard);
  EXPECT_EQ(first->paid_at, At(30));
  auto second = pay();
  ASSERT_THAT(second, StatusIs(ErrorCode::kAlreadyExists));
  auto found = InTransaction(store(), TxMode::kRead, [&](Transaction& tx) {
    return tx.payments().FindByTransactionRef("txn-1");
  });
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->id, first->id);
}

TEST_P(StoreContractTest, PrescriptionsListPerPatient) {
  const auto doctor = NewDoctor(std::nullopt, "d@clinic.example");
  const auto patient = NewPatient("p@example.com");
  const auto slot = NewSlot(doctor.id, At(0), 30min);
  auto appointment = InTransaction(store(), TxMode::kWrite, [&](Transaction& tx) {
    return tx.appointments().Create(
        {.slot_id = slot.id, .doctor_id = doctor.id, .patient_id = patient.id});
  });
  ASSERT_TRUE(appointment);
  const std::string instructions(5000, 'x');
  auto created = InTransaction(store(), TxMode::kWrite, [&](Transaction& tx) {
    return tx.prescriptions().Create({.appointment_id = appointment->id,
                                      .doctor_id = doctor.id,
                                      .patient_id = patient.id,
                                      .instructions = instructions,
                                      .issued_at = At(25)});
  });
  ASSERT_THAT(created, IsOk());
  auto listed = InTransaction(store(), TxMode::kRead, [&](Transaction& tx) {
    return tx.prescriptions().ListForPatient(patient.id);
  });
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().prescription.instructions, instructions);
  EXPECT_EQ(listed->front().prescription.issued_at, At(25));
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(StoreContractTest);

}  // namespace
}  // namespace clinic::testing
