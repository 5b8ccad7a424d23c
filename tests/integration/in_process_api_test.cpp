// What a route's declaration promises, checked in process (router, route table and handlers, no
// socket): who may call it, its {id}, its query parameters; and a handler end to end.
#include "support/in_process_api.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

namespace clinic::testing {
namespace {

using http::Method;
using ::testing::HasSubstr;

boost::json::value Body(const http::Response& response) {
  return boost::json::parse(response.body());
}

class InProcessApiTest : public ::testing::Test {
 protected:
  InProcessApi api_;
};

TEST_F(InProcessApiTest, ALoginRouteWithoutASessionIs401AndAnAnonymousOneAnswers) {
  const auto refused = api_.Send(Method::get, "/api/v1/auth/me");
  EXPECT_EQ(refused.result_int(), 401);
  EXPECT_EQ(refused[boost::beast::http::field::content_type], "application/problem+json");
  EXPECT_EQ(api_.Send(Method::get, "/api/v1/auth/me", {}, "not-a-session").result_int(), 401);

  EXPECT_EQ(api_.Send(Method::get, "/api/v1/doctors").result_int(), 200)
      << "the doctor directory is public";
}

TEST_F(InProcessApiTest, TheCallerResolvedByTheTableIsTheOneTheHandlerServes) {
  const std::string token = api_.PatientToken("pat@example.org");
  const auto me = api_.Send(Method::get, "/api/v1/auth/me", {}, token);
  ASSERT_EQ(me.result_int(), 200) << me.body();
  EXPECT_EQ(Body(me).at("user").at("role"), "patient");
}

TEST_F(InProcessApiTest, AnUndeclaredQueryParameterIs400NamingItOnce) {
  const std::string token = api_.PatientToken("query@example.org");
  const auto answer =
      api_.Send(Method::get, "/api/v1/appointments?doctorid=1&doctorid=2&from=x", {}, token);
  ASSERT_EQ(answer.result_int(), 400) << answer.body();
  const auto body = Body(answer);
  const auto& errors = body.at("errors").as_array();
  ASSERT_EQ(errors.size(), 1U) << answer.body();
  EXPECT_EQ(errors[0].at("field"), "doctorid");
  EXPECT_THAT(std::string(errors[0].at("message").as_string()), HasSubstr("not a known"));
}

TEST_F(InProcessApiTest, APathIdThatIsNotARecordIdIs400BeforeTheHandlerRuns) {
  for (const char* target : {"/api/v1/doctors/abc", "/api/v1/doctors/0", "/api/v1/doctors/-3",
                             "/api/v1/doctors/99999999999999999999"}) {
    EXPECT_EQ(api_.Send(Method::get, target).result_int(), 400) << target;
  }
  EXPECT_EQ(api_.Send(Method::get, "/api/v1/doctors/12345").result_int(), 404);
}

TEST_F(InProcessApiTest, WhoIsCheckedBeforeWhatSoAnAnonymousCallerLearnsNothingOfTheRoute) {
  EXPECT_EQ(api_.Send(Method::get, "/api/v1/appointments/abc?bogus=1").result_int(), 401);
}

TEST_F(InProcessApiTest, UnknownPathsAndMethodsAreTheRoutersAnswers) {
  EXPECT_EQ(api_.Send(Method::get, "/api/v1/no-such-thing").result_int(), 404);
  const auto wrong_method = api_.Send(Method::put, "/api/v1/auth/login");
  EXPECT_EQ(wrong_method.result_int(), 405);
  EXPECT_THAT(std::string(wrong_method[boost::beast::http::field::allow]), HasSubstr("POST"));
}

TEST_F(InProcessApiTest, BookingASlotThatDoesNotExistIs400NamingTheSlot) {
  const std::string token = api_.PatientToken("book@example.org");
  const auto booked =
      api_.Send(Method::post, "/api/v1/appointments", R"({"slot_id": 424242})", token);
  ASSERT_EQ(booked.result_int(), 400) << booked.body();
  EXPECT_EQ(Body(booked).at("errors").at(0).at("field"), "slot_id");
  const auto malformed =
      api_.Send(Method::post, "/api/v1/appointments", R"({"slot_id": "one"})", token);
  EXPECT_EQ(malformed.result_int(), 400) << malformed.body();
}

}  // namespace
}  // namespace clinic::testing
