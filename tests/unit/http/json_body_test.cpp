#include "clinic/http/json_body.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "clinic/http/query_params.hpp"
#include "support/matchers.hpp"

namespace clinic::http {

using ::clinic::testing::StatusIs;
namespace {

using ::testing::ElementsAre;
using ::testing::Field;

Request JsonRequest(std::string body, std::string content_type = "application/json") {
  Request request = Request::FromTarget(Method::post, "/x").value();
  if (!content_type.empty()) {
    request.headers.set(boost::beast::http::field::content_type, content_type);
  }
  request.body = std::move(body);
  return request;
}

// "field: message" for each collected error, to compare lists in one line.
std::vector<std::string> Problems(const Status& status) {
  std::vector<std::string> problems;
  if (status) return problems;
  for (const auto& field : status.error().fields) {
    problems.push_back(field.field + ": " + field.message);
  }
  return problems;
}

TEST(ParseJsonObjectTest, AcceptsJsonContentTypes) {
  for (auto type : {"application/json", "application/json; charset=utf-8",
                    "Application/JSON;charset=\"UTF-8\"", "application/json ; charset=utf-8"}) {
    auto object = ParseJsonObject(JsonRequest(R"({"a": 1})", type));
    ASSERT_TRUE(object.has_value()) << type << ": " << object.error().message;
    EXPECT_EQ(object->at("a"), 1);
  }
}

TEST(ParseJsonObjectTest, ADuplicateKeyIs400NamingIt) {
  struct Case {
    const char* body;
    const char* field;
  };
  for (const auto& [body, field] : {
           Case{R"({"amount": 1, "amount": 100000})", "amount"},
           Case{R"({"a": 1, "\u0061": 2})", "a"},
           Case{R"({"weekly": [{"day": 1}, {"day": 2, "start": "09:00", "day": 3}]})",
                "weekly[1].day"},
           Case{R"({"outer": {"inner": {"x": 1, "x": 1}}})", "outer.inner.x"},
       }) {
    auto object = ParseJsonObject(JsonRequest(body));
    ASSERT_FALSE(object.has_value()) << body;
    EXPECT_THAT(object, StatusIs(ErrorCode::kInvalidArgument)) << body;
    const auto& fields = object.error().fields;
    ASSERT_EQ(fields.size(), 1u) << body;
    EXPECT_EQ(fields[0].field, field);
    EXPECT_EQ(fields[0].message, "appears more than once");
  }
  auto same_key_in_two_objects = ParseJsonObject(JsonRequest(R"({"a": {"x": 1}, "b": {"x": 2}})"));
  EXPECT_TRUE(same_key_in_two_objects.has_value());
}

TEST(ParseJsonObjectTest, WrongOrMissingContentTypeIs415) {
  for (auto type :
       {"", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1",
        "application/jsonx", "application/json; boundary=x"}) {
    auto object = ParseJsonObject(JsonRequest(R"({"a": 1})", type));
    ASSERT_FALSE(object.has_value()) << type;
    EXPECT_THAT(object, StatusIs(ErrorCode::kUnsupportedMediaType)) << type;
  }
}

TEST(ParseJsonObjectTest, MalformedJsonIs400WithPosition) {
  auto object = ParseJsonObject(JsonRequest("{\n  \"a\": 1,\n  \"b\": }"));
  ASSERT_FALSE(object.has_value());
  EXPECT_THAT(object, StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_NE(object.error().message.find("not valid JSON"), std::string::npos);
  EXPECT_NE(object.error().message.find("line 3"), std::string::npos) << object.error().message;

  for (auto body : {"", "{", R"({"a": 1} trailing)", "{\"a\": \"\xff\"}", "{'a': 1}"}) {
    auto result = ParseJsonObject(JsonRequest(body));
    ASSERT_FALSE(result.has_value()) << body;
    EXPECT_THAT(result, StatusIs(ErrorCode::kInvalidArgument)) << body;
  }
}

TEST(ParseJsonObjectTest, AllowsWhitespaceAroundTheObject) {
  auto object = ParseJsonObject(JsonRequest(" \n{\"a\": 1}\n"));
  ASSERT_TRUE(object.has_value()) << object.error().message;
  EXPECT_EQ(object->at("a"), 1);
}

TEST(ParseJsonObjectTest, NonObjectsAre400) {
  for (auto body : {"[1, 2]", "\"text\"", "42", "null"}) {
    auto object = ParseJsonObject(JsonRequest(body));
    ASSERT_FALSE(object.has_value()) << body;
    EXPECT_EQ(object.error().message, "The request body must be a JSON object.");
  }
}

TEST(ParseJsonObjectTest, LimitsNestingDepth) {
  std::string shallow = R"({"a": [[[{"b": 1}]]]})";
  EXPECT_TRUE(ParseJsonObject(JsonRequest(shallow)).has_value());
  std::string deep = std::string(100, '[') + std::string(100, ']');
  auto object = ParseJsonObject(JsonRequest(R"({"a": )" + deep + "}"));
  ASSERT_FALSE(object.has_value());
  EXPECT_NE(object.error().message.find("nested deeper"), std::string::npos)
      << object.error().message;
}

TEST(ParseJsonObjectTest, OptionalBodyMayBeEmpty) {
  auto empty = ParseOptionalJsonObject(JsonRequest("", ""));
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->empty());
  EXPECT_FALSE(ParseOptionalJsonObject(JsonRequest("{}", "text/plain")).has_value());
}

boost::json::object Parse(std::string_view json) { return boost::json::parse(json).as_object(); }

TEST(JsonFieldsTest, ReadsValidFields) {
  auto body = Parse(R"({"name": "Ada", "age": 36, "active": true,
                        "start": "2026-12-01T17:00:00+08:00", "day": "2026-12-01",
                        "gender": "female", "tags": ["a", "b"], "phone": null})");
  JsonFields fields(body);
  EXPECT_EQ(fields.RequiredString("name"), "Ada");
  EXPECT_EQ(fields.RequiredInt("age", {.min = 0, .max = 150}), 36);
  EXPECT_EQ(fields.OptionalBool("active"), true);
  EXPECT_EQ(
      fields.RequiredInstant("start"),
      Instant(std::chrono::sys_days(std::chrono::year(2026) / 12 / 1) + std::chrono::hours(9)));
  EXPECT_EQ(fields.RequiredDate("day"), std::chrono::year(2026) / 12 / 1);
  EXPECT_EQ(fields.RequiredEnum("gender", {"male", "female", "other"}), "female");
  EXPECT_EQ(fields.StringArray("tags", {}), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(fields.IsNull("phone"));
  EXPECT_FALSE(fields.OptionalString("email").has_value());
  EXPECT_TRUE(fields.Finish().has_value());
}

TEST(JsonFieldsTest, CollectsEveryProblemAndRejectsUnknownFields) {
  auto body = Parse(R"({"name": 7, "age": "36", "active": 1, "start": "tomorrow",
                        "gender": "robot", "extra": 1, "count": 1.5,
                        "big": 18446744073709551615, "tags": ["a", 2]})");
  JsonFields fields(body);
  fields.RequiredString("name");
  fields.RequiredInt("age");
  fields.RequiredBool("active");
  fields.OptionalInstant("start");
  fields.OptionalEnum("gender", {"male", "female"});
  fields.RequiredString("email");
  fields.OptionalInt("count");
  fields.OptionalInt("big", {.max = 100});
  fields.StringArray("tags", {});
  auto status = fields.Finish();
  ASSERT_FALSE(status.has_value());
  EXPECT_THAT(status, StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(Problems(status),
              ElementsAre("name: must be a string", "age: must be an integer",
                          "active: must be true or false",
                          "start: must be an RFC 3339 timestamp such as 2026-12-01T09:00:00Z",
                          "gender: must be one of: male, female", "email: is required",
                          "count: must be an integer", "big: must be at most 100",
                          "tags[1]: must be a string", "extra: is not a known field"));
  EXPECT_EQ(status.error().message, "name: must be a string (and 9 more problems)");
}

// What text may say is the service's rule (domain::Validator), judged once there: the reader
// hands over any string as it came, so a field never breaks two rules with two wordings.
TEST(JsonFieldsTest, StringsAreHandedOverAsTheyCame) {
  const std::string long_name(300, 'x');
  auto body = Parse(R"({"blank": "", "bio": "line one\nline two", "nul": "a\u0000b", "long": ")" +
                    long_name + R"("})");
  JsonFields fields(body);
  EXPECT_EQ(fields.RequiredString("blank"), "");
  EXPECT_EQ(fields.RequiredString("bio"), "line one\nline two");
  EXPECT_EQ(fields.RequiredString("nul"), std::string("a\0b", 3));
  EXPECT_EQ(fields.RequiredString("long"), long_name);
  EXPECT_TRUE(fields.Finish().has_value());
}

TEST(JsonFieldsTest, RequiredNullIsReported) {
  auto body = Parse(R"({"name": null})");
  JsonFields fields(body);
  fields.RequiredString("name");
  EXPECT_THAT(Problems(fields.Finish()), ElementsAre("name: must not be null"));
}

TEST(JsonFieldsTest, NestedObjectsAndArraysReportJsonPaths) {
  auto body = Parse(R"({"location_id": 1,
                        "weekly": [{"weekday": 1, "start": "09:00"},
                                   {"weekday": 9, "start": "09:00", "colour": "red"},
                                   "not an object"],
                        "client": {"ua": "x", "platform": 3},
                        "tags": ["ok", 5, ""]})");
  JsonFields fields(body);
  fields.RequiredInt("location_id");
  fields.ObjectArray("weekly", {.required = true, .min_items = 1, .max_items = 7},
                     [](JsonFields& item) {
                       item.RequiredInt("weekday", {.min = 1, .max = 7});
                       item.RequiredString("start");
                       item.RequiredString("end");
                     });
  fields.Object("client", false, [](JsonFields& client) {
    client.OptionalString("ua");
    client.OptionalString("platform");
  });
  fields.StringArray("tags", {.max_items = 5});
  EXPECT_THAT(
      Problems(fields.Finish()),
      ElementsAre("weekly[0].end: is required", "weekly[1].weekday: must be between 1 and 7",
                  "weekly[1].end: is required", "weekly[1].colour: is not a known field",
                  "weekly[2]: must be an object", "client.platform: must be a string",
                  "tags[1]: must be a string"));
}

TEST(JsonFieldsTest, ArrayLimitsAndCrossFieldErrors) {
  auto body = Parse(R"({"tags": ["a", "b", "c"], "list": [], "from": 5, "to": 3})");
  JsonFields fields(body);
  fields.StringArray("tags", {.max_items = 2});
  fields.ObjectArray("list", {.required = true, .min_items = 1}, [](JsonFields&) {});
  auto from = fields.RequiredInt("from");
  auto to = fields.RequiredInt("to");
  if (to < from) fields.AddError("to", "must not be before from");
  fields.ObjectArray("absent", {}, [](JsonFields&) { ADD_FAILURE() << "no items to read"; });
  EXPECT_THAT(Problems(fields.Finish()),
              ElementsAre("tags: must have at most 2 item(s)", "list: must have at least 1 item(s)",
                          "to: must not be before from"));
}

TEST(JsonFieldsTest, FinishReportsInvalidFieldsAsOneError) {
  auto body = Parse(R"({"a": 1})");
  JsonFields fields(body);
  fields.RequiredString("a");
  auto status = fields.Finish();
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().message, "a: must be a string");
  EXPECT_THAT(status.error().fields, ElementsAre(Field(&FieldError::field, "a")));
}

Request QueryRequest(std::string_view target) {
  return Request::FromTarget(Method::get, target).value();
}

TEST(QueryFieldsTest, ReadsTypedParametersAndPage) {
  Request request = QueryRequest(
      "/slots?doctor_id=7&available=true&from=2026-12-01T09:00:00Z&day=2026-12-01&"
      "status=booked&q=Ada+L&limit=20&cursor=abc&to=");
  QueryFields query(request);
  EXPECT_EQ(query.OptionalInt("doctor_id", {.min = 1}), 7);
  EXPECT_EQ(query.OptionalBool("available"), true);
  EXPECT_TRUE(query.OptionalInstant("from").has_value());
  EXPECT_FALSE(query.OptionalInstant("to").has_value());
  EXPECT_EQ(query.OptionalDate("day"), std::chrono::year(2026) / 12 / 1);
  EXPECT_EQ(query.OptionalEnum("status", {"booked", "cancelled"}), "booked");
  EXPECT_EQ(query.OptionalString("q"), "Ada L");
  PageParams page = query.Page();
  EXPECT_EQ(page.limit, 20);
  EXPECT_EQ(page.cursor, "abc");
  EXPECT_TRUE(query.Finish().has_value());
}

TEST(QueryFieldsTest, DefaultPageAndCollectedProblems) {
  Request defaults = QueryRequest("/slots");
  QueryFields empty(defaults);
  EXPECT_EQ(empty.Page().limit, 50);
  EXPECT_TRUE(empty.Finish().has_value());

  Request request = QueryRequest(
      "/slots?limit=500&doctor_id=x&available=maybe&from=now&id=1&id=2&q=%ED%A0%80&debug=1");
  QueryFields query(request);
  query.Page();
  query.OptionalInt("doctor_id");
  query.OptionalBool("available");
  query.OptionalInstant("from");
  query.OptionalInt("id");
  query.OptionalString("q");
  EXPECT_THAT(Problems(query.Finish()),
              ElementsAre("limit: must be between 1 and 200", "doctor_id: must be an integer",
                          "available: must be true or false",
                          "from: must be an RFC 3339 timestamp such as 2026-12-01T09:00:00Z",
                          "id: must be given at most once", "q: must be valid UTF-8",
                          "debug: is not a known query parameter"));
}

}  // namespace
}  // namespace clinic::http
