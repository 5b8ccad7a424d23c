// `clinicctl audit verify` as an operator runs it: intact after normal use, exit code 1 and the
// offending row's id once someone has edited the log behind the server's back.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "clinic/common/crypto.hpp"
#include "clinic/domain/audit.hpp"
#include "clinic/service/audit_trail.hpp"
#include "clinic/storage/sql/sql_store.hpp"
#include "clinic/storage/sqlite/sqlite_connection.hpp"
#include "support/matchers.hpp"
#include "support/run_command.hpp"

namespace clinic::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A SQLite database file in a fresh temporary directory, removed with it.
class TempDatabaseFile {
 public:
  TempDatabaseFile() {
    std::string pattern = (std::filesystem::temp_directory_path() / "clinic-audit-XXXXXX").string();
    directory_ = mkdtemp(pattern.data());
  }
  ~TempDatabaseFile() { std::filesystem::remove_all(directory_); }
  TempDatabaseFile(const TempDatabaseFile&) = delete;
  TempDatabaseFile& operator=(const TempDatabaseFile&) = delete;

  std::string path() const { return (directory_ / "clinic.db").string(); }
  std::string uri() const { return "sqlite://" + path(); }

 private:
  std::filesystem::path directory_;
};

TEST(ClinicctlAuditVerify, ReportsAnIntactChainAndThenTheFirstEditedRow) {
  InitCrypto();
  TempDatabaseFile db;
  const auto seeded = RunCommand(
      CLINICCTL_PATH, {"--db", db.uri(), "--insecure-fast-password-hashing", "seed-demo"});
  ASSERT_EQ(seeded.exit_code, 0) << seeded.output;

  // Audit rows written the way the server writes them, through the store.
  std::vector<Id> row_ids;
  {
    auto store =
        storage::sql::MakeSqlStore(storage::sqlite::MakeSqliteConnectionFactory(db.path()), 1);
    const SystemClock clock;
    const domain::RequestContext context{.actor = {.role = domain::Role::kAdmin, .id = 1},
                                         .client_addr = "127.0.0.1",
                                         .request_id = "e2e"};
    for (Id patient_id = 1; patient_id <= 3; ++patient_id) {
      auto appended = store->Run(storage::TxMode::kWrite, [&](storage::Transaction& tx) {
        return service::Audit(tx, clock, context, "patient.read", "patient", patient_id);
      });
      ASSERT_THAT(appended, IsOk());
    }
    auto listed = storage::InTransaction(*store, storage::TxMode::kRead, [](auto& tx) {
      return tx.audit().List({}, domain::PageRequest{.limit = 200, .after_id = std::nullopt});
    });
    ASSERT_THAT(listed, IsOk());
    for (const auto& row : listed->items) row_ids.push_back(row.id);
  }
  ASSERT_GE(row_ids.size(), 3u);

  const auto intact = RunCommand(CLINICCTL_PATH, {"--db", db.uri(), "audit", "verify"});
  EXPECT_EQ(intact.exit_code, 0) << intact.output;
  EXPECT_EQ(intact.output, fmt::format("audit trail intact: {} rows in {} chains\n", row_ids.size(),
                                       domain::kAuditChains));

  // The edit an intruder with write access to the file would make.
  auto raw = storage::sqlite::MakeSqliteConnectionFactory(db.path())->Open();
  ASSERT_THAT(raw, IsOk());
  ASSERT_TRUE((*raw)->ExecuteScript("DROP TRIGGER IF EXISTS trg_audit_log_no_update;\n"));
  const Id edited = row_ids[row_ids.size() - 2];
  ASSERT_TRUE((*raw)->Execute("UPDATE audit_log SET entity_id = 99 WHERE id = ?",
                              {storage::sql::Value{edited}}));

  const auto broken = RunCommand(CLINICCTL_PATH, {"--db", db.uri(), "audit", "verify"});
  EXPECT_EQ(broken.exit_code, 1) << broken.output;
  EXPECT_THAT(broken.output, StartsWith(fmt::format("audit trail broken at row {}: ", edited)));
  EXPECT_THAT(broken.output, HasSubstr("content"));
}

}  // namespace
}  // namespace clinic::testing
