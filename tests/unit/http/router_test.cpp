#include "clinic/http/router.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <stdexcept>

#include "support/matchers.hpp"

namespace clinic::http {

using ::clinic::testing::StatusIs;
namespace {

// A handler that answers with its own name, to see which route a match picked.
Handler Named(std::string name) {
  return [name](Request&) -> Result<Response> { return Text(HttpStatus::ok, name); };
}

std::vector<std::string> Segments(std::string_view target) {
  return Request::FromTarget(Method::get, target).value().segments;
}

std::string HandlerName(const RouteMatch& match) {
  Request request;
  return match.route->handler(request).value().body();
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add(Method::get, "/api/v1/doctors", Named("list doctors"));
    router_.Add(Method::post, "/api/v1/doctors", Named("create doctor"));
    router_.Add(Method::get, "/api/v1/doctors/{id}", Named("get doctor"));
    router_.Add(Method::patch, "/api/v1/doctors/{id}", Named("patch doctor"));
    router_.Add(Method::get, "/api/v1/doctors/me", Named("get me"));
    router_.Add(Method::get, "/api/v1/doctors/{doctor_id}/slots", Named("doctor slots"));
    router_.Add(Method::get, "/", Named("root"));
  }

  RouteMatch Match(Method method, std::string_view target) const {
    return router_.Match(method, Segments(target));
  }

  Router router_;
};

TEST_F(RouterTest, MatchesLiteralRoutes) {
  auto match = Match(Method::get, "/api/v1/doctors");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(HandlerName(match), "list doctors");
  EXPECT_EQ(match.label, "/api/v1/doctors");
  EXPECT_TRUE(match.path_params.empty());
  EXPECT_EQ(HandlerName(Match(Method::post, "/api/v1/doctors")), "create doctor");
  EXPECT_EQ(HandlerName(Match(Method::get, "/")), "root");
}

TEST_F(RouterTest, CapturesDecodedPathParameters) {
  auto match = Match(Method::get, "/api/v1/doctors/a%20b/slots");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(HandlerName(match), "doctor slots");
  EXPECT_EQ(match.label, "/api/v1/doctors/{doctor_id}/slots");
  ASSERT_EQ(match.path_params.size(), 1u);
  EXPECT_EQ(match.path_params[0].first, "doctor_id");
  EXPECT_EQ(match.path_params[0].second, "a b");
}

TEST_F(RouterTest, ExactSegmentWinsOverParameter) {
  EXPECT_EQ(HandlerName(Match(Method::get, "/api/v1/doctors/me")), "get me");
  EXPECT_EQ(HandlerName(Match(Method::get, "/api/v1/doctors/7")), "get doctor");
}

TEST_F(RouterTest, ParameterBranchIsTriedWhenTheLiteralBranchLacksTheMethod) {
  auto match = Match(Method::patch, "/api/v1/doctors/me");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(HandlerName(match), "patch doctor");
  EXPECT_EQ(match.path_params[0].second, "me");
}

TEST_F(RouterTest, KnownPathWithWrongMethodIs405WithAllow) {
  auto match = Match(Method::delete_, "/api/v1/doctors");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_EQ(match.rejection, HttpStatus::method_not_allowed);
  EXPECT_EQ(match.allow, "GET, HEAD, POST");
  EXPECT_EQ(match.label, "/api/v1/doctors");

  Response response = RejectionResponse(match);
  EXPECT_EQ(response.result(), HttpStatus::method_not_allowed);
  EXPECT_EQ(response[boost::beast::http::field::allow], "GET, HEAD, POST");
  EXPECT_EQ(response[boost::beast::http::field::content_type], "application/problem+json");
  auto body = boost::json::parse(response.body()).as_object();
  EXPECT_EQ(body.at("status"), 405);
  EXPECT_EQ(body.at("type"), "https://clinic.example/problems/method-not-allowed");
}

TEST_F(RouterTest, UnknownPathIs404WithBoundedLabel) {
  for (auto target : {"/api/v1/nurses", "/api/v1/doctors/7/slots/9", "/api/v1/doctors//slots",
                      "/api/v1/doctors/", "/nothing"}) {
    auto match = Match(Method::get, target);
    EXPECT_EQ(match.route, nullptr) << target;
    EXPECT_EQ(match.rejection, HttpStatus::not_found) << target;
    EXPECT_EQ(match.label, kUnmatchedRouteLabel) << target;
  }
  Response response = RejectionResponse(Match(Method::get, "/nothing"));
  EXPECT_EQ(response.result(), HttpStatus::not_found);
  EXPECT_EQ(response[boost::beast::http::field::content_type], "application/problem+json");
}

TEST_F(RouterTest, HeadIsServedByGet) {
  auto match = Match(Method::head, "/api/v1/doctors/7");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(HandlerName(match), "get doctor");
}

TEST_F(RouterTest, FallbackServesGetAndHeadOutsideApi) {
  router_.SetFallback("static", Named("static"));
  auto match = Match(Method::get, "/app.js");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(HandlerName(match), "static");
  EXPECT_EQ(match.label, "static");
  EXPECT_NE(Match(Method::head, "/css/site.css").route, nullptr);

  auto post = Match(Method::post, "/app.js");
  EXPECT_EQ(post.route, nullptr);
  EXPECT_EQ(post.rejection, HttpStatus::method_not_allowed);
  EXPECT_EQ(post.allow, "GET, HEAD");
}

TEST_F(RouterTest, ApiPathsNeverFallIntoTheFallback) {
  router_.SetFallback("static", Named("static"));
  for (auto target : {"/api", "/api/v1/nurses", "/api/openapi.html"}) {
    auto match = Match(Method::get, target);
    EXPECT_EQ(match.route, nullptr) << target;
    EXPECT_EQ(match.rejection, HttpStatus::not_found) << target;
  }
  EXPECT_NE(Match(Method::get, "/apiary").route, nullptr);
}

TEST_F(RouterTest, RoutesWinOverTheFallback) {
  router_.SetFallback("static", Named("static"));
  EXPECT_EQ(HandlerName(Match(Method::get, "/")), "root");
}

TEST_F(RouterTest, KeepsRouteOptions) {
  router_.Add(Method::post, "/api/v1/attachments", Named("upload"),
              {.max_body_bytes = 10 << 20, .execution = Execution::kWorkerPool});
  router_.Add(Method::get, "/metrics", Named("metrics"), {.execution = Execution::kIoThread});
  auto upload = Match(Method::post, "/api/v1/attachments");
  ASSERT_NE(upload.route, nullptr);
  EXPECT_EQ(upload.route->options.max_body_bytes, std::size_t{10 << 20});
  auto metrics = Match(Method::get, "/metrics");
  EXPECT_EQ(metrics.route->options.execution, Execution::kIoThread);
  EXPECT_FALSE(metrics.route->options.max_body_bytes.has_value());
}

TEST(RouterPatternTest, RejectsInvalidPatternsAndClashes) {
  Router router;
  for (auto pattern :
       {"", "api", "/a//b", "/a/{", "/a/{}", "/a/x{id}", "/a/{id}x", "/a/{i-d}", "/a/{id}/{id}"}) {
    EXPECT_THROW(router.Add(Method::get, pattern, Named("x")), std::invalid_argument) << pattern;
  }
  router.Add(Method::get, "/a/{id}", Named("x"));
  EXPECT_THROW(router.Add(Method::get, "/a/{other}", Named("y")), std::invalid_argument);
  EXPECT_NO_THROW(router.Add(Method::put, "/a/{other}", Named("y")));
}

TEST(RequestTest, FromTargetDecodesPathAndQuery) {
  auto request = Request::FromTarget(Method::get, "/api/v1/slots?doctor_id=7&q=a+b%21&flag&q=2");
  ASSERT_TRUE(request.has_value());
  EXPECT_EQ(request->path, "/api/v1/slots");
  EXPECT_EQ(request->segments, (std::vector<std::string>{"api", "v1", "slots"}));
  ASSERT_EQ(request->query.size(), 4u);
  EXPECT_EQ(request->QueryParam("q"), "a b!");
  EXPECT_EQ(request->QueryParam("flag"), "");
  EXPECT_FALSE(request->QueryParam("missing").has_value());

  EXPECT_TRUE(Request::FromTarget(Method::get, "/").value().segments.empty());
  EXPECT_EQ(Request::FromTarget(Method::get, "http://example.com/x?y=1").value().path, "/x");
  EXPECT_FALSE(Request::FromTarget(Method::get, "no-slash").has_value());
  EXPECT_FALSE(Request::FromTarget(Method::get, "/bad%zzescape").has_value());
}

TEST(RequestTest, PathIdAcceptsOnlyPositiveIntegers) {
  Request request;
  request.path_params = {{"id", "42"}, {"bad", "4x"}, {"zero", "0"}, {"neg", "-1"}};
  EXPECT_EQ(request.PathId("id").value(), 42);
  for (auto name : {"bad", "zero", "neg", "absent"}) {
    auto id = request.PathId(name);
    ASSERT_FALSE(id.has_value()) << name;
    EXPECT_THAT(id, StatusIs(ErrorCode::kInvalidArgument));
    ASSERT_EQ(id.error().fields.size(), 1u);
    EXPECT_EQ(id.error().fields[0].field, name);
  }
}

}  // namespace
}  // namespace clinic::http
