#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clinic/common/result.hpp"

namespace clinic::test_support {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  int status = 0;
  HeaderList headers;  // in the order received
  std::string body;

  // The first value of header `name` (case-insensitive); "" when absent.
  std::string Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  // The body parsed as JSON; records a test failure (with the body) and returns null when it is
  // not JSON.
  boost::json::value Json() const;
};

struct HttpRequest {
  std::string method = "GET";
  std::string target = "/";
  std::string body{};
  HeaderList headers{};
  // Send the body with Transfer-Encoding: chunked instead of Content-Length.
  bool chunked = false;
};

// A small synchronous HTTP/1.1 client for tests. Keeps one connection to 127.0.0.1:port alive
// across requests and reconnects only when the server closed it (or Close() was called), so tests
// can count connections. Sends the request while already reading the answer, so an early answer
// (413 before the body is consumed) is seen the way a browser would see it. Every operation gives
// up after `timeout`. Not thread-safe: one client per thread.
class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port,
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request);
  Result<HttpResponse> Get(std::string target, HeaderList headers = {});
  // POSTs `body` serialized, with Content-Type: application/json.
  Result<HttpResponse> PostJson(std::string target, const boost::json::value& body,
                                HeaderList headers = {});

  // Connections opened so far (1 after several requests on a kept-alive connection).
  std::size_t connections_opened() const;
  // Whether the current connection is still open as far as the client knows.
  bool connected() const;
  // The local port of the current connection; 0 when not connected.
  std::uint16_t local_port() const;
  // True when the server has closed the idle connection (reads EOF within `wait`).
  bool ServerClosedConnection(std::chrono::milliseconds wait);
  void Close();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Opens a connection, writes `bytes` as they are, and returns everything the server sends until
// it closes the connection; an error when `timeout` passes first. For malformed requests,
// pipelining and timeouts, which a well-behaved client cannot produce.
Result<std::string> ExchangeRaw(std::uint16_t port, std::string_view bytes,
                                std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace clinic::test_support
