#include "clinic/http/operations_routes.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <chrono>
#include <future>
#include <thread>

namespace clinic::http {
namespace {

namespace bhttp = boost::beast::http;
using ::testing::HasSubstr;

Response Call(const Router& router, std::string_view target) {
  auto request = Request::FromTarget(Method::get, target).value();
  auto match = router.Match(Method::get, request.segments);
  if (match.route == nullptr) return RejectionResponse(match);
  return match.route->handler(request).value();
}

TEST(OperationsRoutesTest, HealthIsOkWhenEveryCheckPasses) {
  Router router;
  AddOperationsRoutes(router, {.health_probe = [] {
                        return std::vector<HealthCheck>{{"database", Ok()}, {"documents", Ok()}};
                      }});
  Response response = Call(router, "/health");
  EXPECT_EQ(response.result(), HttpStatus::ok);
  EXPECT_EQ(response[bhttp::field::content_type], "application/json");
  EXPECT_EQ(boost::json::parse(response.body()),
            boost::json::parse(R"({"status":"ok","checks":{"database":{"status":"ok"},
                                   "documents":{"status":"ok"}}})"));
}

TEST(OperationsRoutesTest, HealthIs503ProblemNamingTheFailedCheck) {
  Router router;
  AddOperationsRoutes(router, {.health_probe = [] {
                        return std::vector<HealthCheck>{
                            {"database", Fail(Error::Unavailable("cannot connect"))},
                            {"documents", Ok()},
                            {"files", Fail(Error::Internal("EIO on /srv/secret"))}};
                      }});
  Response response = Call(router, "/health");
  EXPECT_EQ(response.result(), HttpStatus::service_unavailable);
  EXPECT_EQ(response[bhttp::field::content_type], "application/problem+json");
  auto body = boost::json::parse(response.body()).as_object();
  EXPECT_EQ(body.at("type"), "https://clinic.example/problems/unavailable");
  EXPECT_EQ(body.at("status"), 503);
  EXPECT_THAT(std::string(body.at("detail").as_string()), HasSubstr("database: cannot connect"));
  EXPECT_EQ(body.at("checks").at("database"),
            boost::json::parse(R"({"status":"error","message":"cannot connect"})"));
  EXPECT_EQ(body.at("checks").at("documents").at("status"), "ok");
  EXPECT_EQ(response.body().find("/srv/secret"), std::string::npos);
}

TEST(OperationsRoutesTest, ReadinessFailsOnlyOnEssentialChecksAndLivenessChecksNothing) {
  Status database = Ok();
  Router router;
  AddOperationsRoutes(router, {.health_probe = [&database] {
                        return std::vector<HealthCheck>{
                            {"database", database},
                            {"documents", Fail(Error::Unavailable("no MongoDB server answers")),
                             /*essential=*/false}};
                      }});
  EXPECT_EQ(Call(router, "/health").result(), HttpStatus::service_unavailable)
      << "monitoring sees every failure";
  Response ready = Call(router, "/health/ready");
  EXPECT_EQ(ready.result(), HttpStatus::ok) << "it can still book";
  auto body = boost::json::parse(ready.body()).as_object();
  EXPECT_EQ(body.at("status"), "degraded");
  EXPECT_EQ(body.at("checks").at("documents").at("status"), "error");
  EXPECT_EQ(body.at("checks").at("database").at("status"), "ok");

  database = Fail(Error::Unavailable("cannot connect"));
  EXPECT_EQ(Call(router, "/health/ready").result(), HttpStatus::service_unavailable);
  Response live = Call(router, "/health/live");
  EXPECT_EQ(live.result(), HttpStatus::ok);
  EXPECT_EQ(boost::json::parse(live.body()), boost::json::parse(R"({"status":"ok"})"));
}

TEST(OperationsRoutesTest, HealthProbesOncePerCachePeriod) {
  for (const auto cache : {std::chrono::milliseconds(0), std::chrono::milliseconds(3600000)}) {
    int probes = 0;
    Router router;
    AddOperationsRoutes(router, {.health_probe =
                                     [&probes] {
                                       ++probes;
                                       return std::vector<HealthCheck>{{"database", Ok()}};
                                     },
                                 .health_cache = cache});
    for (int i = 0; i < 3; ++i) EXPECT_EQ(Call(router, "/health").result(), HttpStatus::ok);
    EXPECT_EQ(probes, cache.count() == 0 ? 3 : 1) << cache.count();
  }
}

// Calls /health until it answers `status` or `patience` runs out; the last answer.
Response HealthUntil(const Router& router, HttpStatus status, std::chrono::seconds patience) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  Response response = Call(router, "/health");
  while (response.result() != status && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    response = Call(router, "/health");
  }
  return response;
}

TEST(OperationsRoutesTest, TheBackgroundProbeShowsAnOutageAndTheRecovery) {
  std::atomic<bool> down{false};
  Router router;
  AddOperationsRoutes(
      router, {.health_probe =
                   [&down] {
                     return std::vector<HealthCheck>{
                         {"database", down ? Fail(Error::Unavailable("gone")) : Status(Ok())}};
                   },
               .health_cache = std::chrono::milliseconds(20)});
  EXPECT_EQ(Call(router, "/health").result(), HttpStatus::ok);
  down = true;
  EXPECT_EQ(HealthUntil(router, HttpStatus::service_unavailable, std::chrono::seconds(10)).result(),
            HttpStatus::service_unavailable);
  down = false;
  EXPECT_EQ(HealthUntil(router, HttpStatus::ok, std::chrono::seconds(10)).result(), HttpStatus::ok);
}

TEST(OperationsRoutesTest, AProbeThatNeverFinishesMakesHealthFail) {
  std::promise<void> release;
  const std::shared_future<void> released = release.get_future().share();
  std::atomic<int> probes{0};
  {
    Router router;
    AddOperationsRoutes(router, {.health_probe =
                                     [&probes, released] {
                                       // The first probe answers; the next ones hang until the
                                       // end of the test, like a database that stopped answering.
                                       if (probes++ > 0) released.wait();
                                       return std::vector<HealthCheck>{{"database", Ok()}};
                                     },
                                 .health_cache = std::chrono::milliseconds(10)});
    EXPECT_EQ(Call(router, "/health").result(), HttpStatus::ok);
    Response stuck = HealthUntil(router, HttpStatus::service_unavailable, std::chrono::seconds(10));
    EXPECT_EQ(stuck.result(), HttpStatus::service_unavailable);
    EXPECT_THAT(stuck.body(), HasSubstr("the checks have not finished"));
    release.set_value();  // lets the prober stop with the router
  }
}

TEST(OperationsRoutesTest, HealthWithoutProbeIsOk) {
  Router router;
  AddOperationsRoutes(router, {});
  Response response = Call(router, "/health");
  EXPECT_EQ(response.result(), HttpStatus::ok);
  EXPECT_EQ(boost::json::parse(response.body()).at("status"), "ok");
  EXPECT_EQ(Call(router, "/metrics").result(), HttpStatus::not_found);
}

TEST(OperationsRoutesTest, MetricsAreServedAsPrometheusText) {
  auto metrics = std::make_shared<Metrics>();
  metrics->RequestStarted();
  metrics->RequestFinished("GET", "/health", 200, std::chrono::milliseconds(1));
  Router router;
  AddOperationsRoutes(router, {.metrics = metrics});
  Response response = Call(router, "/metrics");
  EXPECT_EQ(response.result(), HttpStatus::ok);
  EXPECT_EQ(response[bhttp::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_THAT(response.body(), HasSubstr("clinic_http_requests_total{method=\"GET\",route=\"/"
                                         "health\",status=\"200\"} 1"));
  auto match = router.Match(Method::get, {"metrics"});
  EXPECT_EQ(match.route->options.execution, Execution::kIoThread);
}

TEST(OperationsRoutesTest, ServesTheApiContractAsJsonAndYaml) {
  Router router;
  AddOperationsRoutes(router, {});
  Response json = Call(router, "/api/openapi.json");
  EXPECT_EQ(json.result(), HttpStatus::ok);
  EXPECT_EQ(json[bhttp::field::content_type], "application/json");
  auto contract = boost::json::parse(json.body()).as_object();
  EXPECT_EQ(contract.at("openapi"), "3.1.0");
  const auto& paths = contract.at("paths").as_object();
  for (auto path : {"/health", "/metrics", "/api/openapi.json", "/api/openapi.yaml"}) {
    EXPECT_TRUE(paths.contains(path)) << path;
  }
  const auto& components = contract.at("components").as_object();
  EXPECT_EQ(components.at("schemas").at("Problem").at("required"),
            boost::json::parse(R"(["type","title","status","detail","errors"])"));
  EXPECT_TRUE(components.at("schemas").as_object().contains("Page"));
  EXPECT_EQ(components.at("securitySchemes").at("bearerAuth").at("scheme"), "bearer");
  // Quoted YAML keys stay strings; plain numbers become numbers.
  EXPECT_TRUE(paths.at("/health").at("get").at("responses").as_object().contains("200"));
  EXPECT_EQ(components.at("parameters").at("Limit").at("schema").at("maximum"), 200);

  Response yaml = Call(router, "/api/openapi.yaml");
  EXPECT_EQ(yaml.result(), HttpStatus::ok);
  EXPECT_EQ(yaml[bhttp::field::content_type], "application/yaml");
  EXPECT_THAT(yaml.body(), HasSubstr("openapi: 3.1.0"));
}

}  // namespace
}  // namespace clinic::http
