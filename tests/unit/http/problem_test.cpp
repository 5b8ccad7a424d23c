#include "clinic/http/problem.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "clinic/common/utf8.hpp"

namespace clinic::http {
namespace {

namespace bhttp = boost::beast::http;

struct CodeAndStatus {
  ErrorCode code;
  HttpStatus status;
};

constexpr CodeAndStatus kTable[] = {
    {ErrorCode::kInvalidArgument, HttpStatus::bad_request},
    {ErrorCode::kUnauthenticated, HttpStatus::unauthorized},
    {ErrorCode::kPermissionDenied, HttpStatus::forbidden},
    {ErrorCode::kNotFound, HttpStatus::not_found},
    {ErrorCode::kAlreadyExists, HttpStatus::conflict},
    {ErrorCode::kFailedPrecondition, HttpStatus::conflict},
    {ErrorCode::kAborted, HttpStatus::conflict},
    {ErrorCode::kPayloadTooLarge, HttpStatus::payload_too_large},
    {ErrorCode::kUnsupportedMediaType, HttpStatus::unsupported_media_type},
    {ErrorCode::kResourceExhausted, HttpStatus::too_many_requests},
    {ErrorCode::kUnavailable, HttpStatus::service_unavailable},
    {ErrorCode::kInternal, HttpStatus::internal_server_error},
};

TEST(ProblemTest, EveryErrorCodeMapsToItsStatus) {
  for (const auto& [code, status] : kTable) {
    EXPECT_EQ(HttpStatusFor(code), status) << ErrorCodeName(code);
  }
}

TEST(ProblemTest, EveryErrorCodeGivesAProblemDocument) {
  for (const auto& [code, status] : kTable) {
    Response response = Problem(Error{code, "what happened", {}});
    SCOPED_TRACE(std::string(ErrorCodeName(code)));
    EXPECT_EQ(response.result(), status);
    EXPECT_EQ(response[bhttp::field::content_type], "application/problem+json");
    auto body = boost::json::parse(response.body()).as_object();
    EXPECT_EQ(body.at("type").as_string(),
              "https://clinic.example/problems/" + std::string(ErrorCodeName(code)));
    EXPECT_EQ(body.at("title").as_string(), std::string(bhttp::obsolete_reason(status)));
    EXPECT_EQ(body.at("status").as_int64(), static_cast<int>(status));
    EXPECT_TRUE(body.at("errors").is_array());
    EXPECT_EQ(body.size(), 5u);
  }
}

TEST(ProblemTest, CarriesDetailAndFieldErrors) {
  Response response = Problem(Error::InvalidArgument(
      "email: is required", {{"email", "is required"}, {"weekly[2].start", "must be a time"}}));
  auto body = boost::json::parse(response.body()).as_object();
  EXPECT_EQ(body.at("title"), "Bad Request");
  EXPECT_EQ(body.at("detail"), "email: is required");
  const auto& errors = body.at("errors").as_array();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[1].at("field"), "weekly[2].start");
  EXPECT_EQ(errors[1].at("message"), "must be a time");
}

TEST(ProblemTest, ListsTheFirstFiftyFieldErrorsAndCountsTheRest) {
  std::vector<FieldError> fields;
  for (int i = 0; i < 20000; ++i)
    fields.push_back({"unknown_" + std::to_string(i), "is not allowed"});
  Response response = Problem(Error::InvalidArgument("unknown_0: is not allowed", fields));
  auto body = boost::json::parse(response.body()).as_object();
  EXPECT_EQ(body.at("errors").as_array().size(), 50u);
  EXPECT_EQ(body.at("errors").as_array()[49].at("field"), "unknown_49");
  EXPECT_EQ(body.at("errors_omitted"), 19950);
  EXPECT_LT(response.body().size(), 5000u);

  Response few = Problem(Error::InvalidArgument("a: is required", {{"a", "is required"}}));
  EXPECT_FALSE(boost::json::parse(few.body()).as_object().contains("errors_omitted"));
}

TEST(ProblemTest, WhatTheClientSentIsQuotedAsValidUtf8) {
  Response response = Problem(Error::InvalidArgument(
      "\xED\xA0\x80: is not a known parameter", {{"\xED\xA0\x80", "is not a known parameter"}}));
  EXPECT_TRUE(Utf8Length(response.body()).has_value());
  auto body = boost::json::parse(response.body()).as_object();
  EXPECT_EQ(body.at("errors").at(0).at("field"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(ProblemTest, InternalErrorsNeverLeakTheirMessage) {
  Response response = Problem(Error{ErrorCode::kInternal,
                                    "sqlite3_step: disk I/O error at /var/lib/clinic/db",
                                    {{"secret", "field"}}});
  EXPECT_EQ(response.result(), HttpStatus::internal_server_error);
  EXPECT_EQ(response.body().find("sqlite"), std::string::npos);
  EXPECT_EQ(response.body().find("secret"), std::string::npos);
  auto body = boost::json::parse(response.body()).as_object();
  EXPECT_TRUE(body.at("errors").as_array().empty());
  EXPECT_FALSE(body.at("detail").as_string().empty());
}

TEST(ProblemTest, UnauthorizedAddsBearerChallenge) {
  EXPECT_EQ(Problem(Error::Unauthenticated("log in"))[bhttp::field::www_authenticate], "Bearer");
  EXPECT_EQ(Problem(Error::PermissionDenied("no")).count(bhttp::field::www_authenticate), 0u);
}

TEST(ProblemTest, AnUnreachableDatabaseSaysWhenToTryAgain) {
  Response response = Problem(Error::Unavailable("cannot connect to the database"));
  EXPECT_EQ(response.result(), HttpStatus::service_unavailable);
  EXPECT_EQ(response[bhttp::field::retry_after], "1");
}

TEST(ProblemTest, ProtocolProblemsWithoutAnError) {
  auto document = ProblemDocument(HttpStatus::method_not_allowed, "method-not-allowed", "only GET");
  EXPECT_EQ(document.at("type"), "https://clinic.example/problems/method-not-allowed");
  EXPECT_EQ(document.at("title"), "Method Not Allowed");
  EXPECT_EQ(document.at("status"), 405);
}

TEST(ResponseTest, JsonAndTextHelpers) {
  Response json = Json(HttpStatus::created, boost::json::object{{"id", 7}});
  EXPECT_EQ(json.result(), HttpStatus::created);
  EXPECT_EQ(json[bhttp::field::content_type], "application/json");
  EXPECT_EQ(json.body(), R"({"id":7})");
  Response text = Text(HttpStatus::ok, "hi");
  EXPECT_EQ(text[bhttp::field::content_type], "text/plain; charset=utf-8");
  EXPECT_EQ(Empty(HttpStatus::no_content).body(), "");
}

}  // namespace
}  // namespace clinic::http
