#pragma once

// Internal to the HTTP server (server.cpp and the connection types it serves).

#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>
#include <utility>

#include "clinic/http/connection_registry.hpp"
#include "clinic/http/metrics.hpp"
#include "clinic/http/router.hpp"
#include "clinic/http/server.hpp"
#include "clinic/http/worker_pool.hpp"

namespace clinic::http::detail {

// What the server's connections share. They hold it by shared_ptr, so it outlives the last of
// them whatever order the server's parts are torn down in. `workers` belongs to the server:
// connections submit to it only from the I/O threads, which the server joins before it stops the
// pool.
struct ServerCore {
  ServerCore(ServerOptions server_options, Router server_router, WorkerPool& worker_pool)
      : options(std::move(server_options)),
        router(std::move(server_router)),
        metrics(options.metrics ? options.metrics : std::make_shared<Metrics>()),
        access_log(options.access_log ? options.access_log : spdlog::default_logger()),
        workers(worker_pool),
        connections(std::make_shared<ConnectionRegistry>(options.max_connections,
                                                         options.max_connections_per_address)) {}

  const ServerOptions options;
  const Router router;
  const std::shared_ptr<Metrics> metrics;
  const std::shared_ptr<spdlog::logger> access_log;
  WorkerPool& workers;
  const std::shared_ptr<ConnectionRegistry> connections;
  // Set once the server begins to shut down: no new request is read, answers close.
  std::atomic<bool> stopping{false};
};

}  // namespace clinic::http::detail
