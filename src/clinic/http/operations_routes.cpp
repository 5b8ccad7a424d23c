#include "clinic/http/operations_routes.hpp"

#include <fmt/format.h>

#include <boost/json/object.hpp>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "clinic/common/periodic_task.hpp"
#include "clinic/http/problem.hpp"
#include "clinic_http_api.hpp"

namespace clinic::http {
namespace {

std::string_view EmbeddedContract(std::string_view name) {
  for (const auto& file : api::Files()) {
    if (file.name == name) return file.contents;
  }
  throw std::logic_error("the API contract " + std::string(name) + " was not embedded");
}

// Which checks make an answer 503: all of them (/health) or the essential ones (/health/ready).
enum class Verdict { kEveryCheck, kEssentialChecks };

Response Health(const std::vector<HealthCheck>& checks, Verdict verdict) {
  boost::json::object results;
  std::vector<std::string> failures;
  bool degraded = false;
  for (const auto& check : checks) {
    if (check.status) {
      results[check.name] = boost::json::object{{"status", "ok"}};
      continue;
    }
    // Same rule as problem documents: an internal error's text is for the log only.
    const Error& error = check.status.error();
    std::string message =
        error.code == ErrorCode::kInternal ? std::string("internal error") : error.message;
    results[check.name] = boost::json::object{{"status", "error"}, {"message", message}};
    if (verdict == Verdict::kEveryCheck || check.essential) {
      failures.push_back(check.name + ": " + message);
    } else {
      degraded = true;
    }
  }
  if (failures.empty()) {
    return Json(HttpStatus::ok,
                boost::json::object{{"status", degraded ? "degraded" : "ok"}, {"checks", results}});
  }
  boost::json::object document = ProblemDocument(
      Error::Unavailable(fmt::format("Failing checks: {}", fmt::join(failures, "; "))));
  document["checks"] = std::move(results);
  return Problem(HttpStatus::service_unavailable, document);
}

// The health checks' latest results, probed in the background: a thread of its own probes every
// `period`, so /health answers from memory on an I/O thread and never waits for a database. A
// result older than twice the period plus kStuckProbeGrace means the probe itself is stuck (a
// database that no longer answers at all) and is a failure of its own.
class BackgroundHealth {
 public:
  static constexpr std::chrono::seconds kStuckProbeGrace{1};

  BackgroundHealth(HealthProbe probe, std::chrono::milliseconds period)
      : probe_(std::move(probe)),
        period_(period),
        checks_(probe_()),
        checked_at_(std::chrono::steady_clock::now()),
        prober_(period, [this] { Probe(); }) {}

  BackgroundHealth(const BackgroundHealth&) = delete;
  BackgroundHealth& operator=(const BackgroundHealth&) = delete;

  std::vector<HealthCheck> Checks() {
    const std::scoped_lock lock(mutex_);
    const auto age = std::chrono::steady_clock::now() - checked_at_;
    if (age <= 2 * period_ + kStuckProbeGrace) return checks_;
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(age).count();
    return {{"probe", Fail(Error::Unavailable(
                          fmt::format("the checks have not finished for {} s", seconds)))}};
  }

 private:
  void Probe() {
    auto checks = probe_();
    const std::scoped_lock lock(mutex_);
    checks_ = std::move(checks);
    checked_at_ = std::chrono::steady_clock::now();
  }

  HealthProbe probe_;
  std::chrono::milliseconds period_;
  std::mutex mutex_;
  std::vector<HealthCheck> checks_;
  std::chrono::steady_clock::time_point checked_at_;
  PeriodicTask prober_;  // last: starts once everything it reads is initialised
};

}  // namespace

void AddOperationsRoutes(Router& router, OperationsRoutesOptions options) {
  const RouteOptions cheap{.execution = Execution::kIoThread};
  // The latest results: none without a probe, a fresh probe per request without a cache period.
  std::function<std::vector<HealthCheck>()> checks = [] { return std::vector<HealthCheck>{}; };
  RouteOptions health_route = cheap;
  if (options.health_probe && options.health_cache == std::chrono::milliseconds::zero()) {
    checks = std::move(options.health_probe);
    health_route = {};
  } else if (options.health_probe) {
    checks = [health = std::make_shared<BackgroundHealth>(std::move(options.health_probe),
                                                          options.health_cache)] {
      return health->Checks();
    };
  }
  router.Add(
      Method::get, "/health",
      [checks](Request&) -> Result<Response> { return Health(checks(), Verdict::kEveryCheck); },
      health_route);
  router.Add(
      Method::get, "/health/ready",
      [checks](Request&) -> Result<Response> {
        return Health(checks(), Verdict::kEssentialChecks);
      },
      health_route);
  router.Add(
      Method::get, "/health/live",
      [](Request&) -> Result<Response> {
        return Json(HttpStatus::ok, boost::json::object{{"status", "ok"}});
      },
      cheap);
  if (options.metrics) {
    router.Add(
        Method::get, "/metrics",
        [metrics = std::move(options.metrics)](Request&) -> Result<Response> {
          return Text(HttpStatus::ok, metrics->RenderPrometheus(),
                      "text/plain; version=0.0.4; charset=utf-8");
        },
        cheap);
  }
  router.Add(
      Method::get, "/api/openapi.json",
      [contract = EmbeddedContract("openapi.json")](Request&) -> Result<Response> {
        return Text(HttpStatus::ok, std::string(contract), kJsonContentType);
      },
      cheap);
  router.Add(
      Method::get, "/api/openapi.yaml",
      [contract = EmbeddedContract("openapi.yaml")](Request&) -> Result<Response> {
        return Text(HttpStatus::ok, std::string(contract), "application/yaml");
      },
      cheap);
}

}  // namespace clinic::http
