#include "clinic/cli/console.hpp"

#include <fmt/format.h>

namespace clinic::cli {

int ReportError(const Error& error, const Console& console) {
  console.err << "clinicctl: " << error.message << "\n";
  for (const auto& field : error.fields) {
    console.err << "  " << field.field << ": " << field.message << "\n";
  }
  return error.code == ErrorCode::kInvalidArgument ? kExitBadUsage : kExitFailed;
}

int PrintVersion(const Console& console) {
  console.out << fmt::format("clinic {}", CLINIC_VERSION) << "\n";
  return kExitDone;
}

}  // namespace clinic::cli
