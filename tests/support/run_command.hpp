#pragma once

#include <string>
#include <vector>

namespace clinic::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs `binary args...` to completion with `input` on its stdin (no shell involved) and returns
// its exit code and output. For command-line tools (clinicctl) and start-up failures of clinicd.
CommandResult RunCommand(const std::string& binary, const std::vector<std::string>& args,
                         const std::string& input = "");

}  // namespace clinic::testing
