#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "clinic/storage/sql/connection.hpp"
#include "clinic/storage/store.hpp"
#include "support/printers.hpp"
#include "support/test_databases.hpp"

namespace clinic::testing {

// A migrated, empty database per test, with a Store over it and a raw connection for checks
// that must bypass the repositories. Run it per backend with CLINIC_INSTANTIATE_FOR_SQL_BACKENDS.
class StoreTest : public ::testing::TestWithParam<storage::sql::Dialect> {
 protected:
  void SetUp() override;

  storage::Store& store() { return *store_; }
  storage::sql::Connection& raw() { return *raw_; }
  TestDatabase& database() { return *database_; }

  // Small builders for rows most tests need; each ASSERTs success.
  domain::Location NewLocation(const std::string& timezone = "UTC");
  domain::Doctor NewDoctor(std::optional<Id> location_id, const std::string& email);
  domain::Patient NewPatient(const std::string& email);
  domain::Slot NewSlot(Id doctor_id, Instant start, std::chrono::minutes length);

 private:
  std::optional<TestDatabase> database_;
  std::unique_ptr<storage::sql::Connection> raw_;
  std::unique_ptr<storage::Store> store_;
};

// 2030-01-07 09:00:00 UTC plus `minutes`: a fixed, far-future instant for slot tests.
Instant At(int minutes);

}  // namespace clinic::testing
