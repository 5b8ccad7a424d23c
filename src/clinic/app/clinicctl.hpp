#pragma once

namespace clinic::app {

// clinicctl: parses the command line and the storage configuration, opens what the chosen
// command works on and runs the command (clinic/cli). Exit code 0 on success, 1 when the operation
// failed, 2 for a wrong command line or configuration.
int ClinicctlMain(int argc, char** argv);

}  // namespace clinic::app
