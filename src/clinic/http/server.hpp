#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "clinic/common/result.hpp"
#include "clinic/http/client_address.hpp"
#include "clinic/http/metrics.hpp"
#include "clinic/http/router.hpp"

namespace spdlog {
class logger;
}

namespace clinic::http {

struct ServerOptions {
  std::string host = "127.0.0.1";  // an IP address literal ("0.0.0.0", "::")
  std::uint16_t port = 8080;       // 0 picks a free port; Server::port() tells which
  std::size_t io_threads = 2;
  std::size_t worker_threads = 8;
  // Requests waiting for a worker beyond this many are answered 503 at once instead of queueing
  // without bound behind a slow database.
  std::size_t max_queued_requests = 1024;
  // The pool for Execution::kCpuWorkerPool routes ("http-cpu-N"), and how many of their requests
  // may wait for it; one more is answered 429 with Retry-After at once.
  std::size_t cpu_worker_threads = 1;
  std::size_t max_queued_cpu_requests = 32;
  // Open connections at most (WebSockets included), in all and from one peer address; a trusted
  // proxy's connections count only toward the total. At the total cap an idle keep-alive
  // connection is closed to make room; without one, and over the per-address cap, a new
  // connection is answered 503 with Retry-After and closed before anything is read from it.
  std::size_t max_connections = 4096;
  std::size_t max_connections_per_address = 128;
  std::size_t max_body_bytes = std::size_t{1024} * 1024;  // routes may override (RouteOptions)
  std::size_t max_header_bytes = std::size_t{16} * 1024;
  // Request bodies held at once across all connections, in bytes: a body's declared length (a
  // chunked body: its route's limit) is reserved before it is read and freed once its response is
  // written. A body that does not fit is answered 503 with Retry-After before it is read, unless
  // no other body is held, so one the route allows is always served.
  std::size_t max_body_bytes_in_flight = std::size_t{256} * 1024 * 1024;
  // Time to receive a complete request header, from connect or from its first byte.
  std::chrono::milliseconds header_timeout{std::chrono::seconds(10)};
  // Time to receive a complete body once the header is in.
  std::chrono::milliseconds body_timeout{std::chrono::seconds(30)};
  // How long a keep-alive connection may stay silent between requests.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};
  // On shutdown, how long in-flight requests get to finish before the server stops anyway.
  std::chrono::milliseconds shutdown_timeout{std::chrono::seconds(10)};
  // Whether Wait() also returns on SIGINT/SIGTERM. Tests turn it off.
  bool handle_signals = true;
  // Load balancers whose X-Forwarded-For names the client (ClientAddress); empty: none.
  std::vector<IpNetwork> trusted_proxies{};
  // Where requests are counted; pass the one AddOperationsRoutes serves at /metrics. A private
  // instance when null.
  std::shared_ptr<Metrics> metrics{};
  // Whether this server adds its connection figures (clinic_http_connections_*) to `metrics`:
  // only one server per Metrics may, as the exposition format names each metric once.
  bool export_connection_metrics = true;
  // Gets one JSON line per request at info level; spdlog's default logger when null.
  std::shared_ptr<spdlog::logger> access_log{};
};

// An HTTP/1.1 server (Boost.Beast) for one Router.
//
// Connections are served by `io_threads` threads running an io_context; each connection is a
// strand, so its requests are handled one after another in order (pipelining-safe) and kept alive
// when the client allows it. Handlers run on a pool of `worker_threads` threads ("http-worker-N")
// unless their route says Execution::kIoThread, or Execution::kCpuWorkerPool for the separate
// `cpu_worker_threads` ("http-cpu-N"); blocking work never runs on an I/O thread ("http-io-N").
// The header is read first: the route decides the body limit, and a declared
// Content-Length over it is answered 413 without reading the body (a chunked body is cut off at
// the limit with 413 too); the connection then closes. Malformed HTTP is answered 400, an
// oversized header 431, and the connection closes. A streamed body (Response::StreamBody) is read
// a chunk at a time on the workers and each chunk written before the next is read; if its reader
// fails midway the failure is logged at warn and the connection closes (the client sees fewer
// bytes than the Content-Length).
//
// Every response carries X-Request-Id, Server: clinic, Date, X-Content-Type-Options: nosniff,
// Referrer-Policy: no-referrer, X-Frame-Options: DENY, and Cache-Control: no-store unless the
// handler set its own (static files do). Each request is logged as one JSON line (never bodies,
// query strings or credentials) and counted in Metrics.
//
// Start() binds and starts the threads; Wait() blocks until Stop() or (with handle_signals)
// SIGINT/SIGTERM, then shuts down gracefully: stop accepting, close idle keep-alive connections,
// let in-flight requests finish (answered with Connection: close) for up to shutdown_timeout,
// then stop and join all threads. Stop() may be called from any thread, also while another
// thread is in Wait(); both return once the shutdown is complete. The destructor stops.
class Server {
 public:
  Server(ServerOptions options, Router router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens, then starts serving. InvalidArgument for a host that is not an IP address,
  // Unavailable when the address cannot be bound (in use, no permission), FailedPrecondition when
  // called twice.
  Status Start();

  // The bound port (useful with port 0); 0 before Start().
  std::uint16_t port() const;

  void Wait();
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace clinic::http
