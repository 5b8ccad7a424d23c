#include "clinic/http/handlers/live_routes.hpp"

#include <boost/json/serialize.hpp>
#include <memory>
#include <string>
#include <utility>
#include <variant>

#include "clinic/common/time.hpp"
#include "clinic/http/handlers/authentication.hpp"
#include "clinic/http/handlers/json_codecs.hpp"

namespace clinic::http {
namespace {

using boost::json::object;
using service::LiveEvent;

object UserJson(domain::Role role, Id id) { return {{"role", domain::Name(role)}, {"id", id}}; }

object FrameJson(const service::LiveReady& ready) {
  return {{"type", "ready"}, {"user", UserJson(ready.user.role, ready.user.id)}};
}

object FrameJson(const service::LiveMessage& live) {
  return {{"type", "message"},
          {"appointment_id", live.message.refs.appointment_id},
          {"message", ToJson(live.message)}};
}

object FrameJson(const service::LiveRead& live) {
  const auto& read = live.read;
  return {{"type", "read"},
          {"appointment_id", read.appointment_id},
          {"user", UserJson(read.reader.role, read.reader.id)},
          {"up_to", read.up_to},
          {"read_at", FormatRfc3339(read.read_at)}};
}

object FrameJson(const service::LiveAppointment& live) {
  return {{"type", "appointment"},
          {"change", service::Name(live.change)},
          {"appointment", ToJson(live.appointment)}};
}

// The feed's events as JSON text frames on one WebSocket.
class WebSocketSink final : public service::LiveSink {
 public:
  explicit WebSocketSink(const std::shared_ptr<WebSocketPeer>& peer) : peer_(peer) {}

  void Send(const LiveEvent& event) override {
    auto peer = peer_.lock();
    if (!peer) return;
    peer->Send(std::make_shared<const std::string>(boost::json::serialize(
        std::visit([](const auto& alternative) { return FrameJson(alternative); }, event))));
  }

  void Close() override {
    if (auto peer = peer_.lock()) peer->Close();
  }

 private:
  // Weak: the connection owns the channel that owns this sink.
  std::weak_ptr<WebSocketPeer> peer_;
};

// One connection's membership in the feed, for the connection's life.
class LiveChannel final : public WebSocketChannel {
 public:
  explicit LiveChannel(std::unique_ptr<service::LiveFeed::Subscription> subscription)
      : subscription_(std::move(subscription)) {}

  void Opened(const std::shared_ptr<WebSocketPeer>& peer) override {
    subscription_->Opened(std::make_shared<WebSocketSink>(peer));
  }

 private:
  std::unique_ptr<service::LiveFeed::Subscription> subscription_;
};

Result<std::shared_ptr<WebSocketChannel>> OpenLiveChannel(service::LiveFeed& feed, Call& call) {
  // Browsers send the cookie with a WebSocket handshake from any site.
  CLINIC_TRY_STATUS(RequireOwnOriginForCookie(call.request));
  CLINIC_ASSIGN_OR_RETURN(
      auto subscription,
      feed.Subscribe(call.context.actor, SessionToken(call.request).value_or("")));
  return std::shared_ptr<WebSocketChannel>(std::make_shared<LiveChannel>(std::move(subscription)));
}

}  // namespace

void AddLiveRoutes(RouteTable& routes, service::LiveFeed& feed) {
  routes.AddWebSocket({.method = Method::get, .path = "/api/v1/live"},
                      [&feed](Call& call) { return OpenLiveChannel(feed, call); });
}

}  // namespace clinic::http
