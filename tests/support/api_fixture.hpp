#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support/http_client.hpp"
#include "support/printers.hpp"
#include "support/test_databases.hpp"
#include "testkit/clinicd_process.hpp"

namespace clinic::testing {

// A real clinicd over a fresh database of the parameter's backend, for API tests that run on
// SQLite and MariaDB alike (CLINIC_INSTANTIATE_FOR_SQL_BACKENDS). Password hashing uses the cheap
// test parameters. An admin "root" (password kAdminPassword) exists from the start.
class ApiTest : public ::testing::TestWithParam<storage::sql::Dialect> {
 protected:
  static constexpr const char* kAdminPassword = "admin-password-1";

  void SetUp() override;
  void TearDown() override;

  // The empty database the server uses; by default one of the parameter's backend on the shared
  // test server (test_databases.hpp). A suite that runs a database server of its own makes it
  // there.
  virtual tl::expected<TestDatabase, NoTestDatabase> MakeDatabase() {
    return MakeTestDatabase(GetParam());
  }
  // Extra clinicd flags for this suite (e.g. a lower login throttle); called by SetUp.
  virtual std::vector<std::string> ExtraFlags() const { return {}; }
  // Extra variables in clinicd's environment for this suite; called by SetUp.
  virtual std::vector<std::pair<std::string, std::string>> ExtraEnvironment() const { return {}; }
  // The --docs URI for this suite's server; by default a SQLite file in the test's directory.
  // Empty: the --db URI (on SQLite, one file for both, clinicd's default).
  virtual std::string DocsUri(const std::filesystem::path& directory) const {
    return "sqlite://" + (directory / "docs.db").string();
  }

  // Sends a request with JSON `body` (omit for none) as the holder of `token` (omit: anonymous).
  test_support::HttpResponse Call(const std::string& method, const std::string& target,
                                  const std::optional<boost::json::value>& body = std::nullopt,
                                  const std::string& token = "",
                                  const test_support::HeaderList& headers = {});
  // `count` Calls at once, each on its own connection and thread, client i sending `body(i)`;
  // the answers in client order (status 0 where a connection failed).
  std::vector<test_support::HttpResponse> CallConcurrently(
      int count, const std::string& method, const std::string& target,
      const std::function<boost::json::value(int)>& body, const std::string& token = "",
      const test_support::HeaderList& headers = {});
  // Sends a request as it is (any body and Content-Type) as the holder of `token`.
  test_support::HttpResponse Send(test_support::HttpRequest request, const std::string& token = "");
  // Logs in and returns the bearer token (fails the test otherwise).
  std::string Login(const std::string& login, const std::string& password);
  // Registers a patient through the API and returns {id, token}.
  std::pair<Id, std::string> RegisterPatient(const std::string& email,
                                             const std::string& password = "patient-password-1");

  // Another clinicd with the same flags over the same database, as a second instance behind a
  // load balancer would be.
  std::unique_ptr<test_support::ClinicdProcess> StartAnotherServer();
  // The same, with its database reached through `db_uri` (another node of a cluster).
  std::unique_ptr<test_support::ClinicdProcess> StartAnotherServer(const std::string& db_uri);

  // The single number a SQL query such as COUNT(*) gives, asked of the database directly.
  std::int64_t QueryCount(const std::string& sql);
  // Waits (up to 60 s, else the test fails) until every outbox entry is applied: the system
  // messages of the booking changes made so far are on their threads (an entry claimed by an
  // instance that died is claimed again once its lease ends).
  void WaitForOutbox();

  // Stops the server as an operator would (SIGTERM) and answers its exit status: 0 for a clean
  // stop (under the sanitizers a leak makes it non-zero).
  int TerminateServer();

  TestDatabase& database() { return *database_; }
  std::uint16_t port() const { return clinicd_->port(); }
  pid_t server_pid() const { return clinicd_->pid(); }
  // The --docs URI the server was started with.
  const std::string& docs_uri() const { return docs_uri_; }
  // The server's --files folder (attachment bytes on the embedded document store).
  std::filesystem::path files_dir() const { return directory_ / "files"; }
  std::string admin_token_;

 private:
  // clinicd's environment: the suite's extra variables and a registration limit out of the way.
  std::vector<std::pair<std::string, std::string>> ServerEnvironment() const;

  std::optional<TestDatabase> database_;
  std::filesystem::path directory_;
  std::vector<std::string> clinicd_args_;
  std::string docs_uri_;
  std::unique_ptr<test_support::ClinicdProcess> clinicd_;
  std::unique_ptr<test_support::HttpClient> client_;
};

// The `field` of every entry in a problem's `errors`.
std::vector<std::string> ProblemFields(const test_support::HttpResponse& response);

// The status of each answer, in order.
std::vector<int> Statuses(const std::vector<test_support::HttpResponse>& answers);
// The distinct ids of the records the 201 answers name.
std::set<std::int64_t> CreatedIds(const std::vector<test_support::HttpResponse>& answers);

// The ids of a list answer's items, in order.
std::vector<std::int64_t> ItemIds(const test_support::HttpResponse& response);

}  // namespace clinic::testing
