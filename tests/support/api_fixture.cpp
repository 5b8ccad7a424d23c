#include "support/api_fixture.hpp"

#include <boost/json/serialize.hpp>
#include <chrono>
#include <iostream>
#include <thread>

#include "support/matchers.hpp"
#include "support/run_command.hpp"

namespace clinic::testing {
namespace {}  // namespace

void ApiTest::SetUp() {
  auto database = MakeDatabase();
  if (!database) {
    if (database.error().must_fail) FAIL() << database.error().reason;
    GTEST_SKIP() << database.error().reason;
  }
  database_.emplace(std::move(*database));
  std::string pattern = (std::filesystem::temp_directory_path() / "clinic-api-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  directory_ = pattern;
  docs_uri_ = DocsUri(directory_);
  if (docs_uri_.empty()) docs_uri_ = database_->uri();
  const std::string& docs = docs_uri_;
  const auto admin =
      RunCommand(CLINICCTL_PATH,
                 {"--db", database_->uri(), "--docs", docs, "--insecure-fast-password-hashing",
                  "create-admin", "--username", "root", "--email", "root@clinic.example"},
                 std::string(kAdminPassword) + "\n");
  ASSERT_EQ(admin.exit_code, 0) << admin.output;
  std::vector<std::string> args{"--db",
                                database_->uri(),
                                "--docs",
                                docs,
                                "--listen",
                                "127.0.0.1:0",
                                "--files",
                                (directory_ / "files").string(),
                                "--insecure-fast-password-hashing"};
  for (auto& flag : ExtraFlags()) args.push_back(std::move(flag));
  clinicd_args_ = args;
  auto started =
      test_support::ClinicdProcess::Start({.args = std::move(args), .env = ServerEnvironment()});
  ASSERT_TRUE(started.has_value()) << started.error().message;
  clinicd_ = std::move(*started);
  client_ = std::make_unique<test_support::HttpClient>(clinicd_->port());
  admin_token_ = Login("root", kAdminPassword);
}

std::int64_t ApiTest::QueryCount(const std::string& sql) {
  auto connection = database_->factory().Open();
  EXPECT_THAT(connection, IsOk());
  if (!connection) return -1;
  auto rows = (*connection)->Query(sql, {});
  EXPECT_TRUE(rows && !rows->empty()) << sql << ": " << (rows ? "no rows" : rows.error().message);
  return rows && !rows->empty() ? rows->front().Int(0) : -1;
}

void ApiTest::WaitForOutbox() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (QueryCount("SELECT COUNT(*) FROM outbox WHERE applied_at IS NULL") > 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "outbox entries still not applied after 60 s";
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// Suites register dozens of patients from 127.0.0.1; a suite that tests the limit passes the
// flag, which wins over the environment.
std::vector<std::pair<std::string, std::string>> ApiTest::ServerEnvironment() const {
  auto environment = ExtraEnvironment();
  environment.emplace_back("CLINIC_REGISTRATIONS_PER_ADDRESS", "100000");
  return environment;
}

int ApiTest::TerminateServer() { return clinicd_->Terminate(); }

std::unique_ptr<test_support::ClinicdProcess> ApiTest::StartAnotherServer() {
  return StartAnotherServer(database_->uri());
}

std::unique_ptr<test_support::ClinicdProcess> ApiTest::StartAnotherServer(
    const std::string& db_uri) {
  auto args = clinicd_args_;
  args.at(1) = db_uri;  // follows "--db"
  auto started =
      test_support::ClinicdProcess::Start({.args = std::move(args), .env = ServerEnvironment()});
  EXPECT_TRUE(started.has_value()) << started.error().message;
  return started ? std::move(*started) : nullptr;
}

void ApiTest::TearDown() {
  if (HasFailure() && clinicd_) std::cerr << "clinicd output:\n" << clinicd_->Output();
  client_.reset();
  clinicd_.reset();
  if (!directory_.empty()) std::filesystem::remove_all(directory_);
  // Dropped here rather than with the fixture, while a database server the suite started for it
  // still runs.
  database_.reset();
}

test_support::HttpResponse ApiTest::Call(const std::string& method, const std::string& target,
                                         const std::optional<boost::json::value>& body,
                                         const std::string& token,
                                         const test_support::HeaderList& headers) {
  test_support::HttpRequest request{.method = method, .target = target, .headers = headers};
  if (body) {
    request.body = boost::json::serialize(*body);
    request.headers.emplace_back("Content-Type", "application/json");
  }
  return Send(std::move(request), token);
}

std::vector<test_support::HttpResponse> ApiTest::CallConcurrently(
    int count, const std::string& method, const std::string& target,
    const std::function<boost::json::value(int)>& body, const std::string& token,
    const test_support::HeaderList& headers) {
  std::vector<test_support::HttpResponse> answers(static_cast<std::size_t>(count));
  std::vector<std::thread> clients;
  for (int i = 0; i < count; ++i) {
    clients.emplace_back([&, i] {
      test_support::HttpClient client(port());
      test_support::HttpRequest request{.method = method,
                                        .target = target,
                                        .body = boost::json::serialize(body(i)),
                                        .headers = headers};
      request.headers.emplace_back("Content-Type", "application/json");
      if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
      if (auto answer = client.Send(request)) answers[static_cast<std::size_t>(i)] = *answer;
    });
  }
  for (auto& client : clients) client.join();
  return answers;
}

test_support::HttpResponse ApiTest::Send(test_support::HttpRequest request,
                                         const std::string& token) {
  if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
  auto response = client_->Send(request);
  EXPECT_TRUE(response.has_value()) << request.method << " " << request.target << ": "
                                    << (response ? "" : response.error().message);
  return response.value_or(test_support::HttpResponse{});
}

std::string ApiTest::Login(const std::string& login, const std::string& password) {
  const bool is_email = login.find('@') != std::string::npos;
  auto response =
      Call("POST", "/api/v1/auth/login",
           boost::json::object{{is_email ? "email" : "username", login}, {"password", password}});
  EXPECT_EQ(response.status, 200) << response.body;
  if (response.status != 200) return "";
  return std::string(response.Json().at("token").as_string());
}

std::pair<Id, std::string> ApiTest::RegisterPatient(const std::string& email,
                                                    const std::string& password) {
  auto response = Call(
      "POST", "/api/v1/auth/register",
      boost::json::object{
          {"first_name", "Pat"}, {"last_name", "Ient"}, {"email", email}, {"password", password}});
  EXPECT_EQ(response.status, 201) << response.body;
  if (response.status != 201) return {0, ""};
  return {response.Json().at("id").as_int64(), Login(email, password)};
}

std::vector<int> Statuses(const std::vector<test_support::HttpResponse>& answers) {
  std::vector<int> statuses;
  for (const auto& answer : answers) statuses.push_back(answer.status);
  return statuses;
}

std::set<std::int64_t> CreatedIds(const std::vector<test_support::HttpResponse>& answers) {
  std::set<std::int64_t> ids;
  for (const auto& answer : answers) {
    if (answer.status == 201) ids.insert(answer.Json().at("id").as_int64());
  }
  return ids;
}

std::vector<std::string> ProblemFields(const test_support::HttpResponse& response) {
  std::vector<std::string> fields;
  const auto problem = response.Json();
  if (!problem.is_object() || !problem.as_object().contains("errors")) return fields;
  for (const auto& error : problem.at("errors").as_array()) {
    fields.emplace_back(error.at("field").as_string());
  }
  return fields;
}

std::vector<std::int64_t> ItemIds(const test_support::HttpResponse& response) {
  std::vector<std::int64_t> ids;
  const auto page = response.Json();
  for (const auto& item : page.at("items").as_array()) ids.push_back(item.at("id").as_int64());
  return ids;
}

}  // namespace clinic::testing
