#pragma once

#include <string>
#include <vector>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/service/password_hasher.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::cli {

// A demo login printed for people trying the server.
struct DemoLogin {
  std::string role;
  std::string login;
  std::string password;
};

// What SeedDemoData loaded, for clinicctl to tell the operator.
struct DemoSummary {
  bool seeded = false;  // false: the database already had data and was left alone
  int locations = 0;
  int doctors = 0;
  int patients = 0;
  int slots = 0;
  int appointments = 0;
  int payments = 0;
  int prescriptions = 0;
  std::vector<DemoLogin> logins;  // the demo accounts (also when seeded is false)
};

// Fills an empty database with a small, realistic clinic group: two locations in different time
// zones (New York and Singapore), six doctors in three specializations, twenty patients, an admin,
// last week's and the next two weeks' working-hour slots in each location's local time, and some
// past appointments with payments and prescriptions plus upcoming bookings. All in one
// transaction. A database that already has a location is left untouched (seeded = false), so the
// run command can call it every time.
Result<DemoSummary> SeedDemoData(storage::Store& store, const service::PasswordHasher& hasher,
                                 const Clock& clock);

}  // namespace clinic::cli
