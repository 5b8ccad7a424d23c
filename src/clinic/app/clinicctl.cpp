#include "clinic/app/clinicctl.hpp"

#include <spdlog/spdlog.h>

#include <iostream>
#include <optional>
#include <string>

#include "clinic/app/config.hpp"
#include "clinic/app/stores.hpp"
#include "clinic/cli/backup_commands.hpp"
#include "clinic/cli/console.hpp"
#include "clinic/cli/setup_commands.hpp"
#include "clinic/cli/upkeep_commands.hpp"
#include "clinic/common/crypto.hpp"
#include "clinic/service/admin_accounts.hpp"
#include "clinic/service/password_hasher.hpp"

namespace clinic::app {

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
      "find stored messages a listing cannot read and upload records whose file name is not valid "
      "UTF-8, and replace their bad bytes with U+FFFD (exit code 1 when one cannot be repaired)");
  std::string files_dir = "clinic-files";
  repair_messages->add_option("--files", files_dir, "the server's folder of attachments")
      ->envname("CLINIC_FILES");
  auto* prune = cli.add_subcommand(
      "prune", "delete expired sessions and old idempotency keys (clinicd does it every hour)");
  auto* backup = cli.add_subcommand(
      "backup",
      "copy everything Clinic stores (the relational database, every document, every attachment) "
      "into a new or empty folder, while the server runs");
  std::string backup_dir;
  backup->add_option("DIR", backup_dir, "the folder to write (created 0700)")->required();
  backup->add_option("--files", files_dir, "the server's folder of attachments")
      ->envname("CLINIC_FILES");
  auto* restore = cli.add_subcommand(
      "restore",
      "check a backup's folder, then restore it into an empty database and document store");
  std::string restore_dir;
  restore->add_option("DIR", restore_dir, "the folder `clinicctl backup` wrote")->required();
  restore->add_option("--files", files_dir, "the folder of attachments to restore into")
      ->envname("CLINIC_FILES");
  auto* version = cli.add_subcommand("version", "print the version");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int printed = cli.exit(e);  // prints help, or the usage error
    return printed == 0 ? cli::kExitDone : cli::kExitBadUsage;
  }
  const cli::Console console{std::cin, std::cout, std::cerr};
  if (version->parsed()) return cli::PrintVersion(console);
  if (auto valid = ValidateStorageConfig(storage); !valid) {
    return cli::ReportError(valid.error(), console);
  }
  const service::PasswordHasher hasher(fast_hashing ? service::PasswordHasher::Cost::kFastForTests
                                                    : service::PasswordHasher::Cost::kProduction);
  const SystemClock clock;

  // Each command opens only what it works on: migrate the schema alone, repair-messages the
  // document stores alone, backup and restore the stores as they are, the others the relational
  // store (which OpenStore migrates first).
  if (migrate->parsed()) {
    auto report = MigrateDatabase(storage);
    if (!report) return cli::ReportError(report.error(), console);
    return cli::ReportMigration(report->from_version, report->applied, console);
  }
  if (repair_messages->parsed()) {
    auto documents = OpenDocumentStores(storage, 1, files_dir);
    if (!documents) return cli::ReportError(documents.error(), console);
    return cli::RepairMessages(*documents, console);
  }
  if (backup->parsed() || restore->parsed()) {
    // Opened once the command has checked its folder: a refused command opens nothing.
    std::optional<BackupStoreSet> opened;
    const service::OpenBackupStores open = [&]() -> Result<service::BackupStores> {
      CLINIC_ASSIGN_OR_RETURN(auto stores, OpenBackupStores(storage, files_dir));
      return opened.emplace(std::move(stores)).view();
    };
    return backup->parsed() ? cli::Backup(backup_dir, open, clock, console)
                            : cli::Restore(restore_dir, open, console);
  }
  auto store = OpenStore(storage, 1);
  if (!store) return cli::ReportError(store.error(), console);
  if (create_admin->parsed()) return cli::CreateAdmin(**store, hasher, admin, console);
  if (seed_demo->parsed()) return cli::SeedDemo(**store, hasher, clock, console);
  if (generate_slots->parsed()) return cli::GenerateSlots(**store, clock, console);
  if (prune->parsed()) return cli::Prune(**store, clock, console);
  if (audit_verify->parsed()) return cli::VerifyAudit(**store, console);
  return cli::kExitBadUsage;
}

}  // namespace clinic::app
