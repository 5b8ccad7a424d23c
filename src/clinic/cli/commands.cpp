#include "clinic/cli/commands.hpp"

#include <fmt/format.h>

namespace clinic::cli {

std::string VersionText() { return fmt::format("clinic {}", CLINIC_VERSION); }

void PrintDemoSummary(const service::DemoSummary& summary, std::ostream& out) {
  if (summary.seeded) {
    out << fmt::format(
        "demo data loaded: {} locations, {} doctors, {} patients, {} slots, {} appointments, "
        "{} payments, {} prescriptions\n",
        summary.locations, summary.doctors, summary.patients, summary.slots, summary.appointments,
        summary.payments, summary.prescriptions);
  } else {
    out << "the database already has data; demo data not loaded again\n";
  }
  out << "demo logins:\n";
  for (const auto& login : summary.logins) {
    out << fmt::format("  {:<8} {:<28} password: {}\n", login.role, login.login, login.password);
  }
}

}  // namespace clinic::cli
