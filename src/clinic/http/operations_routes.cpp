#include "clinic/http/operations_routes.hpp"

#include <fmt/format.h>

#include <boost/json/object.hpp>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>

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

// The latest probe's result, shared by the requests of one cache period; one probe at a time.
class CachedProbe {
 public:
  CachedProbe(HealthProbe probe, std::chrono::milliseconds ttl)
      : probe_(std::move(probe)), ttl_(ttl) {}

  std::vector<HealthCheck> Checks() {
    if (!probe_) return {};
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (!probed_at_ || now - *probed_at_ >= ttl_) {
      checks_ = probe_();
      probed_at_ = now;
    }
    return checks_;
  }

 private:
  HealthProbe probe_;
  std::chrono::milliseconds ttl_;
  std::mutex mutex_;
  std::optional<std::chrono::steady_clock::time_point> probed_at_;
  std::vector<HealthCheck> checks_;
};

Response Health(CachedProbe& probe) {
  const std::vector<HealthCheck> checks = probe.Checks();
  boost::json::object results;
  std::vector<std::string> failures;
  for (const auto& check : checks) {
    if (check.status) {
      results[check.name] = boost::json::object{{"status", "ok"}};
      continue;
    }
    // Same rule as problem documents: an internal error's text is for the log only.
    const Error& error = check.status.error();
    std::string message =
        error.code == ErrorCode::kInternal ? std::string("internal error") : error.message;
    failures.push_back(check.name + ": " + message);
    results[check.name] = boost::json::object{{"status", "error"}, {"message", message}};
  }
  if (failures.empty()) {
    return Json(HttpStatus::ok, boost::json::object{{"status", "ok"}, {"checks", results}});
  }
  boost::json::object document = ProblemDocument(
      Error::Unavailable(fmt::format("Failing checks: {}", fmt::join(failures, "; "))));
  document["checks"] = std::move(results);
  return Problem(HttpStatus::service_unavailable, document);
}

}  // namespace

void AddOperationsRoutes(Router& router, OperationsRoutesOptions options) {
  router.Add(Method::get, "/health",
             [probe = std::make_shared<CachedProbe>(std::move(options.health_probe),
                                                    options.health_cache)](
                 Request&) -> Result<Response> { return Health(*probe); });
  const RouteOptions cheap{.execution = Execution::kIoThread};
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
