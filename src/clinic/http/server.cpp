#include "clinic/http/server.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/json/serialize.hpp>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <optional>
#include <thread>

#include "clinic/common/crypto.hpp"
#include "clinic/http/connection_registry.hpp"
#include "clinic/http/http_session.hpp"
#include "clinic/http/problem.hpp"
#include "clinic/http/server_core.hpp"
#include "clinic/http/worker_pool.hpp"

namespace clinic::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using detail::Admission;

constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

std::string Describe(const tcp::endpoint& endpoint) {
  const auto& address = endpoint.address();
  return address.is_v6() ? fmt::format("[{}]:{}", address.to_string(), endpoint.port())
                         : fmt::format("{}:{}", address.to_string(), endpoint.port());
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, Router router)
      : io_context_(static_cast<int>(std::max<std::size_t>(options.io_threads, 1))),
        io_guard_(asio::make_work_guard(io_context_)),
        acceptor_(asio::make_strand(io_context_)),
        accept_retry_timer_(acceptor_.get_executor()),
        workers_(options.max_queued_requests),
        cpu_workers_(options.max_queued_cpu_requests) {
    options.io_threads = std::max<std::size_t>(options.io_threads, 1);
    options.worker_threads = std::max<std::size_t>(options.worker_threads, 1);
    options.cpu_worker_threads = std::max<std::size_t>(options.cpu_worker_threads, 1);
    core_ = std::make_shared<detail::ServerCore>(std::move(options), std::move(router), workers_,
                                                 cpu_workers_);
  }

  ~Impl() { Stop(); }

  Status Start() {
    std::lock_guard lock(stop_mutex_);
    if (started_ || stop_requested_) {
      return Fail(Error::FailedPrecondition("the HTTP server was already started"));
    }
    InitCrypto();
    const ServerOptions& options = core_->options;
    beast::error_code ec;
    auto address = asio::ip::make_address(options.host, ec);
    if (ec) {
      return Fail(Error::InvalidArgument(
          fmt::format("cannot listen on \"{}\": the host must be an IP address", options.host)));
    }
    tcp::endpoint endpoint(address, options.port);
    auto failed = [&](std::string_view step) {
      beast::error_code ignored;
      acceptor_.close(ignored);
      return Fail(Error::Unavailable(fmt::format("cannot listen on {}: {} failed: {}",
                                                 Describe(endpoint), step, ec.message())));
    };
    if (acceptor_.open(endpoint.protocol(), ec); ec) return failed("socket");
    if (acceptor_.set_option(asio::socket_base::reuse_address(true), ec); ec) {
      return failed("setsockopt(SO_REUSEADDR)");
    }
    if (acceptor_.bind(endpoint, ec); ec) return failed("bind");
    if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec) {
      return failed("listen");
    }
    port_ = acceptor_.local_endpoint().port();
    if (options.export_connection_metrics) ExportConnectionMetrics();

    if (options.handle_signals) {
      signals_.emplace(acceptor_.get_executor(), SIGINT, SIGTERM);
      signals_->async_wait([this](beast::error_code error, int signal) {
        if (error) return;
        spdlog::info("received signal {}; shutting down", signal);
        RequestStop();
      });
    }
    asio::post(acceptor_.get_executor(), [this] { Accept(); });
    workers_.Start(options.worker_threads, "http-worker");
    cpu_workers_.Start(options.cpu_worker_threads, "http-cpu");
    for (std::size_t i = 0; i < options.io_threads; ++i) {
      io_threads_.emplace_back([this, i] {
        detail::NameThisThread(fmt::format("http-io-{}", i));
        io_context_.run();
      });
    }
    started_ = true;
    spdlog::info("HTTP server listening on {}", Describe(tcp::endpoint(address, port_)));
    return Ok();
  }

  std::uint16_t port() const { return port_; }

  void Wait() {
    {
      std::unique_lock lock(stop_mutex_);
      if (!started_) return;
      stop_requested_changed_.wait(lock, [this] { return stop_requested_; });
    }
    Shutdown();
  }

  void Stop() {
    RequestStop();
    Shutdown();
  }

 private:
  void Accept() {
    acceptor_.async_accept(
        asio::make_strand(io_context_),
        [this](beast::error_code ec, tcp::socket socket) { OnAccept(ec, std::move(socket)); });
  }

  void OnAccept(beast::error_code ec, tcp::socket socket) {
    if (!acceptor_.is_open()) return;
    if (ec) {
      // Typically out of file descriptors: retry after a pause rather than spin.
      spdlog::warn("accepting a connection failed: {}", ec.message());
      accept_retry_timer_.expires_after(kAcceptRetryDelay);
      accept_retry_timer_.async_wait([this](beast::error_code error) {
        if (!error) Accept();
      });
      return;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    const auto peer = socket.remote_endpoint(ignored);
    // A trusted proxy carries many clients' connections: they count only toward the total.
    const bool proxy =
        std::any_of(core_->options.trusted_proxies.begin(), core_->options.trusted_proxies.end(),
                    [&](const IpNetwork& network) { return network.Contains(peer.address()); });
    std::string address = ignored || proxy ? std::string() : peer.address().to_string();
    const Admission admission = core_->connections->Admit(address);
    if (admission == Admission::kAdmitted) {
      auto slot = std::make_shared<detail::ConnectionSlot>(core_->connections, std::move(address));
      detail::StartHttpSession(std::move(socket), core_, std::move(slot));
    } else {
      Refuse(std::move(socket), admission);
    }
    Accept();
  }

  // The connection and body figures, on every rendering of the server's Metrics.
  void ExportConnectionMetrics() {
    core_->metrics->AddCollector([weak = std::weak_ptr(core_->connections),
                                  weak_budget =
                                      std::weak_ptr(core_->body_budget)](std::string& out) {
      const auto connections = weak.lock();
      const auto budget = weak_budget.lock();
      if (!connections || !budget) return;
      fmt::format_to(
          std::back_inserter(out),
          "# HELP clinic_http_connections_open Connections admitted and not yet closed.\n"
          "# TYPE clinic_http_connections_open gauge\n"
          "clinic_http_connections_open {}\n"
          "# HELP clinic_http_connections_refused_total Connections answered 503 at a cap.\n"
          "# TYPE clinic_http_connections_refused_total counter\n"
          "clinic_http_connections_refused_total {}\n"
          "# HELP clinic_http_connections_shed_total Idle connections closed to make room.\n"
          "# TYPE clinic_http_connections_shed_total counter\n"
          "clinic_http_connections_shed_total {}\n"
          "# HELP clinic_http_request_body_bytes_held Request body bytes reserved by requests "
          "being read or handled.\n"
          "# TYPE clinic_http_request_body_bytes_held gauge\n"
          "clinic_http_request_body_bytes_held {}\n"
          "# HELP clinic_http_request_bodies_refused_total Requests answered 503 because too many "
          "body bytes were held.\n"
          "# TYPE clinic_http_request_bodies_refused_total counter\n"
          "clinic_http_request_bodies_refused_total {}\n",
          connections->open(), connections->refused(), connections->shed(), budget->reserved(),
          budget->refused());
    });
  }

  // Answers a connection over a cap with a fixed 503 and closes it, reading nothing from it.
  static void Refuse(tcp::socket socket, Admission admission) {
    const std::string detail = admission == Admission::kAddressFull
                                   ? "Too many connections from this address; retry shortly."
                                   : "The server has too many connections; retry shortly.";
    const std::string body = boost::json::serialize(
        ProblemDocument(HttpStatus::service_unavailable, "too-many-connections", detail));
    auto text = std::make_shared<std::string>(
        fmt::format("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\n"
                    "Retry-After: 1\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{}",
                    body.size(), body));
    auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
    stream->expires_after(std::chrono::seconds(5));
    asio::async_write(*stream, asio::buffer(*text), [stream, text](beast::error_code, std::size_t) {
      beast::error_code ignored;
      stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream->close();
    });
  }

  void RequestStop() {
    {
      std::lock_guard lock(stop_mutex_);
      if (stop_requested_) return;
      stop_requested_ = true;
      if (!started_) {
        stop_requested_changed_.notify_all();
        return;
      }
    }
    stop_requested_changed_.notify_all();
    core_->stopping = true;
    asio::post(acceptor_.get_executor(), [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      accept_retry_timer_.cancel();
      // A second SIGINT/SIGTERM during the graceful shutdown now ends the process at once.
      if (signals_) signals_->clear(ignored);
    });
    core_->connections->NotifyStopping();
  }

  void Shutdown() {
    std::call_once(shutdown_once_, [this] {
      RequestStop();
      {
        std::lock_guard lock(stop_mutex_);
        if (!started_) return;
      }
      const std::size_t busy =
          core_->connections->WaitUntilClosed(SteadyClock::now() + core_->options.shutdown_timeout);
      if (busy > 0) {
        spdlog::warn("{} connection(s) still busy after the shutdown timeout; stopping anyway",
                     busy);
      }
      io_guard_.reset();
      io_context_.stop();
      for (auto& thread : io_threads_) thread.join();
      // Handlers still queued would answer connections that are gone; running ones finish.
      workers_.Stop(/*drop_queued=*/busy > 0);
      cpu_workers_.Stop(/*drop_queued=*/busy > 0);
      spdlog::info("HTTP server stopped");
    });
  }

  // Declaration order is teardown order reversed: the worker pool goes before the I/O context,
  // because handlers still queued on it hold connections whose sockets belong to the I/O context.
  std::shared_ptr<detail::ServerCore> core_;
  asio::io_context io_context_;
  asio::executor_work_guard<asio::io_context::executor_type> io_guard_;
  tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_timer_;
  std::optional<asio::signal_set> signals_;
  detail::WorkerPool workers_;
  detail::WorkerPool cpu_workers_;
  std::vector<std::thread> io_threads_;
  std::atomic<std::uint16_t> port_{0};

  std::mutex stop_mutex_;
  std::condition_variable stop_requested_changed_;
  bool started_ = false;
  bool stop_requested_ = false;
  std::once_flag shutdown_once_;
};

Server::Server(ServerOptions options, Router router)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router))) {}

Server::~Server() = default;

Status Server::Start() { return impl_->Start(); }

std::uint16_t Server::port() const { return impl_->port(); }

void Server::Wait() { impl_->Wait(); }

void Server::Stop() { impl_->Stop(); }

}  // namespace clinic::http
