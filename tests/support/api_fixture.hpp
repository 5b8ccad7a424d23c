#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/clinicd_process.hpp"
#include "support/http_client.hpp"
#include "support/printers.hpp"
#include "support/test_databases.hpp"

namespace clinic::testing {

// A real clinicd over a fresh database of the parameter's backend, for API tests that run on
// SQLite and MariaDB alike (CLINIC_INSTANTIATE_FOR_SQL_BACKENDS). Password hashing uses the cheap
// test parameters. An admin "root" (password kAdminPassword) exists from the start.
class ApiTest : public ::testing::TestWithParam<storage::sql::Dialect> {
 protected:
  static constexpr const char* kAdminPassword = "admin-password-1";

  void SetUp() override;
  void TearDown() override;

  // Extra clinicd flags for this suite (e.g. a lower login throttle); called by SetUp.
  virtual std::vector<std::string> ExtraFlags() const { return {}; }

  // Sends a request with JSON `body` (omit for none) as the holder of `token` (omit: anonymous).
  test_support::HttpResponse Call(const std::string& method, const std::string& target,
                                  const std::optional<boost::json::value>& body = std::nullopt,
                                  const std::string& token = "");
  // Logs in and returns the bearer token (fails the test otherwise).
  std::string Login(const std::string& login, const std::string& password);
  // Registers a patient through the API and returns {id, token}.
  std::pair<Id, std::string> RegisterPatient(const std::string& email,
                                             const std::string& password = "patient-password-1");

  TestDatabase& database() { return *database_; }
  std::uint16_t port() const { return clinicd_->port(); }
  std::string admin_token_;

 private:
  std::optional<TestDatabase> database_;
  std::filesystem::path directory_;
  std::unique_ptr<test_support::ClinicdProcess> clinicd_;
  std::unique_ptr<test_support::HttpClient> client_;
};

}  // namespace clinic::testing
