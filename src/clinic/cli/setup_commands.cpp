#include "clinic/cli/setup_commands.hpp"

#include <fmt/format.h>

#include <utility>

#include "clinic/cli/demo_data.hpp"

namespace clinic::cli {

int ReportMigration(int from_version, const std::vector<std::string>& applied,
                    const Console& console) {
  if (applied.empty()) {
    console.out << fmt::format("schema is up to date (version {})\n", from_version);
  }
  for (const auto& name : applied) console.out << "applied " << name << "\n";
  return kExitDone;
}

int CreateAdmin(storage::Store& store, const service::PasswordHasher& hasher,
                service::NewAdmin admin, const Console& console) {
  std::getline(console.in, admin.password);
  if (!admin.password.empty() && admin.password.back() == '\r') admin.password.pop_back();
  auto created = service::CreateAdmin(store, hasher, admin);
  if (!created) return ReportError(created.error(), console);
  console.out << fmt::format("created admin {} (id {})\n", created->username, created->id);
  return kExitDone;
}

int SeedDemo(storage::Store& store, const service::PasswordHasher& hasher, const Clock& clock,
             const Console& console) {
  auto summary = SeedDemoData(store, hasher, clock);
  if (!summary) return ReportError(summary.error(), console);
  if (summary->seeded) {
    console.out << fmt::format(
        "demo data loaded: {} locations, {} doctors, {} patients, {} slots, {} appointments, "
        "{} payments, {} prescriptions\n",
        summary->locations, summary->doctors, summary->patients, summary->slots,
        summary->appointments, summary->payments, summary->prescriptions);
  } else {
    console.out << "the database already has data; demo data not loaded again\n";
  }
  console.out << "demo logins:\n";
  for (const auto& login : summary->logins) {
    console.out << fmt::format("  {:<8} {:<28} password: {}\n", login.role, login.login,
                               login.password);
  }
  return kExitDone;
}

}  // namespace clinic::cli
