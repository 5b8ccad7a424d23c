#include "support/websocket_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/parse.hpp>

namespace clinic::test_support {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

struct WebSocketClient::Impl {
  asio::io_context io;
  websocket::stream<beast::tcp_stream> ws{io};
  beast::flat_buffer buffer;
  std::thread reader;
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::string> frames;
  bool closed = false;

  void Read() {
    ws.async_read(buffer, [this](beast::error_code ec, std::size_t) {
      std::lock_guard lock(mutex);
      if (ec) {
        closed = true;
        changed.notify_all();
        return;
      }
      frames.push_back(beast::buffers_to_string(buffer.data()));
      buffer.consume(buffer.size());
      changed.notify_all();
      Read();
    });
  }
};

Result<std::unique_ptr<WebSocketClient>> WebSocketClient::Connect(std::uint16_t port,
                                                                  std::string target,
                                                                  HeaderList headers) {
  auto impl = std::make_unique<Impl>();
  beast::error_code ec;
  auto& socket = beast::get_lowest_layer(impl->ws);
  socket.expires_after(std::chrono::seconds(10));
  socket.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return Fail(Error::Unavailable("cannot connect: " + ec.message()));
  impl->ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
    for (const auto& [name, value] : headers) req.set(name, value);
  }));
  websocket::response_type response;
  impl->ws.handshake(response, "127.0.0.1:" + std::to_string(port), target, ec);
  if (ec) {
    return Fail(Error::Unavailable("upgrade refused: HTTP " +
                                   std::to_string(response.result_int()) + " " + response.body()));
  }
  socket.expires_never();
  impl->Read();
  impl->reader = std::thread([raw = impl.get()] { raw->io.run(); });
  return std::unique_ptr<WebSocketClient>(new WebSocketClient(std::move(impl)));
}

WebSocketClient::WebSocketClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

WebSocketClient::~WebSocketClient() {
  asio::post(impl_->io, [impl = impl_.get()] { beast::get_lowest_layer(impl->ws).close(); });
  impl_->reader.join();
}

std::optional<boost::json::value> WebSocketClient::Next(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mutex);
  impl_->changed.wait_for(lock, timeout, [&] { return !impl_->frames.empty() || impl_->closed; });
  if (impl_->frames.empty()) return std::nullopt;
  std::string frame = std::move(impl_->frames.front());
  impl_->frames.pop_front();
  boost::system::error_code error;
  auto json = boost::json::parse(frame, error);
  if (error) return boost::json::value(frame);
  return json;
}

std::optional<boost::json::value> WebSocketClient::NextOfType(std::string_view type,
                                                              std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto frame = Next(left);
    if (!frame) return std::nullopt;
    if (frame->is_object() && frame->as_object().contains("type") &&
        frame->at("type") == boost::json::string_view(type.data(), type.size())) {
      return frame;
    }
  }
}

bool WebSocketClient::Closed() {
  std::lock_guard lock(impl_->mutex);
  return impl_->closed;
}

}  // namespace clinic::test_support
