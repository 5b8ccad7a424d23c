#pragma once

// Internal to the HTTP server (server.cpp and the connection types it serves).

#include <spdlog/spdlog.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

#include "clinic/http/connection_registry.hpp"
#include "clinic/http/metrics.hpp"
#include "clinic/http/router.hpp"
#include "clinic/http/server.hpp"
#include "clinic/http/worker_pool.hpp"

namespace clinic::http::detail {

// The request bodies held at once across all connections, in bytes (ServerOptions::
// max_body_bytes_in_flight): a connection reserves a body's size before reading it and releases
// it once the response is written. A reservation that would pass the limit is refused, unless
// nothing is reserved, so a single body any route allows always gets through. Thread-safe.
class BodyBudget {
 public:
  explicit BodyBudget(std::size_t limit) : limit_(limit) {}

  // Takes `bytes` of the budget; false, taking nothing, when they do not fit.
  bool TryReserve(std::size_t bytes) {
    std::size_t reserved = reserved_.load(std::memory_order_relaxed);
    do {
      if (reserved != 0 && (bytes > limit_ || reserved > limit_ - bytes)) {
        refused_.fetch_add(1, std::memory_order_relaxed);
        return false;
      }
    } while (
        !reserved_.compare_exchange_weak(reserved, reserved + bytes, std::memory_order_acq_rel));
    return true;
  }

  void Release(std::size_t bytes) { reserved_.fetch_sub(bytes, std::memory_order_acq_rel); }

  // For the metrics: bytes reserved now, and bodies refused for lack of room.
  std::size_t reserved() const { return reserved_.load(std::memory_order_relaxed); }
  std::uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }

 private:
  const std::size_t limit_;
  std::atomic<std::size_t> reserved_{0};
  std::atomic<std::uint64_t> refused_{0};
};

// What the server's connections share. They hold it by shared_ptr, so it outlives the last of
// them whatever order the server's parts are torn down in. The worker pools belong to the
// server: connections submit to them only from the I/O threads, which the server joins before it
// stops the pools.
struct ServerCore {
  ServerCore(ServerOptions server_options, Router server_router, WorkerPool& worker_pool,
             WorkerPool& cpu_worker_pool)
      : options(std::move(server_options)),
        router(std::move(server_router)),
        metrics(options.metrics ? options.metrics : std::make_shared<Metrics>()),
        access_log(options.access_log ? options.access_log : spdlog::default_logger()),
        workers(worker_pool),
        cpu_workers(cpu_worker_pool),
        connections(std::make_shared<ConnectionRegistry>(options.max_connections,
                                                         options.max_connections_per_address)),
        body_budget(std::make_shared<BodyBudget>(options.max_body_bytes_in_flight)) {}

  const ServerOptions options;
  const Router router;
  const std::shared_ptr<Metrics> metrics;
  const std::shared_ptr<spdlog::logger> access_log;
  WorkerPool& workers;
  WorkerPool& cpu_workers;  // for Execution::kCpuWorkerPool routes
  const std::shared_ptr<ConnectionRegistry> connections;
  const std::shared_ptr<BodyBudget> body_budget;
  // Set once the server begins to shut down: no new request is read, answers close.
  std::atomic<bool> stopping{false};
};

}  // namespace clinic::http::detail
