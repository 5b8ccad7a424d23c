#pragma once

#include <istream>
#include <ostream>
#include <string>

#include "clinic/common/error.hpp"

namespace clinic::cli {

// clinicctl's exit codes: the command did its work, the operation failed, or the command line or
// configuration is wrong.
inline constexpr int kExitDone = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitBadUsage = 2;

// Where a clinicctl command reads the operator's input (`in`) and writes its results (`out`, plain
// text, one line per fact) and its complaints (`err`): the process's standard streams, or string
// streams in a test. The streams outlive the command.
struct Console {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

// Writes `error` to console.err (its message, then one line per bad field) and returns the exit
// code it calls for: kExitBadUsage for InvalidArgument, kExitFailed for anything else.
int ReportError(const Error& error, const Console& console);

// `clinicctl version`: the program and its version, "clinic X.Y.Z".
int PrintVersion(const Console& console);

}  // namespace clinic::cli
