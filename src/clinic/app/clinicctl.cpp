#include "clinic/app/clinicctl.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <string>

#include "clinic/app/stores.hpp"
#include "clinic/cli/commands.hpp"
#include "clinic/common/crypto.hpp"
#include "clinic/service/admin_accounts.hpp"
#include "clinic/service/audit_trail.hpp"
#include "clinic/service/maintenance.hpp"
#include "clinic/service/scheduling_service.hpp"

namespace clinic::app {
namespace {

// Exit codes: 0 done, 1 the operation failed, 2 the command line or configuration is wrong.
constexpr int kFailed = 1;
constexpr int kBadUsage = 2;

int Report(const Error& error) {
  std::cerr << "clinicctl: " << error.message << "\n";
  for (const auto& field : error.fields)
    std::cerr << "  " << field.field << ": " << field.message << "\n";
  return error.code == ErrorCode::kInvalidArgument ? kBadUsage : kFailed;
}

}  // namespace

int ClinicctlMain(int argc, char** argv) {
  InitCrypto();
  spdlog::set_level(spdlog::level::warn);
  CLI::App cli{"clinicctl: operate a Clinic database"};
  cli.require_subcommand(1);
  StorageConfig storage;
  AddStorageOptions(cli, storage);
  bool fast_hashing = false;
  cli.add_flag("--insecure-fast-password-hashing", fast_hashing,
               "cheap argon2id parameters; for automated tests only")
      ->envname("CLINIC_INSECURE_FAST_PASSWORD_HASHING");

  auto* migrate = cli.add_subcommand("migrate", "apply the schema migrations this version knows");
  auto* create_admin = cli.add_subcommand(
      "create-admin", "create an administrator; the password is read from stdin");
  service::NewAdmin admin;
  create_admin->add_option("--username", admin.username, "login name")->required();
  create_admin->add_option("--email", admin.email, "email address")->required();
  auto* seed_demo = cli.add_subcommand(
      "seed-demo", "fill an empty database with a demo clinic group (does nothing otherwise)");
  auto* generate_slots = cli.add_subcommand(
      "generate-slots",
      "create every active doctor's slots from their working hours, from today to the end of "
      "their booking horizon; creates nothing twice, so it can run every night");
  auto* audit = cli.add_subcommand("audit", "inspect the audit trail");
  audit->require_subcommand(1);
  auto* audit_verify = audit->add_subcommand(
      "verify", "check that no audit row was altered or removed (exit code 1 when one was)");
  auto* repair_messages = cli.add_subcommand(
      "repair-messages",
      "find stored messages a listing cannot read (text that is not valid UTF-8) and replace their "
      "bad bytes with U+FFFD (exit code 1 when one cannot be repaired)");
  std::string files_dir = "clinic-files";
  repair_messages->add_option("--files", files_dir, "the server's folder of attachments")
      ->envname("CLINIC_FILES");
  auto* prune = cli.add_subcommand(
      "prune", "delete expired sessions and old idempotency keys (clinicd does it every hour)");
  auto* version = cli.add_subcommand("version", "print the version");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int printed = cli.exit(e);  // prints help, or the usage error
    return printed == 0 ? 0 : kBadUsage;
  }
  if (version->parsed()) {
    std::cout << cli::VersionText() << "\n";
    return 0;
  }
  if (auto valid = ValidateStorageConfig(storage); !valid) return Report(valid.error());
  const service::PasswordHasher hasher(fast_hashing ? service::PasswordHasher::Cost::kFastForTests
                                                    : service::PasswordHasher::Cost::kProduction);

  if (migrate->parsed()) {
    auto report = MigrateDatabase(storage);
    if (!report) return Report(report.error());
    if (report->applied.empty()) {
      std::cout << fmt::format("schema is up to date (version {})\n", report->from_version);
    }
    for (const auto& name : report->applied) std::cout << "applied " << name << "\n";
    return 0;
  }
  if (repair_messages->parsed()) {
    auto documents = OpenDocumentStores(storage, 1, files_dir);
    if (!documents) return Report(documents.error());
    auto repair = documents->messages->RepairUnreadable();
    if (!repair) return Report(repair.error());
    for (const auto& id : repair->unrepairable) {
      std::cout << fmt::format("message {} cannot be read or repaired\n", id);
    }
    std::cout << fmt::format("{} messages checked, {} repaired, {} unrepairable\n", repair->scanned,
                             repair->repaired, repair->unrepairable.size());
    return repair->unrepairable.empty() ? 0 : kFailed;
  }
  auto store = OpenStore(storage, 1);
  if (!store) return Report(store.error());
  if (create_admin->parsed()) {
    std::getline(std::cin, admin.password);
    if (!admin.password.empty() && admin.password.back() == '\r') admin.password.pop_back();
    auto created = service::CreateAdmin(**store, hasher, admin);
    if (!created) return Report(created.error());
    std::cout << fmt::format("created admin {} (id {})\n", created->username, created->id);
    return 0;
  }
  if (seed_demo->parsed()) {
    const SystemClock clock;
    auto summary = service::SeedDemoData(**store, hasher, clock);
    if (!summary) return Report(summary.error());
    cli::PrintDemoSummary(*summary, std::cout);
    return 0;
  }
  if (generate_slots->parsed()) {
    const SystemClock clock;
    service::SchedulingService scheduling(**store, clock);
    auto generated = scheduling.GenerateUpcomingSlots({.request_id = "clinicctl generate-slots"});
    if (!generated) return Report(generated.error());
    int created = 0;
    for (const auto& doctor : *generated) {
      std::cout << fmt::format("doctor {}: {} created, {} skipped\n", doctor.doctor_id,
                               doctor.result.created, doctor.result.skipped);
      created += doctor.result.created;
    }
    std::cout << fmt::format("{} slots created for {} doctors\n", created, generated->size());
    return 0;
  }
  if (prune->parsed()) {
    const SystemClock clock;
    auto pruned = service::PruneExpiredRecords(**store, clock);
    if (!pruned) return Report(pruned.error());
    std::cout << fmt::format(
        "pruned {} expired sessions, {} idempotency keys and {} throttle rows\n", pruned->sessions,
        pruned->idempotency_keys, pruned->throttle_rows);
    return 0;
  }
  if (audit_verify->parsed()) {
    auto verification = service::VerifyAuditChain(**store);
    if (!verification) return Report(verification.error());
    if (verification->first_broken_id) {
      std::cout << fmt::format("audit trail broken at row {}: {}\n", *verification->first_broken_id,
                               verification->problem);
      return kFailed;
    }
    std::cout << fmt::format("audit trail intact: {} rows in {} chains\n", verification->rows,
                             verification->chains);
    return 0;
  }
  return kBadUsage;
}

}  // namespace clinic::app
