#include "clinic/http/websocket_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <string>
#include <utility>

namespace clinic::http::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;

// The upgraded connection StartWebSocketSession describes; everything runs on its strand but Send,
// Close and OnServerStopping, which post there.
class WebSocketSession final : public Connection,
                               public WebSocketPeer,
                               public std::enable_shared_from_this<WebSocketSession> {
 public:
  WebSocketSession(beast::tcp_stream stream, std::shared_ptr<ServerCore> core,
                   std::shared_ptr<ConnectionSlot> slot, std::shared_ptr<WebSocketChannel> channel)
      : ws_(std::move(stream)),
        core_(std::move(core)),
        slot_(std::move(slot)),
        channel_(std::move(channel)) {}

  ~WebSocketSession() override { core_->connections->Unregister(this); }
  WebSocketSession(const WebSocketSession&) = delete;
  WebSocketSession& operator=(const WebSocketSession&) = delete;

  // Completes the handshake of `request` (on the connection's strand).
  void Start(const bhttp::request<bhttp::empty_body>& request) {
    core_->connections->Register(this, weak_from_this());
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& response) { response.set(bhttp::field::server, "clinic"); }));
    ws_.read_message_max(kMaxIncomingMessageBytes);
    ws_.async_accept(request, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->open_ = true;
      self->channel_->Opened(self);
      if (self->core_->stopping) return self->CloseGoingAway();
      self->Read();
    });
  }

  void Send(std::shared_ptr<const std::string> text) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
      if (!self->open_) return;
      if (self->queue_.size() >= kMaxQueuedFrames) {
        self->DropQueued();
        return self->Close(websocket::close_code::policy_error);
      }
      self->queue_.push_back(std::move(text));
      if (!self->writing_) self->WriteNext();
    });
  }

  void Close() override {
    asio::post(ws_.get_executor(),
               [self = shared_from_this()] { self->Close(websocket::close_code::policy_error); });
  }

  void OnServerStopping() override {
    asio::post(ws_.get_executor(), [self = shared_from_this()] { self->CloseGoingAway(); });
  }

 private:
  static constexpr std::size_t kMaxIncomingMessageBytes = std::size_t{64} * 1024;

  void Read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->open_ = false;
        return;
      }
      self->buffer_.clear();
      self->Read();
    });
  }

  // The frame at the front is the one being written (its buffer must outlive the write).
  void WriteNext() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(*queue_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->writing_ = false;
                      self->queue_.pop_front();
                      if (ec) {
                        self->open_ = false;
                        return;
                      }
                      if (self->open_ && !self->queue_.empty()) self->WriteNext();
                    });
  }

  // Frees the frames not yet being written.
  void DropQueued() {
    queue_.erase(writing_ ? std::next(queue_.begin()) : queue_.begin(), queue_.end());
  }

  void CloseGoingAway() { Close(websocket::close_code::going_away); }

  void Close(websocket::close_code code) {
    if (!open_) return;
    open_ = false;
    ws_.async_close(code, [self = shared_from_this()](beast::error_code) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<ServerCore> core_;
  std::shared_ptr<ConnectionSlot> slot_;
  std::shared_ptr<WebSocketChannel> channel_;
  beast::flat_buffer buffer_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  bool open_ = false;
  bool writing_ = false;
};

}  // namespace

void StartWebSocketSession(beast::tcp_stream stream,
                           const bhttp::request<bhttp::empty_body>& request,
                           std::shared_ptr<ServerCore> core, std::shared_ptr<ConnectionSlot> slot,
                           std::shared_ptr<WebSocketChannel> channel) {
  std::make_shared<WebSocketSession>(std::move(stream), std::move(core), std::move(slot),
                                     std::move(channel))
      ->Start(request);
}

}  // namespace clinic::http::detail
