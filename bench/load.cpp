#include "load.hpp"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <memory>
#include <stdexcept>

namespace clinic::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using Clock = std::chrono::steady_clock;

// One keep-alive connection running requests back to back.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `interval` zero: closed loop; otherwise the first request is due at `first_due` and each
  // next one `interval` after the one before.
  Connection(asio::io_context& io, int client, Workload& workload, LoadResult& result,
             Clock::time_point deadline, Clock::time_point first_due, Clock::duration interval)
      : stream_(io),
        timer_(io),
        client_(client),
        workload_(workload),
        result_(result),
        deadline_(deadline),
        due_(first_due),
        interval_(interval) {}

  void Start(const asio::ip::tcp::endpoint& endpoint) {
    stream_.async_connect(endpoint, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->Fail("connect: " + ec.message());
      self->stream_.socket().set_option(asio::ip::tcp::no_delay(true));
      self->SendWhenDue();
    });
  }

 private:
  void SendWhenDue() {
    if (interval_ == Clock::duration::zero() || Clock::now() >= due_) return SendNext();
    if (due_ >= deadline_) return;
    timer_.expires_at(due_);
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->SendNext();
    });
  }

  void SendNext() {
    if (Clock::now() >= deadline_) return;
    auto next = workload_.Next(client_);
    if (!next) return;
    request_ = std::move(*next);
    message_ = {request_.method, request_.target, 11};
    message_.set(bhttp::field::host, "127.0.0.1");
    message_.keep_alive(true);
    if (!request_.token.empty()) {
      message_.set(bhttp::field::authorization, "Bearer " + request_.token);
    }
    if (!request_.body.empty()) {
      message_.set(bhttp::field::content_type, "application/json");
      message_.body() = request_.body;
    }
    message_.prepare_payload();
    if (interval_ == Clock::duration::zero()) {
      started_ = Clock::now();
    } else {
      started_ = due_;
      due_ += interval_;
    }
    bhttp::async_write(
        stream_, message_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
          if (ec) return self->Fail("write: " + ec.message());
          self->response_ = {};
          bhttp::async_read(
              self->stream_, self->buffer_, self->response_,
              [self](beast::error_code read_ec, std::size_t) { self->OnResponse(read_ec); });
        });
  }

  void OnResponse(beast::error_code ec) {
    if (ec) return Fail("read: " + ec.message());
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_).count();
    result_.latencies_us.push_back(static_cast<std::uint32_t>(micros));
    ++result_.requests;
    const unsigned status = response_.result_int();
    ++result_.statuses[status];
    if (!workload_.Check(client_, request_, status, response_.body())) {
      ++result_.errors;
      if (result_.first_error.empty()) {
        result_.first_error = std::to_string(status) + " on " + request_.target + ": " +
                              response_.body().substr(0, 300);
      }
    }
    if (!response_.keep_alive()) return Fail("the server closed the connection");
    SendWhenDue();
  }

  void Fail(const std::string& what) {
    ++result_.errors;
    if (result_.first_error.empty()) result_.first_error = what;
  }

  beast::tcp_stream stream_;
  asio::steady_timer timer_;
  int client_;
  Workload& workload_;
  LoadResult& result_;
  Clock::time_point deadline_;
  Request request_;
  bhttp::request<bhttp::string_body> message_;
  bhttp::response<bhttp::string_body> response_;
  beast::flat_buffer buffer_;
  Clock::time_point due_;
  Clock::duration interval_;
  Clock::time_point started_;  // when the request was due (open loop) or sent (closed loop)
};

double At(const std::vector<std::uint32_t>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<std::size_t>(fraction * static_cast<double>(sorted.size() - 1));
  return sorted[index];
}

}  // namespace

Percentiles PercentilesOf(std::vector<std::uint32_t> micros) {
  std::sort(micros.begin(), micros.end());
  if (micros.empty()) return {};
  return {At(micros, 0.50), At(micros, 0.95), At(micros, 0.99), static_cast<double>(micros.back())};
}

LoadResult RunLoad(const LoadOptions& options, Workload& workload) {
  asio::io_context io(1);
  LoadResult result;
  if (options.ports.empty()) throw std::invalid_argument("RunLoad needs a server's port");
  const auto started = Clock::now();
  const auto deadline = started + options.duration;
  // Open loop: connection c's requests are due every connections/rate seconds, staggered by
  // 1/rate from connection c - 1, so the offered load is even.
  const Clock::duration gap = options.rate > 0
                                  ? std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(1.0 / options.rate))
                                  : Clock::duration::zero();
  for (int client = 0; client < options.connections; ++client) {
    std::make_shared<Connection>(io, client, workload, result, deadline, started + gap * client,
                                 gap * options.connections)
        ->Start(asio::ip::tcp::endpoint(
            asio::ip::make_address("127.0.0.1"),
            options.ports[static_cast<std::size_t>(client) % options.ports.size()]));
  }
  io.run();
  result.elapsed = Clock::now() - started;
  return result;
}

}  // namespace clinic::bench
