// Sliding session expiry written back together (service::SessionTouches), on SQLite and MariaDB:
// the newest use of each session is stored, in one transaction, and a session removed meanwhile
// does not stop the others from being stored.

#include "clinic/service/session_touches.hpp"

#include <gmock/gmock.h>

#include <chrono>
#include <thread>

#include "support/matchers.hpp"
#include "support/store_fixture.hpp"

namespace clinic::testing {
namespace {

using namespace std::chrono_literals;
using storage::InTransaction;
using storage::Transaction;
using storage::TxMode;

class SessionTouchesTest : public StoreTest {
 protected:
  Id NewSession(char token_hash_fill) {
    domain::Session session;
    session.token_hash = std::string(64, token_hash_fill);
    session.role = domain::Role::kPatient;
    session.user_id = 1;
    session.last_seen_at = At(0);
    session.expires_at = At(60);
    auto created = InTransaction(store(), TxMode::kWrite,
                                 [&](Transaction& tx) { return tx.sessions().Create(session); });
    EXPECT_THAT(created, IsOk());
    return created ? created->id : 0;
  }

  domain::Session Stored(char token_hash_fill) {
    auto found = InTransaction(store(), TxMode::kRead, [&](Transaction& tx) {
      return tx.sessions().FindByTokenHash(std::string(64, token_hash_fill));
    });
    EXPECT_THAT(found, IsOk());
    return found && *found ? **found : domain::Session{};
  }
};

TEST_P(SessionTouchesTest, TheNewestUseOfEachSessionIsStoredAtTheFlush) {
  const Id first = NewSession('a');
  const Id second = NewSession('b');
  service::SessionTouches touches(store(), 1h);
  touches.Note(first, At(5), At(65));
  touches.Note(first, At(9), At(69));
  touches.Note(first, At(7), At(67));
  touches.Note(second, At(3), At(63));
  EXPECT_EQ(Stored('a').last_seen_at, At(0)) << "nothing is written before the flush";

  ASSERT_THAT(touches.Flush(), IsOk());
  EXPECT_EQ(Stored('a').last_seen_at, At(9));
  EXPECT_EQ(Stored('a').expires_at, At(69));
  EXPECT_EQ(Stored('b').last_seen_at, At(3));
  EXPECT_EQ(Stored('b').expires_at, At(63));
  ASSERT_THAT(touches.Flush(), IsOk()) << "nothing left to write";
}

TEST_P(SessionTouchesTest, ASessionRemovedMeanwhileDoesNotKeepTheOthersFromBeingStored) {
  const Id kept = NewSession('a');
  const Id removed = NewSession('b');
  service::SessionTouches touches(store(), 1h);
  touches.Note(removed, At(5), At(65));
  touches.Note(kept, At(5), At(65));
  ASSERT_THAT(raw().Execute("DELETE FROM sessions WHERE id = ?", {removed}), IsOk());

  ASSERT_THAT(touches.Flush(), IsOk());
  EXPECT_EQ(Stored('a').last_seen_at, At(5));
}

TEST_P(SessionTouchesTest, UsesAreStoredEveryPeriodAndAtShutdown) {
  const Id periodic = NewSession('a');
  const Id last = NewSession('b');
  {
    service::SessionTouches touches(store(), 20ms);
    touches.Note(periodic, At(5), At(65));
    for (int attempt = 0; attempt < 500 && Stored('a').last_seen_at != At(5); ++attempt) {
      std::this_thread::sleep_for(10ms);
    }
    EXPECT_EQ(Stored('a').last_seen_at, At(5)) << "stored by the periodic flush";
    touches.Note(last, At(8), At(68));
  }
  EXPECT_EQ(Stored('b').last_seen_at, At(8)) << "stored when the owner shuts down";
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(SessionTouchesTest);

}  // namespace
}  // namespace clinic::testing
