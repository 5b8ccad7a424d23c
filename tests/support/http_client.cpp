#include "support/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <optional>

namespace clinic::test_support {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

Error Failed(std::string_view what, const beast::error_code& ec) {
  return Error::Unavailable(std::string(what) + ": " + ec.message());
}

// Runs `io` until `done` holds; the operations' own deadlines bound the wait.
template <typename Predicate>
void RunUntil(asio::io_context& io, Predicate done) {
  io.restart();
  while (!done()) {
    if (io.run_one() == 0) break;
  }
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, name)) return value;
  }
  return {};
}

bool HttpResponse::HasHeader(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, name)) return true;
  }
  return false;
}

boost::json::value HttpResponse::Json() const {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec);
  if (ec) {
    ADD_FAILURE() << "response body is not JSON (" << ec.message() << "): " << body;
    return nullptr;
  }
  return value;
}

class HttpClient::Impl {
 public:
  Impl(std::uint16_t port, std::chrono::milliseconds timeout) : port_(port), timeout_(timeout) {}

  Result<HttpResponse> Send(const HttpRequest& request) {
    if (!stream_) CLINIC_TRY_STATUS(Connect());

    bhttp::request<bhttp::string_body> message;
    message.method_string(request.method);
    message.target(request.target);
    message.version(11);
    message.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port_));
    for (const auto& [name, value] : request.headers) message.insert(name, value);
    message.body() = request.body;
    if (request.chunked) {
      message.chunked(true);
    } else if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
               request.method == "PATCH") {
      message.content_length(request.body.size());
    }

    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(boost::none);
    if (request.method == "HEAD") parser.skip(true);

    bool written = false;
    bool read = false;
    beast::error_code write_error;
    beast::error_code read_error;
    stream_->expires_after(timeout_);
    bhttp::async_write(*stream_, message, [&](beast::error_code ec, std::size_t) {
      written = true;
      write_error = ec;
    });
    bhttp::async_read(*stream_, buffer_, parser, [&](beast::error_code ec, std::size_t) {
      read = true;
      read_error = ec;
    });
    RunUntil(io_, [&] { return read; });
    bool answered_early = !written;
    if (answered_early) {
      // The server answered before taking the whole request; it will not read the rest.
      stream_->close();
      RunUntil(io_, [&] { return written; });
    }
    if (read_error) {
      Disconnect();
      return Fail(Failed("reading the response", read_error));
    }

    auto response = parser.release();
    HttpResponse result;
    result.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
      result.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    result.body = std::move(response.body());
    if (answered_early || write_error || !response.keep_alive()) Disconnect();
    return result;
  }

  std::size_t connections_opened() const { return connections_opened_; }
  bool connected() const { return stream_.has_value(); }

  std::uint16_t local_port() const {
    if (!stream_) return 0;
    beast::error_code ec;
    auto endpoint = stream_->socket().local_endpoint(ec);
    return ec ? 0 : endpoint.port();
  }

  bool ServerClosedConnection(std::chrono::milliseconds wait) {
    if (!stream_) return true;
    char byte = 0;
    bool done = false;
    beast::error_code error;
    stream_->expires_after(wait);
    stream_->async_read_some(asio::buffer(&byte, 1), [&](beast::error_code ec, std::size_t) {
      done = true;
      error = ec;
    });
    RunUntil(io_, [&] { return done; });
    Disconnect();
    return error == asio::error::eof || error == asio::error::connection_reset;
  }

  void Disconnect() {
    if (stream_) stream_->close();
    stream_.reset();
    buffer_.clear();
  }

 private:
  Status Connect() {
    stream_.emplace(io_);
    bool done = false;
    beast::error_code error;
    stream_->expires_after(timeout_);
    stream_->async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_),
                           [&](beast::error_code ec) {
                             done = true;
                             error = ec;
                           });
    RunUntil(io_, [&] { return done; });
    if (error) {
      stream_.reset();
      return Fail(Failed("connecting to 127.0.0.1:" + std::to_string(port_), error));
    }
    ++connections_opened_;
    return Ok();
  }

  asio::io_context io_;
  std::uint16_t port_;
  std::chrono::milliseconds timeout_;
  std::optional<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::size_t connections_opened_ = 0;
};

HttpClient::HttpClient(std::uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(port, timeout)) {}

HttpClient::~HttpClient() = default;

Result<HttpResponse> HttpClient::Send(const HttpRequest& request) { return impl_->Send(request); }

Result<HttpResponse> HttpClient::Get(std::string target, HeaderList headers) {
  return Send({.method = "GET", .target = std::move(target), .headers = std::move(headers)});
}

Result<HttpResponse> HttpClient::PostJson(std::string target, const boost::json::value& body,
                                          HeaderList headers) {
  headers.emplace_back("Content-Type", "application/json");
  return Send({.method = "POST",
               .target = std::move(target),
               .body = boost::json::serialize(body),
               .headers = std::move(headers)});
}

std::size_t HttpClient::connections_opened() const { return impl_->connections_opened(); }

bool HttpClient::connected() const { return impl_->connected(); }

std::uint16_t HttpClient::local_port() const { return impl_->local_port(); }

bool HttpClient::ServerClosedConnection(std::chrono::milliseconds wait) {
  return impl_->ServerClosedConnection(wait);
}

void HttpClient::Close() { impl_->Disconnect(); }

Result<std::string> ExchangeRaw(std::uint16_t port, std::string_view bytes,
                                std::chrono::milliseconds timeout) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code error;
  bool done = false;
  stream.expires_after(timeout);
  stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                       [&](beast::error_code ec) {
                         done = true;
                         error = ec;
                       });
  RunUntil(io, [&] { return done; });
  if (error) return Fail(Failed("connecting", error));

  std::string received;
  bool read = false;
  beast::error_code read_error;
  asio::async_write(stream, asio::buffer(bytes), [](beast::error_code, std::size_t) {});
  asio::async_read(stream, asio::dynamic_buffer(received), [&](beast::error_code ec, std::size_t) {
    read = true;
    read_error = ec;
  });
  RunUntil(io, [&] { return read; });
  stream.close();
  io.restart();
  io.run();
  if (read_error == asio::error::eof || read_error == asio::error::connection_reset) {
    return received;
  }
  return Fail(
      Failed("waiting for the server to close (received \"" + received + "\")", read_error));
}

}  // namespace clinic::test_support
