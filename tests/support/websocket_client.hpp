#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "clinic/common/result.hpp"
#include "support/http_client.hpp"

namespace clinic::test_support {

// A WebSocket client for tests: connects to 127.0.0.1:port, then reads frames on a thread of its
// own into a queue, so a test waits for the next one with a timeout instead of blocking forever.
class WebSocketClient {
 public:
  // kUnavailable naming the HTTP status when the server refuses the upgrade.
  static Result<std::unique_ptr<WebSocketClient>> Connect(std::uint16_t port, std::string target,
                                                          HeaderList headers = {});
  ~WebSocketClient();
  WebSocketClient(const WebSocketClient&) = delete;
  WebSocketClient& operator=(const WebSocketClient&) = delete;

  // The next text frame, parsed as JSON; nullopt when none came within `timeout` or the
  // connection closed.
  std::optional<boost::json::value> Next(
      std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // The next frame whose "type" is `type`, skipping others; nullopt as for Next.
  std::optional<boost::json::value> NextOfType(
      std::string_view type, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Whether the server closed the connection.
  bool Closed();

 private:
  struct Impl;
  explicit WebSocketClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace clinic::test_support
