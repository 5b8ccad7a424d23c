// The audit trail: rows chain to each other, concurrent writers form intact chains of their own, a
// rolled back action leaves no row, verification names the first row that was altered, moved or
// removed, and a trail written as one chain before migration 0009 still verifies after it (and
// after 0015). Connections of two stores (two instances) lease chains of their own.
// Runs on SQLite and on MariaDB.

#include "clinic/service/audit_trail.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "clinic/common/crypto.hpp"
#include "clinic/common/time.hpp"
#include "clinic/domain/audit.hpp"
#include "clinic/storage/sql/migrator.hpp"
#include "clinic/storage/sql/sql_store.hpp"
#include "support/matchers.hpp"
#include "support/store_fixture.hpp"

namespace clinic::testing {
namespace {

using domain::Role;
using service::Audit;
using service::VerifyAuditChain;
using storage::InTransaction;
using storage::Transaction;
using storage::TxMode;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class AuditTrailTest : public StoreTest {
 protected:
  void SetUp() override {
    InitCrypto();
    StoreTest::SetUp();
  }

  // Appends one row per entity id, each in its own transaction, and returns the stored rows.
  std::vector<domain::AuditEntry> AppendRows(int count) {
    for (int i = 0; i < count; ++i) {
      auto appended = store().Run(TxMode::kWrite, [&](Transaction& tx) {
        return Audit(tx, clock_, context_, "patient.read", "patient", i + 1,
                     fmt::format("{{\"n\":{}}}", i));
      });
      EXPECT_THAT(appended, IsOk());
    }
    return AllRows();
  }

  std::vector<domain::AuditEntry> AllRows() { return Rows(storage::AuditFilter{}); }

  std::vector<domain::AuditEntry> Rows(const storage::AuditFilter& filter) {
    std::vector<domain::AuditEntry> rows;
    domain::PageRequest page{.limit = 7, .after_id = std::nullopt};
    for (;;) {
      auto listed = InTransaction(store(), TxMode::kRead,
                                  [&](Transaction& tx) { return tx.audit().List(filter, page); });
      EXPECT_THAT(listed, IsOk());
      if (!listed) return rows;
      rows.insert(rows.end(), listed->items.begin(), listed->items.end());
      if (!listed->next_after_id) return rows;
      page.after_id = listed->next_after_id;
    }
  }

  std::vector<storage::AuditChainHead> Heads() {
    auto heads =
        InTransaction(store(), TxMode::kRead, [&](Transaction& tx) { return tx.audit().Heads(); });
    EXPECT_THAT(heads, IsOk());
    return heads.value_or(std::vector<storage::AuditChainHead>{});
  }

  std::string HeadHash(int chain) {
    for (const auto& head : Heads()) {
      if (head.chain == chain) return head.last_hash;
    }
    ADD_FAILURE() << "no chain " << chain;
    return "";
  }

  service::AuditVerification Verify() {
    auto verification = VerifyAuditChain(store());
    EXPECT_THAT(verification, IsOk());
    return verification.value_or(service::AuditVerification{});
  }

  // Tampering needs the append-only triggers out of the way, as an attacker with DDL rights would.
  void DropAppendOnlyTriggers() {
    auto dropped = raw().ExecuteScript(
        "DROP TRIGGER IF EXISTS trg_audit_log_no_update;\n"
        "DROP TRIGGER IF EXISTS trg_audit_log_no_delete;\n");
    ASSERT_THAT(dropped, IsOk());
  }

  void RawExecute(const std::string& sql, Id id) {
    auto done = raw().Execute(sql, {storage::sql::Value{id}});
    ASSERT_THAT(done, IsOk());
    EXPECT_EQ(done->affected_rows, 1) << sql;
  }

  ManualClock clock_{At(0)};
  domain::RequestContext context_{
      .actor = {.role = Role::kAdmin, .id = 3}, .client_addr = "192.0.2.1", .request_id = "r-1"};
};

TEST_P(AuditTrailTest, AnEmptyTrailIsIntact) {
  const auto verification = Verify();
  EXPECT_EQ(verification.rows, 0);
  EXPECT_EQ(verification.chains, domain::kAuditChains);
  EXPECT_EQ(verification.first_broken_id, std::nullopt) << verification.problem;
  const auto heads = Heads();
  ASSERT_EQ(heads.size(), static_cast<std::size_t>(domain::kAuditChains));
  for (const auto& head : heads) {
    EXPECT_EQ(head.last_hash, domain::kAuditGenesisHash);
    EXPECT_EQ(head.last_seq, 0);
  }
}

TEST_P(AuditTrailTest, AppendedRowsChainToEachOther) {
  // One after another, so on one connection and so one chain.
  const auto rows = AppendRows(3);
  ASSERT_EQ(rows.size(), 3u);
  std::string previous_hash(domain::kAuditGenesisHash);
  std::int64_t position = 0;
  for (const auto& row : rows) {
    EXPECT_EQ(row.chain, rows.front().chain);
    EXPECT_EQ(row.chain_seq, ++position);
    EXPECT_EQ(row.prev_hash, previous_hash);
    EXPECT_EQ(row.hash, domain::AuditChainHash(row, row.prev_hash));
    previous_hash = row.hash;
  }
  EXPECT_EQ(HeadHash(rows.back().chain), rows.back().hash);

  const auto verification = Verify();
  EXPECT_EQ(verification.rows, 3);
  EXPECT_EQ(verification.first_broken_id, std::nullopt) << verification.problem;
}

TEST_P(AuditTrailTest, ARowRecordsItsContext) {
  clock_.Set(At(5));
  auto appended = store().Run(TxMode::kWrite, [&](Transaction& tx) {
    return Audit(tx, clock_, context_, "patient.update", "patient", 9, "{\"field\":\"phone\"}");
  });
  ASSERT_THAT(appended, IsOk());
  const domain::RequestContext server{};
  appended = store().Run(TxMode::kWrite, [&](Transaction& tx) {
    return Audit(tx, clock_, server, "session.prune", "session", std::nullopt);
  });
  ASSERT_THAT(appended, IsOk());

  const auto rows = AllRows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].occurred_at, At(5));
  EXPECT_EQ(rows[0].actor_role, Role::kAdmin);
  EXPECT_EQ(rows[0].actor_id, 3);
  EXPECT_EQ(rows[0].action, "patient.update");
  EXPECT_EQ(rows[0].entity, "patient");
  EXPECT_EQ(rows[0].entity_id, 9);
  EXPECT_EQ(rows[0].client_addr, "192.0.2.1");
  EXPECT_EQ(rows[0].request_id, "r-1");
  EXPECT_EQ(rows[0].details, "{\"field\":\"phone\"}");
  EXPECT_EQ(rows[1].actor_role, Role::kSystem);
  EXPECT_EQ(rows[1].actor_id, std::nullopt);
  EXPECT_EQ(rows[1].entity_id, std::nullopt);
  EXPECT_EQ(rows[1].client_addr, std::nullopt);
  EXPECT_EQ(rows[1].details, std::nullopt);
}

TEST_P(AuditTrailTest, OversizedContextIsCutToFitOnACharacterBoundary) {
  context_.client_addr = std::string(100, 'a');
  // 63 ASCII bytes then a two-byte character: cutting at 64 bytes would split it.
  context_.request_id = std::string(63, 'r') + "\xC3\xA9" + "tail";
  auto appended = store().Run(TxMode::kWrite, [&](Transaction& tx) {
    return Audit(tx, clock_, context_, "auth.login.failure", "account", std::nullopt);
  });
  ASSERT_THAT(appended, IsOk());
  const auto rows = AllRows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].client_addr, std::string(64, 'a'));
  EXPECT_EQ(rows[0].request_id, std::string(63, 'r'));
}

TEST_P(AuditTrailTest, ListFiltersAndPagesById) {
  const domain::RequestContext doctor{.actor = {.role = Role::kDoctor, .id = 5}};
  struct Action {
    domain::RequestContext who;
    int minute;
    std::string action;
    std::string entity;
    Id entity_id;
  };
  const std::vector<Action> actions{
      {context_, 0, "patient.read", "patient", 1}, {doctor, 1, "patient.read", "patient", 1},
      {doctor, 2, "patient.update", "patient", 1}, {context_, 3, "doctor.update", "doctor", 5},
      {context_, 4, "patient.read", "patient", 2},
  };
  for (const auto& action : actions) {
    clock_.Set(At(action.minute));
    ASSERT_TRUE(store().Run(TxMode::kWrite, [&](Transaction& tx) {
      return Audit(tx, clock_, action.who, action.action, action.entity, action.entity_id);
    }));
  }
  const auto ids = [&](const storage::AuditFilter& filter) {
    std::vector<Id> out;
    for (const auto& row : Rows(filter)) out.push_back(row.id);
    return out;
  };
  const auto all = ids({});
  ASSERT_EQ(all.size(), 5u);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_THAT(ids({.actor_role = Role::kDoctor}), ElementsAre(all[1], all[2]));
  EXPECT_THAT(ids({.actor_role = Role::kAdmin, .actor_id = 3}),
              ElementsAre(all[0], all[3], all[4]));
  EXPECT_THAT(ids({.entity = "patient", .entity_id = 1}), ElementsAre(all[0], all[1], all[2]));
  EXPECT_THAT(ids({.action = "patient.read"}), ElementsAre(all[0], all[1], all[4]));
  EXPECT_THAT(ids({.from = At(1), .to = At(3)}), ElementsAre(all[1], all[2]));

  auto first_page = InTransaction(store(), TxMode::kRead, [&](Transaction& tx) {
    return tx.audit().List({}, domain::PageRequest{.limit = 2, .after_id = std::nullopt});
  });
  ASSERT_TRUE(first_page);
  EXPECT_EQ(first_page->items.size(), 2u);
  EXPECT_EQ(first_page->next_after_id, all[1]);
}

TEST_P(AuditTrailTest, ConcurrentWritersFormIntactChains) {
  constexpr int kThreads = 8;
  constexpr int kRowsPerThread = 25;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const domain::RequestContext context{.actor = {.role = Role::kPatient, .id = t + 1}};
      for (int i = 0; i < kRowsPerThread; ++i) {
        auto appended = store().Run(TxMode::kWrite, [&](Transaction& tx) {
          return Audit(tx, clock_, context, "appointment.book", "appointment", i + 1);
        });
        if (!appended) {
          ++failures;
          ADD_FAILURE() << appended.error().message;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(failures.load(), 0);

  const auto verification = Verify();
  EXPECT_EQ(verification.rows, kThreads * kRowsPerThread);
  EXPECT_EQ(verification.first_broken_id, std::nullopt) << verification.problem;
  // No two rows chained to the same parent: each head lock admitted one writer at a time.
  std::set<std::pair<int, std::string>> parents;
  std::set<int> chains;
  for (const auto& row : AllRows()) {
    parents.emplace(row.chain, row.prev_hash);
    chains.insert(row.chain);
  }
  EXPECT_EQ(parents.size(), static_cast<std::size_t>(kThreads * kRowsPerThread));
  // Writers on their own connections wrote to chains of their own rather than queueing on one.
  EXPECT_GT(chains.size(), 1u);
}

TEST_P(AuditTrailTest, ARolledBackActionLeavesNoAuditRow) {
  const auto before = AppendRows(2);
  auto rolled_back = store().Run(TxMode::kWrite, [&](Transaction& tx) -> Status {
    CLINIC_TRY_STATUS(Audit(tx, clock_, context_, "patient.delete", "patient", 1));
    return Fail(Error::FailedPrecondition("the action failed after it was audited"));
  });
  ASSERT_FALSE(rolled_back);
  EXPECT_EQ(AllRows().size(), before.size());
  EXPECT_EQ(HeadHash(before.back().chain), before.back().hash);

  const auto after = AppendRows(1);
  ASSERT_EQ(after.size(), 3u);
  EXPECT_EQ(after.back().prev_hash, before.back().hash);
  const auto verification = Verify();
  EXPECT_EQ(verification.rows, 3);
  EXPECT_EQ(verification.first_broken_id, std::nullopt) << verification.problem;
}

TEST_P(AuditTrailTest, TheDatabaseRefusesToChangeOrDeleteAuditRows) {
  const auto rows = AppendRows(1);
  ASSERT_EQ(rows.size(), 1u);
  const storage::sql::Value id{rows[0].id};
  EXPECT_FALSE(raw().Execute("UPDATE audit_log SET action = 'forged' WHERE id = ?", {id}));
  EXPECT_FALSE(raw().Execute("DELETE FROM audit_log WHERE id = ?", {id}));
  EXPECT_EQ(AllRows().size(), 1u);
}

TEST_P(AuditTrailTest, AnAlteredRowIsNamed) {
  const auto rows = AppendRows(5);
  ASSERT_EQ(rows.size(), 5u);
  DropAppendOnlyTriggers();
  RawExecute("UPDATE audit_log SET action = 'patient.forged' WHERE id = ?", rows[2].id);

  const auto verification = Verify();
  EXPECT_EQ(verification.rows, 5);
  EXPECT_EQ(verification.first_broken_id, rows[2].id);
  EXPECT_THAT(verification.problem, HasSubstr("content"));
}

TEST_P(AuditTrailTest, ARemovedMiddleRowNamesTheRowAfterIt) {
  const auto rows = AppendRows(5);
  ASSERT_EQ(rows.size(), 5u);
  DropAppendOnlyTriggers();
  RawExecute("DELETE FROM audit_log WHERE id = ?", rows[2].id);

  const auto verification = Verify();
  EXPECT_EQ(verification.rows, 4);
  EXPECT_EQ(verification.first_broken_id, rows[3].id);
  EXPECT_THAT(verification.problem, HasSubstr(fmt::format("row {}", rows[1].id)));
}

TEST_P(AuditTrailTest, ARemovedFirstRowNamesTheNewFirstRow) {
  const auto rows = AppendRows(3);
  ASSERT_EQ(rows.size(), 3u);
  DropAppendOnlyTriggers();
  RawExecute("DELETE FROM audit_log WHERE id = ?", rows[0].id);

  const auto verification = Verify();
  EXPECT_EQ(verification.rows, 2);
  EXPECT_EQ(verification.first_broken_id, rows[1].id);
  EXPECT_THAT(verification.problem, HasSubstr("first rows were removed"));
}

TEST_P(AuditTrailTest, ARemovedTailNamesTheLastRowLeft) {
  const auto rows = AppendRows(5);
  ASSERT_EQ(rows.size(), 5u);
  DropAppendOnlyTriggers();
  RawExecute("DELETE FROM audit_log WHERE id = ?", rows[4].id);

  const auto verification = Verify();
  EXPECT_EQ(verification.rows, 4);
  EXPECT_EQ(verification.first_broken_id, rows[3].id);
  EXPECT_THAT(verification.problem, HasSubstr("removed"));
}

TEST_P(AuditTrailTest, ARowMovedToAnotherChainIsNoticed) {
  const auto rows = AppendRows(3);
  ASSERT_EQ(rows.size(), 3u);
  DropAppendOnlyTriggers();
  const int elsewhere = rows[1].chain % domain::kAuditChains + 1;
  auto moved = raw().Execute(
      "UPDATE audit_log SET chain = ? WHERE id = ?",
      {storage::sql::Value{std::int64_t{elsewhere}}, storage::sql::Value{rows[1].id}});
  ASSERT_THAT(moved, IsOk());

  const auto verification = Verify();
  EXPECT_EQ(verification.rows, 3);
  EXPECT_EQ(verification.first_broken_id, rows[1].id);
}

TEST_P(AuditTrailTest, ARowInNoChainIsNoticed) {
  const auto rows = AppendRows(2);
  ASSERT_EQ(rows.size(), 2u);
  DropAppendOnlyTriggers();
  RawExecute("UPDATE audit_log SET chain = 99 WHERE id = ?", rows[1].id);

  const auto verification = Verify();
  EXPECT_EQ(verification.first_broken_id, rows[0].id) << verification.problem;
}

TEST_P(AuditTrailTest, ARemovedChainHeadIsNoticed) {
  const auto rows = AppendRows(2);
  ASSERT_EQ(rows.size(), 2u);
  RawExecute("DELETE FROM audit_chain_head WHERE id = ?", rows[0].chain);

  const auto verification = Verify();
  EXPECT_EQ(verification.chains, domain::kAuditChains - 1);
  EXPECT_EQ(verification.first_broken_id, rows[0].id) << verification.problem;
}

TEST_P(AuditTrailTest, RemovingEveryRowIsNoticed) {
  const auto rows = AppendRows(2);
  ASSERT_EQ(rows.size(), 2u);
  DropAppendOnlyTriggers();
  for (const auto& row : rows) RawExecute("DELETE FROM audit_log WHERE id = ?", row.id);

  const auto verification = Verify();
  EXPECT_EQ(verification.rows, 0);
  EXPECT_EQ(verification.first_broken_id, 0);
  EXPECT_THAT(verification.problem, HasSubstr("removed"));
}

TEST_P(AuditTrailTest, VerificationCarriesTheChainAcrossPages) {
  // More rows than one verification page (1000), appended in one transaction to keep it quick.
  constexpr int kRows = 1005;
  auto appended = store().Run(TxMode::kWrite, [&](Transaction& tx) -> Status {
    for (int i = 0; i < kRows; ++i) {
      CLINIC_TRY_STATUS(Audit(tx, clock_, context_, "patient.read", "patient", i + 1));
    }
    return Ok();
  });
  ASSERT_THAT(appended, IsOk());
  auto verification = Verify();
  EXPECT_EQ(verification.rows, kRows);
  EXPECT_EQ(verification.first_broken_id, std::nullopt) << verification.problem;

  const auto rows = AllRows();
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(kRows));
  DropAppendOnlyTriggers();
  RawExecute("UPDATE audit_log SET details = 'forged' WHERE id = ?", rows[1001].id);
  verification = Verify();
  EXPECT_EQ(verification.rows, kRows);
  EXPECT_EQ(verification.first_broken_id, rows[1001].id);
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(AuditTrailTest);

// Two stores over one database, as two instances of the server would be (on a cluster, through
// different nodes): each connection claims a chain of its own and keeps it while it appends.
class AuditChainLeaseTest : public AuditTrailTest {
 protected:
  std::unique_ptr<storage::Store> NewInstance(std::size_t connections) {
    return storage::sql::MakeSqlStore(database().NewFactory(), connections);
  }

  // Appends one row as the account `actor`, so the test can tell the instances' rows apart, about
  // an entity of its own.
  domain::AuditEntry AppendAs(storage::Store& instance, Id actor) {
    domain::AuditEntry appended;
    auto done = instance.Run(TxMode::kWrite, [&](Transaction& tx) -> Status {
      CLINIC_ASSIGN_OR_RETURN(appended, tx.audit().Append({.occurred_at = clock_.Now(),
                                                           .actor_role = Role::kPatient,
                                                           .actor_id = actor,
                                                           .action = "patient.read",
                                                           .entity = "patient",
                                                           .entity_id = ++entities_}));
      return Ok();
    });
    EXPECT_THAT(done, IsOk());
    return appended;
  }

  std::atomic<Id> entities_{0};

  std::optional<std::string> HolderOf(int chain) {
    auto rows = raw().Query("SELECT holder FROM audit_chain_head WHERE id = ?",
                            {storage::sql::Value{std::int64_t{chain}}});
    EXPECT_THAT(rows, IsOk());
    if (!rows || rows->empty()) return std::nullopt;
    return rows->front().OptText(0);
  }

  // Makes every chain but `except` look held by a live holder elsewhere.
  void HoldEveryChainBut(int except) {
    auto held = raw().Execute(
        "UPDATE audit_chain_head SET holder = 'elsewhere', held_until = '2999-01-01 00:00:00' "
        "WHERE id <> ?",
        {storage::sql::Value{std::int64_t{except}}});
    ASSERT_THAT(held, IsOk());
  }

  void ReleaseTheChainsHeldElsewhere() {
    auto released = raw().Execute(
        "UPDATE audit_chain_head SET holder = NULL, held_until = NULL WHERE holder = 'elsewhere'",
        {});
    ASSERT_THAT(released, IsOk());
  }
};

TEST_P(AuditChainLeaseTest, InstancesAppendingAtOnceNeverShareAChain) {
  constexpr int kInstances = 2;
  constexpr int kThreadsPerInstance = 4;
  constexpr int kRowsPerThread = 15;
  std::vector<std::unique_ptr<storage::Store>> instances;
  for (int i = 0; i < kInstances; ++i) instances.push_back(NewInstance(kThreadsPerInstance));
  std::vector<std::thread> threads;
  for (int i = 0; i < kInstances; ++i) {
    for (int t = 0; t < kThreadsPerInstance; ++t) {
      threads.emplace_back([&, i] {
        for (int n = 0; n < kRowsPerThread; ++n) AppendAs(*instances[i], i + 1);
      });
    }
  }
  for (auto& thread : threads) thread.join();

  // Leases last a minute, so every chain written here was written by one instance only.
  std::map<int, std::set<Id>> writers_by_chain;
  for (const auto& row : AllRows()) writers_by_chain[row.chain].insert(*row.actor_id);
  EXPECT_GT(writers_by_chain.size(), 1u);
  for (const auto& [chain, writers] : writers_by_chain) {
    EXPECT_EQ(writers.size(), 1u) << "chain " << chain << " was written by both instances";
    EXPECT_TRUE(HolderOf(chain).has_value()) << "chain " << chain;
  }
  const auto verification = Verify();
  EXPECT_EQ(verification.rows, kInstances * kThreadsPerInstance * kRowsPerThread);
  EXPECT_EQ(verification.first_broken_id, std::nullopt) << verification.problem;
}

TEST_P(AuditChainLeaseTest, AnExpiredLeaseIsTakenOverAndItsOldHolderMovesOn) {
  auto first = NewInstance(1);
  auto second = NewInstance(1);
  const auto before = AppendAs(*first, 1);
  const int chain = before.chain;
  const auto first_holder = HolderOf(chain);
  ASSERT_TRUE(first_holder.has_value());

  // The first instance's lease runs out (as if it had stalled), and the only chain free to the
  // second instance is that one.
  auto expired =
      raw().Execute("UPDATE audit_chain_head SET held_until = '2000-01-01 00:00:00' WHERE id = ?",
                    {storage::sql::Value{std::int64_t{chain}}});
  ASSERT_THAT(expired, IsOk());
  HoldEveryChainBut(chain);
  const auto taken_over = AppendAs(*second, 2);
  EXPECT_EQ(taken_over.chain, chain);
  EXPECT_EQ(taken_over.prev_hash, before.hash);
  EXPECT_NE(HolderOf(chain), first_holder);
  ReleaseTheChainsHeldElsewhere();

  // The first instance still believes it holds the chain: its append finds the lease gone and
  // runs again on another chain.
  const auto moved = AppendAs(*first, 1);
  EXPECT_NE(moved.chain, chain);
  EXPECT_EQ(moved.chain_seq, 1);
  EXPECT_EQ(AppendAs(*second, 2).chain, chain);

  const auto verification = Verify();
  EXPECT_EQ(verification.rows, 4);
  EXPECT_EQ(verification.first_broken_id, std::nullopt) << verification.problem;
}

TEST_P(AuditChainLeaseTest, WhenEveryChainIsHeldAnInstanceSharesOne) {
  HoldEveryChainBut(0);
  auto instance = NewInstance(1);
  const auto shared = AppendAs(*instance, 1);
  EXPECT_GE(shared.chain, 1);
  EXPECT_EQ(HolderOf(shared.chain), "elsewhere");
  EXPECT_EQ(AppendAs(*instance, 1).prev_hash, shared.hash);

  const auto verification = Verify();
  EXPECT_EQ(verification.rows, 2);
  EXPECT_EQ(verification.first_broken_id, std::nullopt) << verification.problem;
}

TEST_P(AuditChainLeaseTest, AlikeRowsThatStartTwoChainsAreBothKept) {
  // Two instances' housekeeping writes the same row in the same second as the first row of its
  // chain: both chain to the genesis hash, so both rows have the same hash.
  const domain::AuditEntry housekeeping{.occurred_at = clock_.Now(),
                                        .actor_role = Role::kSystem,
                                        .action = "sessions.prune",
                                        .entity = "session"};
  auto first = NewInstance(1);
  auto second = NewInstance(1);
  std::vector<domain::AuditEntry> appended;
  for (auto* instance : {first.get(), second.get()}) {
    auto done = instance->Run(TxMode::kWrite, [&](Transaction& tx) -> Status {
      CLINIC_ASSIGN_OR_RETURN(auto row, tx.audit().Append(housekeeping));
      appended.push_back(std::move(row));
      return Ok();
    });
    ASSERT_THAT(done, IsOk());
  }
  ASSERT_EQ(appended.size(), 2u);
  EXPECT_NE(appended[0].chain, appended[1].chain);
  EXPECT_EQ(appended[0].hash, appended[1].hash);
  const auto verification = Verify();
  EXPECT_EQ(verification.rows, 2);
  EXPECT_EQ(verification.first_broken_id, std::nullopt) << verification.problem;
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(AuditChainLeaseTest);

TEST(AuditChainsMigrationTest, ATrailWrittenAsOneChainVerifiesAfterTheMigration) {
  InitCrypto();
  for (const auto dialect : {storage::sql::Dialect::kSqlite, storage::sql::Dialect::kMysql}) {
    auto database = MakeTestDatabase(dialect);
    if (!database) {
      ASSERT_FALSE(database.error().must_fail) << database.error().reason;
      continue;
    }
    auto connection = database->factory().Open();
    ASSERT_THAT(connection, IsOk());
    auto migrations = storage::sql::EmbeddedMigrations(dialect);
    const auto before_chains = std::find_if(migrations.begin(), migrations.end(),
                                            [](const auto& m) { return m.version >= 9; });
    ASSERT_TRUE(storage::sql::Migrate(**connection, {migrations.begin(), before_chains}));
    // Three rows as the single-chain trail wrote them.
    std::string previous(domain::kAuditGenesisHash);
    for (int i = 1; i <= 3; ++i) {
      domain::AuditEntry row{.occurred_at = At(i), .action = "patient.read", .entity = "patient"};
      row.entity_id = i;
      row.prev_hash = previous;
      row.hash = domain::AuditChainHash(row, row.prev_hash);
      ASSERT_TRUE((*connection)
                      ->Execute("INSERT INTO audit_log (occurred_at, actor_role, action, entity, "
                                "entity_id, prev_hash, "
                                "hash) VALUES (?, 'system', 'patient.read', 'patient', ?, ?, ?)",
                                {FormatSqlDateTime(row.occurred_at), std::int64_t{i}, row.prev_hash,
                                 row.hash}));
      previous = row.hash;
    }
    ASSERT_TRUE((*connection)->Execute("UPDATE audit_chain_head SET last_hash = ?", {previous}));

    // Sixteen chains (0009 up to 0014), then sixty-four with leases (0015): verification walks
    // the chains the database has at each step.
    const auto before_leases = std::find_if(migrations.begin(), migrations.end(),
                                            [](const auto& m) { return m.version >= 15; });
    ASSERT_THAT(storage::sql::Migrate(**connection, {migrations.begin(), before_leases}), IsOk());
    auto store = storage::sql::MakeSqlStore(database->NewFactory(), 2);
    auto verification = service::VerifyAuditChain(*store);
    ASSERT_THAT(verification, IsOk());
    EXPECT_EQ(verification->rows, 3);
    EXPECT_EQ(verification->chains, 16);
    EXPECT_EQ(verification->first_broken_id, std::nullopt) << verification->problem;

    ASSERT_THAT(storage::sql::Migrate(**connection, migrations), IsOk());
    verification = service::VerifyAuditChain(*store);
    ASSERT_THAT(verification, IsOk());
    EXPECT_EQ(verification->rows, 3);
    EXPECT_EQ(verification->chains, domain::kAuditChains);
    EXPECT_EQ(verification->first_broken_id, std::nullopt) << verification->problem;
  }
}

}  // namespace
}  // namespace clinic::testing
