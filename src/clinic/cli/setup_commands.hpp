#pragma once

#include <string>
#include <vector>

#include "clinic/cli/console.hpp"
#include "clinic/common/clock.hpp"
#include "clinic/service/admin_accounts.hpp"
#include "clinic/service/password_hasher.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::cli {

// The commands that make a database ready for use: its schema, its first administrator, and for
// people trying the server, a demo clinic group. Each returns clinicctl's exit code
// (console.hpp); a failure is reported on console.err.

// `clinicctl migrate`, once the caller has migrated: one line per migration `applied` (in order),
// or, when there was none, that the schema is up to date at `from_version`.
int ReportMigration(int from_version, const std::vector<std::string>& applied,
                    const Console& console);

// `clinicctl create-admin`: the password is the first line of console.in (a trailing CR dropped,
// as a file written on Windows ends its lines so); service::CreateAdmin decides the rest.
int CreateAdmin(storage::Store& store, const service::PasswordHasher& hasher,
                service::NewAdmin admin, const Console& console);

// `clinicctl seed-demo`: SeedDemoData (demo_data.hpp), then what it loaded, or that the database
// already had data, and the demo logins in both cases.
int SeedDemo(storage::Store& store, const service::PasswordHasher& hasher, const Clock& clock,
             const Console& console);

}  // namespace clinic::cli
