#pragma once

namespace clinic::app {

// clinicctl: migrate, create-admin, seed-demo, version. Exit code 0 on success, 1 when the
// operation failed, 2 for a wrong command line or configuration.
int ClinicctlMain(int argc, char** argv);

}  // namespace clinic::app
