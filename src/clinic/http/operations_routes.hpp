#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "clinic/common/result.hpp"
#include "clinic/http/metrics.hpp"
#include "clinic/http/router.hpp"

namespace clinic::http {

// The outcome of one health check, e.g. {"database", Ok()} or {"documents", Fail(...)}.
struct HealthCheck {
  std::string name{};
  Status status{};
  // Whether the instance cannot do its core work (booking) while this fails. A failing check
  // that is not essential (the document store: messages) leaves /health/ready at 200, "degraded".
  bool essential = true;
};

// Runs the application's health checks (each should be quick: a `SELECT 1`, a ping) and reports
// them all. Called on a worker thread for each GET /health, or every `health_cache` on a thread
// of its own.
using HealthProbe = std::function<std::vector<HealthCheck>()>;

struct OperationsRoutesOptions {
  // Null: /health reports only that the server answers.
  HealthProbe health_probe{};
  // Above zero: the probe runs in the background every period, from when the routes are added
  // until the router is destroyed, and /health answers with its latest result from memory, so
  // load balancers and monitors probing often cost the databases one check per period, and an
  // outage shows within one. A probe that has not finished for twice the period and a second
  // makes /health answer 503 (check "probe"). Zero: each request probes.
  std::chrono::milliseconds health_cache{0};
  // The instance given to ServerOptions::metrics; null: no /metrics route.
  std::shared_ptr<Metrics> metrics{};
};

// Registers the operator's routes:
//   GET /health            200 {"status":"ok","checks":{"database":{"status":"ok"},...}}, or 503
//                          application/problem+json (type .../unavailable) whose detail names
//                          the failed checks and whose "checks" member lists them all with
//                          {"status":"error","message":...}: everything, for monitoring
//   GET /health/ready      for load balancers: 503 as above only when an essential check fails;
//                          else 200 with "status" "ok", or "degraded" and the failing checks
//   GET /health/live       200 {"status":"ok"} whenever the process answers, checking nothing
//   GET /metrics           Prometheus text, Content-Type text/plain; version=0.0.4
//   GET /api/openapi.json  the API contract (api/openapi.yaml converted at build time)
//   GET /api/openapi.yaml  the same contract as written, application/yaml
void AddOperationsRoutes(Router& router, OperationsRoutesOptions options);

}  // namespace clinic::http
