// The storage contract of accounts and access control: sessions, throttle counters and known
// login addresses, the doctor-to-patient relation. Runs on SQLite and on MariaDB.

#include <gmock/gmock.h>

#include <atomic>
#include <thread>

#include "support/matchers.hpp"
#include "support/store_fixture.hpp"

namespace clinic::testing {
namespace {

using namespace std::chrono_literals;
using domain::Role;
using storage::InTransaction;
using storage::ThrottleSubject;
using storage::Transaction;
using storage::TxMode;
using ::testing::ElementsAre;

class AccountsStoreContractTest : public StoreTest {
 protected:
  // A session row as a login would create it; `token_hash` is any 64 characters.
  domain::Session NewSession(char token_hash_fill, Role role, Id user_id) {
    domain::Session session;
    session.token_hash = std::string(64, token_hash_fill);
    session.role = role;
    session.user_id = user_id;
    session.last_seen_at = At(0);
    session.expires_at = At(60);
    session.client_addr = "203.0.113.7";
    auto created = InTransaction(store(), TxMode::kWrite,
                                 [&](Transaction& tx) { return tx.sessions().Create(session); });
    EXPECT_THAT(created, IsOk());
    return created.value_or(domain::Session{});
  }

  std::optional<domain::Session> FindSession(char token_hash_fill) {
    auto found = InTransaction(store(), TxMode::kRead, [&](Transaction& tx) {
      return tx.sessions().FindByTokenHash(std::string(64, token_hash_fill));
    });
    EXPECT_THAT(found, IsOk());
    return found.value_or(std::nullopt);
  }

  std::optional<Instant> RevokedAt(char token_hash_fill) {
    const auto found = FindSession(token_hash_fill);
    if (!found) {
      ADD_FAILURE() << "no session with token hash " << token_hash_fill;
      return std::nullopt;
    }
    return found->revoked_at;
  }

  domain::Appointment Book(const domain::Slot& slot, Id patient_id) {
    domain::Appointment appointment;
    appointment.slot_id = slot.id;
    appointment.doctor_id = slot.doctor_id;
    appointment.patient_id = patient_id;
    auto created = InTransaction(store(), TxMode::kWrite, [&](Transaction& tx) {
      return tx.appointments().Create(appointment);
    });
    EXPECT_THAT(created, IsOk());
    return created.value_or(domain::Appointment{});
  }

  std::vector<Id> PatientIds(const storage::PersonFilter& filter) {
    auto listed = InTransaction(store(), TxMode::kRead, [&](Transaction& tx) {
      return tx.patients().List(filter, domain::PageRequest{});
    });
    EXPECT_THAT(listed, IsOk());
    std::vector<Id> ids;
    if (listed) {
      for (const auto& patient : listed->items) ids.push_back(patient.id);
    }
    return ids;
  }

  domain::ThrottleCounter Lock(ThrottleSubject kind, const std::string& subject, Instant now) {
    auto counter = InTransaction(store(), TxMode::kWrite, [&](Transaction& tx) {
      return tx.auth_throttle().Lock(kind, subject, now);
    });
    EXPECT_THAT(counter, IsOk());
    return counter.value_or(domain::ThrottleCounter{});
  }

  void Save(ThrottleSubject kind, const std::string& subject,
            const domain::ThrottleCounter& counter, Instant now) {
    auto saved = store().Run(TxMode::kWrite, [&](Transaction& tx) -> Status {
      CLINIC_TRY_STATUS(tx.auth_throttle().Lock(kind, subject, now));
      return tx.auth_throttle().Save(kind, subject, counter, now);
    });
    EXPECT_THAT(saved, IsOk());
  }

  bool IsKnown(const std::string& account, const std::string& address, Instant since) {
    auto known = InTransaction(store(), TxMode::kRead, [&](Transaction& tx) {
      return tx.auth_throttle().IsKnownAddress(account, address, since);
    });
    EXPECT_THAT(known, IsOk());
    return known.value_or(false);
  }
};

TEST_P(AccountsStoreContractTest, SessionRoundTripsAndIsFoundByTokenHash) {
  const auto created = NewSession('a', Role::kDoctor, 42);
  EXPECT_GT(created.id, 0);
  EXPECT_GT(created.created_at.time_since_epoch().count(), 0);

  const auto found = FindSession('a');
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, created.id);
  EXPECT_EQ(found->token_hash, std::string(64, 'a'));
  EXPECT_EQ(found->role, Role::kDoctor);
  EXPECT_EQ(found->user_id, 42);
  EXPECT_EQ(found->last_seen_at, At(0));
  EXPECT_EQ(found->expires_at, At(60));
  EXPECT_EQ(found->revoked_at, std::nullopt);
  EXPECT_EQ(found->client_addr, "203.0.113.7");

  EXPECT_EQ(FindSession('b'), std::nullopt);
}

TEST_P(AccountsStoreContractTest, ASessionIsFoundWithItsAccountsStanding) {
  const auto patient = NewPatient("here@example.com");
  const auto gone = NewPatient("gone@example.com");
  const auto doctor = NewDoctor(std::nullopt, "active@clinic.example");
  const auto resting = NewDoctor(std::nullopt, "resting@clinic.example");
  domain::Admin admin;
  admin.username = "frontdesk";
  admin.email = "desk@clinic.example";
  admin.password_hash = "hash";
  const auto desk = InTransaction(store(), TxMode::kWrite,
                                  [&](Transaction& tx) { return tx.admins().Create(admin); });
  ASSERT_THAT(desk, IsOk());
  ASSERT_THAT(raw().Execute("UPDATE patients SET deleted_at = created_at WHERE id = ?", {gone.id}),
              IsOk());
  ASSERT_THAT(raw().Execute("UPDATE doctors SET is_active = 0 WHERE id = ?", {resting.id}), IsOk());
  NewSession('p', Role::kPatient, patient.id);
  NewSession('g', Role::kPatient, gone.id);
  NewSession('d', Role::kDoctor, doctor.id);
  NewSession('r', Role::kDoctor, resting.id);
  NewSession('a', Role::kAdmin, desk->id);
  NewSession('x', Role::kAdmin, patient.id + doctor.id + desk->id + 100);
  NewSession('y', Role::kDoctor, patient.id);

  struct Expected {
    char token_hash_fill;
    Id user_id;
    bool exists;
    bool deleted;
    bool active;
  };
  for (const auto& expected : {
           Expected{'p', patient.id, true, false, true},
           Expected{'g', gone.id, true, true, true},
           Expected{'d', doctor.id, true, false, true},
           Expected{'r', resting.id, true, false, false},
           Expected{'a', desk->id, true, false, true},
           Expected{'x', patient.id + doctor.id + desk->id + 100, false, false, true},
       }) {
    const auto found = InTransaction(store(), TxMode::kSingleRead, [&](Transaction& tx) {
      return tx.sessions().FindWithAccountByTokenHash(std::string(64, expected.token_hash_fill));
    });
    ASSERT_THAT(found, IsOk());
    ASSERT_TRUE(found->has_value()) << expected.token_hash_fill;
    EXPECT_EQ((*found)->session.user_id, expected.user_id) << expected.token_hash_fill;
    EXPECT_EQ((*found)->account.exists, expected.exists) << expected.token_hash_fill;
    EXPECT_EQ((*found)->account.deleted, expected.deleted) << expected.token_hash_fill;
    EXPECT_EQ((*found)->account.active, expected.active) << expected.token_hash_fill;
  }
  const auto as_another_role = InTransaction(store(), TxMode::kSingleRead, [&](Transaction& tx) {
    return tx.sessions().FindWithAccountByTokenHash(std::string(64, 'y'));
  });
  ASSERT_THAT(as_another_role, IsOk());
  ASSERT_TRUE(as_another_role->has_value());
  EXPECT_EQ((*as_another_role)->account.exists, patient.id == doctor.id)
      << "the account is looked up in the table of the session's role";
  const auto unknown = InTransaction(store(), TxMode::kSingleRead, [&](Transaction& tx) {
    return tx.sessions().FindWithAccountByTokenHash(std::string(64, 'z'));
  });
  ASSERT_THAT(unknown, IsOk());
  EXPECT_FALSE(unknown->has_value());
}

TEST_P(AccountsStoreContractTest, TokenHashesAreUnique) {
  NewSession('a', Role::kPatient, 1);
  domain::Session again;
  again.token_hash = std::string(64, 'a');
  again.user_id = 2;
  auto created = InTransaction(store(), TxMode::kWrite,
                               [&](Transaction& tx) { return tx.sessions().Create(again); });
  ASSERT_THAT(created, StatusIs(ErrorCode::kAlreadyExists));
}

TEST_P(AccountsStoreContractTest, TouchSlidesLastSeenAndExpiry) {
  const auto session = NewSession('a', Role::kPatient, 1);
  auto touched = store().Run(TxMode::kWrite, [&](Transaction& tx) {
    return tx.sessions().Touch(session.id, At(30), At(90));
  });
  ASSERT_THAT(touched, IsOk());
  const auto found = FindSession('a');
  ASSERT_TRUE(found);
  EXPECT_EQ(found->last_seen_at, At(30));
  EXPECT_EQ(found->expires_at, At(90));

  auto missing = store().Run(
      TxMode::kWrite, [&](Transaction& tx) { return tx.sessions().Touch(424242, At(30), At(90)); });
  ASSERT_THAT(missing, StatusIs(ErrorCode::kNotFound));
}

TEST_P(AccountsStoreContractTest, RevokeKeepsTheFirstRevocationTime) {
  const auto session = NewSession('a', Role::kPatient, 1);
  for (const int minute : {10, 20}) {
    auto revoked = store().Run(TxMode::kWrite, [&](Transaction& tx) {
      return tx.sessions().Revoke(session.id, At(minute));
    });
    ASSERT_THAT(revoked, IsOk());
  }
  EXPECT_EQ(RevokedAt('a'), At(10));

  auto missing = store().Run(TxMode::kWrite,
                             [&](Transaction& tx) { return tx.sessions().Revoke(424242, At(10)); });
  ASSERT_THAT(missing, StatusIs(ErrorCode::kNotFound));
}

TEST_P(AccountsStoreContractTest, RevokeAllForUserRevokesOnlyThatAccountsOpenSessions) {
  NewSession('a', Role::kPatient, 7);
  NewSession('b', Role::kPatient, 7);
  const auto earlier = NewSession('c', Role::kPatient, 7);
  NewSession('d', Role::kPatient, 8);  // another patient
  NewSession('e', Role::kDoctor, 7);   // the same id in another role is another account
  ASSERT_TRUE(store().Run(
      TxMode::kWrite, [&](Transaction& tx) { return tx.sessions().Revoke(earlier.id, At(5)); }));

  auto revoked = store().Run(TxMode::kWrite, [&](Transaction& tx) {
    return tx.sessions().RevokeAllForUser(Role::kPatient, 7, At(10));
  });
  ASSERT_THAT(revoked, IsOk());

  EXPECT_EQ(RevokedAt('a'), At(10));
  EXPECT_EQ(RevokedAt('b'), At(10));
  EXPECT_EQ(RevokedAt('c'), At(5));
  EXPECT_EQ(RevokedAt('d'), std::nullopt);
  EXPECT_EQ(RevokedAt('e'), std::nullopt);
}

TEST_P(AccountsStoreContractTest, PruningRemovesOnlySessionsThatExpiredBeforeTheCutOff) {
  NewSession('a', Role::kPatient, 1);  // expires at At(60)
  const auto revoked = NewSession('b', Role::kPatient, 1);
  ASSERT_TRUE(store().Run(
      TxMode::kWrite, [&](Transaction& tx) { return tx.sessions().Revoke(revoked.id, At(5)); }));
  const auto prune = [&](Instant before) {
    return InTransaction(store(), TxMode::kWrite,
                         [&](Transaction& tx) { return tx.sessions().PruneExpired(before); });
  };
  const auto early = prune(At(60));
  ASSERT_THAT(early, IsOk());
  EXPECT_EQ(*early, 0) << "not expired before the cut-off yet, revoked or not";
  EXPECT_TRUE(FindSession('a').has_value());
  const auto later = prune(At(61));
  ASSERT_THAT(later, IsOk());
  EXPECT_EQ(*later, 2);
  EXPECT_FALSE(FindSession('a').has_value());
  EXPECT_FALSE(FindSession('b').has_value());
}

TEST_P(AccountsStoreContractTest, PruningForgetsIdempotencyKeysRecordedBeforeTheCutOff) {
  const auto record = [&](const std::string& key, Instant at) {
    return store().Run(TxMode::kWrite, [&](Transaction& tx) {
      return tx.idempotency().Reserve({.actor_role = Role::kPatient,
                                       .actor_id = 7,
                                       .operation = "book",
                                       .key = key,
                                       .request_hash = std::string(64, 'f'),
                                       .created_at = at});
    });
  };
  ASSERT_TRUE(record("old", At(0)));
  ASSERT_TRUE(record("new", At(100)));
  auto pruned = InTransaction(store(), TxMode::kWrite,
                              [&](Transaction& tx) { return tx.idempotency().Prune(At(50)); });
  ASSERT_THAT(pruned, IsOk());
  EXPECT_EQ(*pruned, 1);
  const auto find = [&](const std::string& key) {
    return InTransaction(store(), TxMode::kRead, [&](Transaction& tx) {
      return tx.idempotency().Find(Role::kPatient, 7, "book", key);
    });
  };
  EXPECT_FALSE(find("old").value().has_value());
  EXPECT_TRUE(find("new").value().has_value());
  EXPECT_TRUE(record("old", At(120))) << "a forgotten key can be used again";
}

TEST_P(AccountsStoreContractTest, ThrottleCountersStartEmptyAndKeepWhatWasSavedPerSubject) {
  const std::string email = "ann@example.com";
  const auto fresh = Lock(ThrottleSubject::kAccount, email, At(0));
  EXPECT_EQ(fresh.attempts, 0);
  EXPECT_EQ(fresh.strikes, 0);
  EXPECT_EQ(fresh.window_started_at, At(0));
  EXPECT_EQ(fresh.blocked_until, std::nullopt);

  Save(ThrottleSubject::kAccount, email,
       {.attempts = 3, .window_started_at = At(1), .strikes = 2, .blocked_until = At(5)}, At(1));
  const auto saved = Lock(ThrottleSubject::kAccount, email, At(2));
  EXPECT_EQ(saved.attempts, 3);
  EXPECT_EQ(saved.window_started_at, At(1));
  EXPECT_EQ(saved.strikes, 2);
  EXPECT_EQ(saved.blocked_until, At(5));
  // Otherwise retyping an email in capitals would start a fresh allowance of guesses.
  EXPECT_EQ(Lock(ThrottleSubject::kAccount, "Ann@Example.com", At(2)).attempts, 3);
  EXPECT_EQ(Lock(ThrottleSubject::kAddress, email, At(2)).attempts, 0)
      << "the same text as another kind of subject is another counter";
  EXPECT_EQ(Lock(ThrottleSubject::kAccount, "bob@example.com", At(2)).attempts, 0);
}

TEST_P(AccountsStoreContractTest, ConcurrentReservationsOnOneCounterAdmitExactlyTheLimit) {
  // Each racer reads the counter, admits or refuses, and saves, in one transaction: the row lock
  // makes each see the count the one before left.
  const domain::ThrottleRule rule{.limit = 10};
  std::atomic<int> admitted{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < 40; ++i) {
    racers.emplace_back([&] {
      auto decision = InTransaction(
          store(), TxMode::kWrite, [&](Transaction& tx) -> Result<domain::ThrottleDecision> {
            CLINIC_ASSIGN_OR_RETURN(
                auto counter, tx.auth_throttle().Lock(ThrottleSubject::kAccount, "x@y.org", At(0)));
            const auto made = domain::AdmitAttempt(counter, rule, At(0));
            CLINIC_TRY_STATUS(
                tx.auth_throttle().Save(ThrottleSubject::kAccount, "x@y.org", counter, At(0)));
            return made;
          });
      ASSERT_THAT(decision, IsOk());
      ++(decision->admitted ? admitted : refused);
    });
  }
  for (auto& racer : racers) racer.join();
  EXPECT_EQ(admitted.load(), 10);
  EXPECT_EQ(refused.load(), 30);
}

TEST_P(AccountsStoreContractTest, KnownAddressesAndIdleCountersArePruned) {
  auto remember = [&](const std::string& address, Instant at) {
    auto remembered = store().Run(TxMode::kWrite, [&](Transaction& tx) {
      return tx.auth_throttle().RememberAddress("ann@example.com", address, at);
    });
    EXPECT_THAT(remembered, IsOk());
  };
  remember("198.51.100.4", At(0));
  remember("198.51.100.5", At(0));
  remember("198.51.100.5", At(20));  // a later success renews it
  EXPECT_TRUE(IsKnown("ANN@example.com", "198.51.100.4", At(0)));
  EXPECT_FALSE(IsKnown("ann@example.com", "198.51.100.4", At(1)));
  EXPECT_FALSE(IsKnown("bob@example.com", "198.51.100.5", At(0)));
  EXPECT_TRUE(IsKnown("ann@example.com", "198.51.100.5", At(20)));

  Save(ThrottleSubject::kAddress, "198.51.100.4", {.attempts = 1, .window_started_at = At(0)},
       At(0));
  Save(ThrottleSubject::kAddress, "198.51.100.6", {.attempts = 1, .window_started_at = At(30)},
       At(30));
  Save(ThrottleSubject::kAccount, "blocked@example.com",
       {.attempts = 0, .window_started_at = At(0), .strikes = 1, .blocked_until = At(60)}, At(0));
  auto pruned = InTransaction(store(), TxMode::kWrite, [&](Transaction& tx) {
    return tx.auth_throttle().Prune(/*idle_before=*/At(10), /*known_before=*/At(10));
  });
  ASSERT_THAT(pruned, IsOk());
  EXPECT_EQ(*pruned, 2) << "the idle counter and the address not used since minute 0";
  EXPECT_FALSE(IsKnown("ann@example.com", "198.51.100.4", At(-60)));
  EXPECT_TRUE(IsKnown("ann@example.com", "198.51.100.5", At(-60)));
  EXPECT_EQ(Lock(ThrottleSubject::kAddress, "198.51.100.6", At(31)).attempts, 1);
  EXPECT_EQ(Lock(ThrottleSubject::kAccount, "blocked@example.com", At(31)).strikes, 1)
      << "a counter still blocking is kept";
  EXPECT_EQ(Lock(ThrottleSubject::kAddress, "198.51.100.4", At(31)).attempts, 0);
}

TEST_P(AccountsStoreContractTest, PatientsListWithDoctorIdKeepsThatDoctorsPatientsOnly) {
  const auto doctor = NewDoctor(std::nullopt, "doc@example.com");
  const auto other_doctor = NewDoctor(std::nullopt, "other@example.com");
  const auto booked = NewPatient("booked@example.com");
  const auto cancelled = NewPatient("cancelled@example.com");
  const auto elsewhere = NewPatient("elsewhere@example.com");
  const auto twice = NewPatient("twice@example.com");
  NewPatient("never@example.com");

  Book(NewSlot(doctor.id, At(0), 30min), booked.id);
  const auto cancelled_visit = Book(NewSlot(doctor.id, At(30), 30min), cancelled.id);
  ASSERT_TRUE(store().Run(TxMode::kWrite, [&](Transaction& tx) {
    return tx.appointments().SetStatus(cancelled_visit.id, domain::AppointmentStatus::kCancelled);
  }));
  Book(NewSlot(other_doctor.id, At(0), 30min), elsewhere.id);
  Book(NewSlot(doctor.id, At(60), 30min), twice.id);
  Book(NewSlot(doctor.id, At(90), 30min), twice.id);

  EXPECT_THAT(PatientIds({.with_doctor_id = doctor.id}),
              ElementsAre(booked.id, cancelled.id, twice.id));
  EXPECT_THAT(PatientIds({.with_doctor_id = other_doctor.id}), ElementsAre(elsewhere.id));
  EXPECT_THAT(PatientIds({.q = "cancel", .with_doctor_id = doctor.id}), ElementsAre(cancelled.id));

  ASSERT_TRUE(store().Run(TxMode::kWrite, [&](Transaction& tx) {
    return tx.patients().SetDeletedAt(booked.id, At(0));
  }));
  EXPECT_THAT(PatientIds({.with_doctor_id = doctor.id}), ElementsAre(cancelled.id, twice.id));
  EXPECT_THAT(PatientIds({.include_deleted = true, .with_doctor_id = doctor.id}),
              ElementsAre(booked.id, cancelled.id, twice.id));
}

TEST_P(AccountsStoreContractTest, ExistsBetweenCountsAppointmentsOfAnyStatus) {
  const auto doctor = NewDoctor(std::nullopt, "doc@example.com");
  const auto other_doctor = NewDoctor(std::nullopt, "other@example.com");
  const auto patient = NewPatient("pat@example.com");
  const auto stranger = NewPatient("stranger@example.com");
  const auto visit = Book(NewSlot(doctor.id, At(0), 30min), patient.id);

  const auto exists = [&](Id doctor_id, Id patient_id) {
    auto answer = InTransaction(store(), TxMode::kRead, [&](Transaction& tx) {
      return tx.appointments().ExistsBetween(doctor_id, patient_id);
    });
    EXPECT_THAT(answer, IsOk());
    return answer.value_or(false);
  };
  EXPECT_TRUE(exists(doctor.id, patient.id));
  EXPECT_FALSE(exists(doctor.id, stranger.id));
  EXPECT_FALSE(exists(other_doctor.id, patient.id));

  ASSERT_TRUE(store().Run(TxMode::kWrite, [&](Transaction& tx) {
    return tx.appointments().SetStatus(visit.id, domain::AppointmentStatus::kCancelled);
  }));
  EXPECT_TRUE(exists(doctor.id, patient.id));
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(AccountsStoreContractTest);

}  // namespace
}  // namespace clinic::testing
