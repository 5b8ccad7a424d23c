#include "clinic/http/operations_routes.hpp"

#include <fmt/format.h>

#include <boost/json/object.hpp>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
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

Response Health(const std::vector<HealthCheck>& checks) {
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

// /health's answer, probed in the background: a thread of its own probes every `period` and
// builds the answer once per probe, so /health answers from memory on an I/O thread and never
// waits for a database. An answer older than twice the period plus kStuckProbeGrace means the
// probe itself is stuck (a database that no longer answers at all) and is a failure of its own.
class BackgroundHealth {
 public:
  static constexpr std::chrono::seconds kStuckProbeGrace{1};

  BackgroundHealth(HealthProbe probe, std::chrono::milliseconds period)
      : probe_(std::move(probe)),
        period_(period),
        answer_(Health(probe_())),
        answered_at_(std::chrono::steady_clock::now()),
        thread_([this] { Run(); }) {}

  ~BackgroundHealth() {
    {
      const std::scoped_lock lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  BackgroundHealth(const BackgroundHealth&) = delete;
  BackgroundHealth& operator=(const BackgroundHealth&) = delete;

  Response Answer() {
    const std::scoped_lock lock(mutex_);
    const auto age = std::chrono::steady_clock::now() - answered_at_;
    if (age <= 2 * period_ + kStuckProbeGrace) return answer_;
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(age).count();
    return Health({{"probe", Fail(Error::Unavailable(
                                 fmt::format("the checks have not finished for {} s", seconds)))}});
  }

 private:
  void Run() {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, period_, [this] { return stopping_; })) {
      lock.unlock();
      Response answer = Health(probe_());
      lock.lock();
      answer_ = std::move(answer);
      answered_at_ = std::chrono::steady_clock::now();
    }
  }

  HealthProbe probe_;
  std::chrono::milliseconds period_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  Response answer_;
  std::chrono::steady_clock::time_point answered_at_;
  std::thread thread_;  // last: starts once everything it reads is initialised
};

}  // namespace

void AddOperationsRoutes(Router& router, OperationsRoutesOptions options) {
  const RouteOptions cheap{.execution = Execution::kIoThread};
  if (!options.health_probe) {
    router.Add(
        Method::get, "/health", [](Request&) -> Result<Response> { return Health({}); }, cheap);
  } else if (options.health_cache == std::chrono::milliseconds::zero()) {
    router.Add(Method::get, "/health",
               [probe = std::move(options.health_probe)](Request&) -> Result<Response> {
                 return Health(probe());
               });
  } else {
    router.Add(
        Method::get, "/health",
        [health = std::make_shared<BackgroundHealth>(
             std::move(options.health_probe), options.health_cache)](Request&) -> Result<Response> {
          return health->Answer();
        },
        cheap);
  }
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
