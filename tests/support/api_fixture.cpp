#include "support/api_fixture.hpp"

#include <boost/json/serialize.hpp>
#include <iostream>

#include "support/run_command.hpp"

namespace clinic::testing {

void ApiTest::SetUp() {
  CLINIC_SET_UP_TEST_DATABASE(database_, GetParam());
  std::string pattern = (std::filesystem::temp_directory_path() / "clinic-api-XXXXXX").string();
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  directory_ = pattern;
  const std::string docs = "sqlite://" + (directory_ / "docs.db").string();
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
  auto started = test_support::ClinicdProcess::Start({.args = args});
  ASSERT_TRUE(started.has_value()) << started.error().message;
  clinicd_ = std::move(*started);
  client_ = std::make_unique<test_support::HttpClient>(clinicd_->port());
  admin_token_ = Login("root", kAdminPassword);
}

void ApiTest::TearDown() {
  if (HasFailure() && clinicd_) std::cerr << "clinicd output:\n" << clinicd_->Output();
  client_.reset();
  clinicd_.reset();
  if (!directory_.empty()) std::filesystem::remove_all(directory_);
}

test_support::HttpResponse ApiTest::Call(const std::string& method, const std::string& target,
                                         const std::optional<boost::json::value>& body,
                                         const std::string& token) {
  test_support::HttpRequest request{.method = method, .target = target};
  if (body) {
    request.body = boost::json::serialize(*body);
    request.headers.emplace_back("Content-Type", "application/json");
  }
  if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
  auto response = client_->Send(request);
  EXPECT_TRUE(response.has_value())
      << method << " " << target << ": " << (response ? "" : response.error().message);
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

}  // namespace clinic::testing
