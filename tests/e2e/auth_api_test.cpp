// Accounts and sessions over HTTP, against a real clinicd on SQLite and on MariaDB.

#include <fmt/format.h>
#include <gmock/gmock.h>

#include <algorithm>
#include <set>

#include "support/api_fixture.hpp"

namespace clinic::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class AuthApiTest : public ApiTest {};

boost::json::object Credentials(const std::string& email, const std::string& password) {
  return {{"email", email}, {"password", password}};
}

TEST_P(AuthApiTest, RegisterLoginMeLogoutThenTheTokenNoLongerWorks) {
  auto registered = Call("POST", "/api/v1/auth/register",
                         boost::json::object{{"first_name", "Ann"},
                                             {"last_name", "Lee"},
                                             {"email", "Ann.Lee@Example.com"},
                                             {"password", "correct horse battery"},
                                             {"phone", "+65 9123 4567"},
                                             {"date_of_birth", "1990-02-28"},
                                             {"gender", "female"}});
  ASSERT_EQ(registered.status, 201) << registered.body;
  const auto patient = registered.Json().as_object();
  EXPECT_EQ(patient.at("email"), "ann.lee@example.com");
  EXPECT_EQ(patient.at("phone"), "+6591234567");
  EXPECT_EQ(patient.at("date_of_birth"), "1990-02-28");
  EXPECT_FALSE(patient.contains("password_hash"));
  EXPECT_FALSE(patient.contains("password"));

  auto login = Call("POST", "/api/v1/auth/login",
                    Credentials("ann.lee@example.com", "correct horse battery"));
  ASSERT_EQ(login.status, 200) << login.body;
  const auto session = login.Json().as_object();
  const std::string token(session.at("token").as_string());
  EXPECT_GE(token.size(), 43u) << "at least 32 random bytes";
  EXPECT_EQ(session.at("user").at("role"), "patient");
  EXPECT_EQ(session.at("user").at("id"), patient.at("id"));
  EXPECT_THAT(std::string(session.at("expires_at").as_string()), ::testing::EndsWith("Z"));

  auto me = Call("GET", "/api/v1/auth/me", std::nullopt, token);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.Json().at("user").at("id"), patient.at("id"));

  EXPECT_EQ(Call("POST", "/api/v1/auth/logout", std::nullopt, token).status, 204);
  auto after = Call("GET", "/api/v1/auth/me", std::nullopt, token);
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.Header("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(after.Header("Content-Type"), "application/problem+json");
  EXPECT_EQ(Call("POST", "/api/v1/auth/logout", std::nullopt, token).status, 401);
}

TEST_P(AuthApiTest, TheOnlyStoredFormOfATokenIsItsHash) {
  const auto [id, token] = RegisterPatient("hash@example.com");
  auto connection = database().factory().Open();
  ASSERT_TRUE(connection);
  auto rows = (*connection)->Query("SELECT token_hash FROM sessions");
  ASSERT_TRUE(rows);
  for (const auto& row : *rows) {
    EXPECT_EQ(row.Text(0).size(), 64u);
    EXPECT_EQ(row.Text(0).find(token), std::string::npos);
  }
}

TEST_P(AuthApiTest, TheWebUiSessionIsAnHttpOnlyStrictCookie) {
  RegisterPatient("cookie@example.com");
  auto login =
      Call("POST", "/api/v1/auth/login", Credentials("cookie@example.com", "patient-password-1"));
  ASSERT_EQ(login.status, 200);
  const std::string cookie = login.Header("Set-Cookie");
  EXPECT_THAT(cookie, StartsWith("clinic_session="));
  EXPECT_THAT(cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(cookie, HasSubstr("SameSite=Strict"));
  const std::string pair = cookie.substr(0, cookie.find(';'));
  test_support::HttpClient browser(port());
  auto me = browser.Get("/api/v1/auth/me", {{"Cookie", "theme=dark; " + pair}});
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200) << me->body;
}

TEST_P(AuthApiTest, TheSessionCookieChangesNothingUnlessTheRequestComesFromThisSite) {
  const auto [id, token] = RegisterPatient("visitor@example.com");
  const std::string cookie = "clinic_session=" + token;
  const std::string own_origin = "http://127.0.0.1:" + std::to_string(port());
  const auto update = [&](test_support::HeaderList headers) {
    headers.emplace_back("Content-Type", "application/json");
    return Send({.method = "PATCH",
                 .target = "/api/v1/patients/me",
                 .body = R"({"first_name": "Changed"})",
                 .headers = std::move(headers)});
  };
  EXPECT_EQ(update({{"Cookie", cookie}}).status, 403) << "no sign of where it comes from";
  EXPECT_EQ(update({{"Cookie", cookie}, {"Origin", "https://evil.example"}}).status, 403);
  EXPECT_EQ(
      update({{"Cookie", cookie}, {"Sec-Fetch-Site", "cross-site"}, {"Origin", own_origin}}).status,
      403)
      << "the browser's own word wins";
  EXPECT_EQ(update({{"Cookie", cookie}, {"Sec-Fetch-Site", "same-site"}}).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/patients/" + std::to_string(id), std::nullopt, token)
                .Json()
                .at("first_name"),
            "Pat")
      << "nothing changed";

  EXPECT_EQ(update({{"Cookie", cookie}, {"Sec-Fetch-Site", "same-origin"}}).status, 200);
  EXPECT_EQ(update({{"Cookie", cookie}, {"Origin", own_origin}}).status, 200);
  EXPECT_EQ(update({{"Authorization", "Bearer " + token}}).status, 200) << "API clients";
  const auto read =
      Send({.method = "GET", .target = "/api/v1/auth/me", .headers = {{"Cookie", cookie}}});
  EXPECT_EQ(read.status, 200) << "reading needs no origin";

  const auto form_logout =
      Send({.method = "POST",
            .target = "/api/v1/auth/logout",
            .headers = {{"Authorization", "Bearer " + token},
                        {"Content-Type", "application/x-www-form-urlencoded"}}});
  EXPECT_EQ(form_logout.status, 415) << "a bodiless action takes no form";
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", std::nullopt, token).status, 200);
  EXPECT_EQ(Call("POST", "/api/v1/auth/logout", boost::json::object{{"all", true}}, token).status,
            400)
      << "no fields";
  EXPECT_EQ(Call("POST", "/api/v1/auth/logout", boost::json::object{}, token).status, 204)
      << "an empty object is no fields, as the web UI sends it";
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", std::nullopt, token).status, 401);
}

TEST_P(AuthApiTest, AWrongPasswordAndAnUnknownEmailLookAlike) {
  RegisterPatient("known@example.com");
  auto wrong = Call("POST", "/api/v1/auth/login", Credentials("known@example.com", "nope-nope-1"));
  auto unknown =
      Call("POST", "/api/v1/auth/login", Credentials("unknown@example.com", "nope-nope-1"));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.Json().at("detail"), unknown.Json().at("detail"));
}

// A counter's value from the server's /metrics (-1 when it is missing).
std::int64_t Counter(const test_support::HttpResponse& metrics, std::string_view name) {
  const std::string line_start = fmt::format("\n{} ", name);
  const auto at = metrics.body.find(line_start);
  if (at == std::string::npos) return -1;
  return std::stoll(metrics.body.substr(at + line_start.size()));
}

// Password checks so far.
std::int64_t Verifications(const test_support::HttpResponse& metrics) {
  return Counter(metrics, "clinic_password_verifications_total");
}

// Passwords hashed so far (registrations, new passwords).
std::int64_t Hashes(const test_support::HttpResponse& metrics) {
  return Counter(metrics, "clinic_password_hashes_total");
}

TEST_P(AuthApiTest, EveryFailingLoginCostsOnePasswordCheckWhateverTheAccountsState) {
  const auto [deleted_id, deleted_token] = RegisterPatient("gone@example.com", "gone-password-1");
  ASSERT_EQ(
      Call("DELETE", "/api/v1/patients/" + std::to_string(deleted_id), std::nullopt, admin_token_)
          .status,
      204);
  auto doctor = Call("POST", "/api/v1/doctors",
                     boost::json::object{{"first_name", "Rest"},
                                         {"last_name", "Ing"},
                                         {"email", "resting@clinic.example"},
                                         {"specialization", "Cardiology"},
                                         {"password", "resting-password-1"}},
                     admin_token_);
  ASSERT_EQ(doctor.status, 201) << doctor.body;
  ASSERT_EQ(Call("PATCH", "/api/v1/doctors/" + std::to_string(doctor.Json().at("id").as_int64()),
                 boost::json::object{{"is_active", false}}, admin_token_)
                .status,
            200);
  RegisterPatient("active@example.com", "active-password-1");

  struct Attempt {
    const char* email;
    const char* password;
  };
  for (const auto& [email, password] : {
           Attempt{"nobody@example.com", "some-password-1"},
           Attempt{"active@example.com", "wrong-password-1"},
           Attempt{"gone@example.com", "gone-password-1"},
           Attempt{"gone@example.com", "wrong-password-1"},
           Attempt{"resting@clinic.example", "resting-password-1"},
           Attempt{"resting@clinic.example", "wrong-password-1"},
       }) {
    const auto before = Verifications(Call("GET", "/metrics"));
    const auto login = Call("POST", "/api/v1/auth/login", Credentials(email, password));
    EXPECT_EQ(login.status, 401) << email;
    EXPECT_EQ(Verifications(Call("GET", "/metrics")) - before, 1) << email << " " << password;
  }
}

TEST_P(AuthApiTest, WrongCurrentPasswordsCountTowardTheAccountThrottleAndAreAudited) {
  const auto [id, token] = RegisterPatient("guessed@example.com", "the-real-password");
  for (int i = 1; i <= 10; ++i) {
    const auto refused =
        Call("POST", "/api/v1/auth/password",
             boost::json::object{{"current_password", "guess-" + std::to_string(i)},
                                 {"new_password", "new-password-12"}},
             token);
    EXPECT_EQ(refused.status, 400) << "attempt " << i;
  }
  const auto throttled = Call("POST", "/api/v1/auth/password",
                              boost::json::object{{"current_password", "the-real-password"},
                                                  {"new_password", "new-password-12"}},
                              token);
  EXPECT_EQ(throttled.status, 429);
  EXPECT_EQ(
      Call("POST", "/api/v1/auth/login", Credentials("guessed@example.com", "the-real-password"))
          .status,
      429)
      << "the same account throttle as logins";
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM audit_log WHERE action = "
                       "'auth.password_change.failure' AND entity_id = " +
                       std::to_string(id)),
            10);
}

TEST_P(AuthApiTest, TheEleventhFailureWithinAMinuteIsThrottled) {
  RegisterPatient("target@example.com", "the-real-password");
  for (int i = 1; i <= 10; ++i) {
    EXPECT_EQ(Call("POST", "/api/v1/auth/login",
                   Credentials("target@example.com", "guess-" + std::to_string(i)))
                  .status,
              401)
        << "attempt " << i;
  }
  auto throttled =
      Call("POST", "/api/v1/auth/login", Credentials("target@example.com", "guess-11-xx"));
  EXPECT_EQ(throttled.status, 429);
  EXPECT_FALSE(throttled.Header("Retry-After").empty());
  EXPECT_EQ(
      Call("POST", "/api/v1/auth/login", Credentials("TARGET@example.com", "the-real-password"))
          .status,
      429)
      << "while throttled, even the right password is not checked";
  RegisterPatient("bystander@example.com");
}

TEST_P(AuthApiTest, ConcurrentWrongPasswordsAreCheckedNoMoreThanTheLimit) {
  RegisterPatient("target@example.com", "the-real-password");
  const auto before = Verifications(Call("GET", "/metrics"));
  const auto statuses = Statuses(CallConcurrently(40, "POST", "/api/v1/auth/login", [](int i) {
    return Credentials("target@example.com", "guess-" + std::to_string(i));
  }));
  // Ten guesses are checked and refused (401); every other attempt is answered 429 unchecked.
  // (A login the password workers had no room for is a 429 too, answered before its attempt is
  // counted, so under a burst fewer than ten may be checked; never more.)
  const auto checked = std::count(statuses.begin(), statuses.end(), 401);
  EXPECT_GE(checked, 1);
  EXPECT_LE(checked, 10);
  EXPECT_EQ(checked + std::count(statuses.begin(), statuses.end(), 429), 40);
  EXPECT_EQ(Verifications(Call("GET", "/metrics")) - before, checked)
      << "each attempt is counted before its password is checked";
}

TEST_P(AuthApiTest, AdminsLogInByUsernameOrEmailAndTheirLastLoginIsKept) {
  EXPECT_FALSE(Login("root@clinic.example", kAdminPassword).empty());
  auto connection = database().factory().Open();
  auto rows = (*connection)->Query("SELECT last_login_at FROM admins WHERE username = 'root'");
  ASSERT_TRUE(rows);
  EXPECT_FALSE(rows->at(0).IsNull(0));
  auto both = Call(
      "POST", "/api/v1/auth/login",
      boost::json::object{
          {"username", "root"}, {"email", "root@clinic.example"}, {"password", kAdminPassword}});
  EXPECT_EQ(both.status, 400);
}

TEST_P(AuthApiTest, ChangingThePasswordEndsEverySession) {
  const auto [id, first] = RegisterPatient("changer@example.com", "old-password-1");
  const std::string second = Login("changer@example.com", "old-password-1");
  auto refused = Call("POST", "/api/v1/auth/password",
                      boost::json::object{{"current_password", "not-it-at-all"},
                                          {"new_password", "new-password-1"}},
                      first);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.Json().at("errors").at(0).at("field"), "current_password");
  auto changed = Call("POST", "/api/v1/auth/password",
                      boost::json::object{{"current_password", "old-password-1"},
                                          {"new_password", "new-password-1"}},
                      first);
  EXPECT_EQ(changed.status, 204) << changed.body;
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", std::nullopt, first).status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", std::nullopt, second).status, 401);
  EXPECT_EQ(Call("POST", "/api/v1/auth/login", Credentials("changer@example.com", "old-password-1"))
                .status,
            401);
  EXPECT_FALSE(Login("changer@example.com", "new-password-1").empty());
}

TEST_P(AuthApiTest, RegistrationNamesEveryBadFieldAndStoresNothing) {
  auto bad = Call("POST", "/api/v1/auth/register",
                  boost::json::object{{"first_name", std::string(300, 'a')},
                                      {"last_name", "  "},
                                      {"email", "not-an-email"},
                                      {"password", "short"},
                                      {"phone", "12345"},
                                      {"date_of_birth", "2999-01-01"}});
  ASSERT_EQ(bad.status, 400) << bad.body;
  std::set<std::string> fields;
  const auto problem = bad.Json();
  for (const auto& error : problem.at("errors").as_array()) {
    fields.insert(std::string(error.at("field").as_string()));
  }
  EXPECT_EQ(fields, (std::set<std::string>{"first_name", "last_name", "email", "password", "phone",
                                           "date_of_birth"}));
  RegisterPatient("taken@example.com");
  const auto hashes_before = Hashes(Call("GET", "/metrics"));
  ASSERT_GT(hashes_before, 0) << "the registration above hashed its password";
  auto taken = Call("POST", "/api/v1/auth/register",
                    boost::json::object{{"first_name", "Other"},
                                        {"last_name", "Person"},
                                        {"email", "Taken@Example.com"},
                                        {"password", "another-password"}});
  EXPECT_EQ(taken.status, 409);
  EXPECT_EQ(taken.Json().at("errors").at(0).at("field"), "email");
  EXPECT_EQ(Hashes(Call("GET", "/metrics")), hashes_before)
      << "a taken email is answered before any password is hashed";
  auto connection = database().factory().Open();
  auto rows = (*connection)->Query("SELECT COUNT(*) FROM patients");
  EXPECT_EQ(rows->at(0).Int(0), 1);
}

TEST_P(AuthApiTest, LoginsAreAuditedAndOnlyAdminsReadTheTrail) {
  const auto [id, token] = RegisterPatient("audited@example.com");
  Call("POST", "/api/v1/auth/login", Credentials("audited@example.com", "wrong-password"));
  EXPECT_EQ(Call("GET", "/api/v1/audit").status, 401);
  EXPECT_EQ(Call("GET", "/api/v1/audit", std::nullopt, token).status, 403);
  auto failures =
      Call("GET", "/api/v1/audit?action=auth.login.failure", std::nullopt, admin_token_);
  ASSERT_EQ(failures.status, 200) << failures.body;
  const auto listed = failures.Json();
  const auto& items = listed.at("items").as_array();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("entity"), "patient");
  EXPECT_EQ(items[0].at("entity_id"), id);
  EXPECT_EQ(items[0].at("actor_role"), "system");
  EXPECT_EQ(items[0].at("client_addr"), "127.0.0.1");
  auto successes = Call("GET", "/api/v1/audit?action=auth.login.success&actor_role=patient",
                        std::nullopt, admin_token_);
  EXPECT_EQ(successes.Json().at("items").as_array().size(), 1u);
  EXPECT_EQ(Call("GET", "/api/v1/audit?colour=red", std::nullopt, admin_token_).status, 400);
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(AuthApiTest);

// A lower per-address limit, so failures spread over many accounts from one address are caught.
class AddressThrottleTest : public ApiTest {
 protected:
  std::vector<std::string> ExtraFlags() const override {
    return {"--login-failures-per-address", "5"};
  }

  // Five failed logins on five accounts from this address, and the next account refused.
  void FailOnFiveAccounts() {
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(Call("POST", "/api/v1/auth/login",
                     Credentials("user" + std::to_string(i) + "@example.com", "some-password"))
                    .status,
                401);
    }
    EXPECT_EQ(
        Call("POST", "/api/v1/auth/login", Credentials("next@example.com", "some-password")).status,
        429)
        << "an account new to this address is throttled";
  }
};

TEST_P(AddressThrottleTest, ManyAccountsFromOneAddressAreThrottled) { FailOnFiveAccounts(); }

TEST_P(AddressThrottleTest, GuessesOnOtherAccountsDoNotLockOutSomeoneWhoLogsInFromHere) {
  // A clinic's front desk behind one address: a user who logged in here before is not locked out
  // by somebody at the next desk mistyping other accounts.
  RegisterPatient("worker@example.com", "worker-password-1");
  FailOnFiveAccounts();
  EXPECT_EQ(
      Call("POST", "/api/v1/auth/login", Credentials("worker@example.com", "worker-password-1"))
          .status,
      200);
}

TEST_P(AddressThrottleTest, AClientCannotEscapeTheThrottleByNamingAnotherAddress) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Call("POST", "/api/v1/auth/login",
                   Credentials("user" + std::to_string(i) + "@example.com", "some-password"), "",
                   {{"X-Forwarded-For", "198.51.100." + std::to_string(i)}})
                  .status,
              401);
  }
  EXPECT_EQ(Call("POST", "/api/v1/auth/login", Credentials("next@example.com", "some-password"), "",
                 {{"X-Forwarded-For", "198.51.100.99"}})
                .status,
            429)
      << "the server is not behind a trusted proxy here";
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(AddressThrottleTest);

// Behind a load balancer (here 127.0.0.1) every request comes from its address; the client is
// the one it names.
class TrustedProxyTest : public ApiTest {
 protected:
  std::vector<std::string> ExtraFlags() const override {
    return {"--login-failures-per-address", "5", "--trusted-proxies", "127.0.0.1,10.0.0.0/8"};
  }

  // A login by the client the load balancer names in X-Forwarded-For.
  test_support::HttpResponse LoginVia(const std::string& email, const std::string& password,
                                      const std::string& forwarded_for) {
    return Call("POST", "/api/v1/auth/login", Credentials(email, password), "",
                {{"X-Forwarded-For", forwarded_for}});
  }
};

TEST_P(TrustedProxyTest, EachClientBehindTheLoadBalancerIsThrottledOnItsOwn) {
  const auto login = [&](const std::string& email, const std::string& forwarded_for) {
    return LoginVia(email, "some-password", forwarded_for).status;
  };
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(login("user" + std::to_string(i) + "@example.com", "198.51.100.7"), 401);
  }
  EXPECT_EQ(login("next@example.com", "198.51.100.7"), 429);
  EXPECT_EQ(login("next@example.com", "1.2.3.4, 198.51.100.7"), 429)
      << "a client naming another address first is still itself";
  EXPECT_EQ(login("next@example.com", "198.51.100.8"), 401) << "another client is not throttled";
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login.failure' AND "
                       "client_addr = '198.51.100.8'"),
            1)
      << "the audit trail names the client, not the load balancer";
}

TEST_P(TrustedProxyTest, GuessingFromElsewhereNeverLocksTheOwnerOutWhereTheyLogIn) {
  const auto login = [&](const std::string& password, const std::string& forwarded_for) {
    return LoginVia("owner@example.com", password, forwarded_for);
  };
  RegisterPatient("owner@example.com", "owner-password-1");  // logs in from 127.0.0.1
  // Ten guesses from two addresses (five each: the per-address limit here).
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(
        login("guess-" + std::to_string(i), i % 2 == 0 ? "198.51.100.7" : "198.51.100.8").status,
        401);
  }
  const auto blocked = login("guess-10", "198.51.100.9");
  EXPECT_EQ(blocked.status, 429);
  EXPECT_EQ(blocked.Header("Retry-After"), "60");
  EXPECT_EQ(login("owner-password-1", "203.0.113.9").status, 429)
      << "the account is throttled wherever it has not logged in before";
  EXPECT_EQ(Call("POST", "/api/v1/auth/login", Credentials("owner@example.com", "owner-password-1"))
                .status,
            200)
      << "but not where its owner logs in";
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(TrustedProxyTest);

// Self-registration from one address is limited, so a flood of sign-ups (or of duplicate emails)
// cannot fill the database or the hashing queue.
class RegistrationThrottleTest : public ApiTest {
 protected:
  std::vector<std::string> ExtraFlags() const override {
    return {"--registrations-per-address", "3"};
  }
};

TEST_P(RegistrationThrottleTest, AnAddressRegistersOnlySoManyAccountsAnHour) {
  const auto register_as = [&](const std::string& email) {
    return Call("POST", "/api/v1/auth/register",
                boost::json::object{{"first_name", "Pat"},
                                    {"last_name", "Ient"},
                                    {"email", email},
                                    {"password", "patient-password-1"}});
  };
  EXPECT_EQ(register_as("one@example.com").status, 201);
  EXPECT_EQ(register_as("one@example.com").status, 409) << "a taken email counts too";
  EXPECT_EQ(register_as("two@example.com").status, 201);
  const auto refused = register_as("three@example.com");
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(refused.Header("Retry-After"), "3600");
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM patients"), 2);
  EXPECT_EQ(Call("POST", "/api/v1/patients",
                 boost::json::object{
                     {"first_name", "Desk"}, {"last_name", "Made"}, {"email", "desk@example.com"}},
                 admin_token_)
                .status,
            201)
      << "the front desk creating patients is not self-registration";
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(RegistrationThrottleTest);

}  // namespace
}  // namespace clinic::testing
