#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "clinic/common/periodic_task.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/http/handlers/route_table.hpp"
#include "clinic/service/appointment_events.hpp"
#include "clinic/service/message_events.hpp"
#include "clinic/storage/message_store.hpp"

namespace clinic::http {

struct LiveFeedOptions {
  // How often to look for messages other instances stored; zero: never (a single instance).
  std::chrono::milliseconds poll_interval{0};
  // How far back each poll looks: messages becoming visible later than this after their
  // meta.created_at (clock skew, slow writes) are not relayed.
  std::chrono::seconds poll_window{10};
  // Which of the given session tokens still belong to a live session (not ended by logout or a
  // password change, not expired, of an account not deleted or deactivated since); empty: the
  // sessions of open connections are not watched.
  std::function<Result<std::vector<bool>>(const std::vector<std::string>&)> sessions_live{};
  // How often the sessions of open connections are checked. A connection whose session has ended
  // is closed (1008), on every instance, whichever instance ended it.
  std::chrono::milliseconds session_check_interval{1000};
  // Open live connections per account on this instance; one more is refused (429), so one
  // account cannot hold the server's connections (a user has a few tabs and devices).
  std::size_t max_connections_per_user = 16;
};

// Live delivery of thread and booking changes to WebSocket connections (GET /api/v1/live).
//
// Each connection subscribes as its logged-in user. Events go to the appointment's patient and
// doctor, on every connection of theirs: {type: "message"} for a stored message (new, system or
// edited), {type: "read"} for read receipts, {type: "appointment"} for booking changes. A
// connection first gets {type: "ready", user} once it is subscribed. Delivery is at most once and
// best effort: a connection that falls behind is closed (WebSocketPeer), and clients reload what
// they show when they reconnect.
//
// Several instances: each delivers what happens on it at once; with a poll interval it also reads
// the messages stored in the last poll_window every interval and relays those it has not
// delivered (polling by meta.created_at; the MongoDB peer used in tests has no change streams).
// Receipts and booking changes made on another instance are not relayed; the system messages of
// booking changes are. Thread-safe.
class LiveFeed final : public service::MessageEvents, public service::AppointmentEvents {
 public:
  LiveFeed(storage::MessageStore& messages, LiveFeedOptions options);
  ~LiveFeed() override;
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  void MessageStored(const domain::Message& message) override;
  void MessagesRead(const service::ReadEvent& event) override;
  void Changed(service::AppointmentEvent event,
               const storage::AppointmentListing& appointment) override;

  // A channel for one connection of `user`, opened with `session_token`; it subscribes when
  // opened and unsubscribes when the connection ends. kResourceExhausted when the user already
  // has max_connections_per_user open.
  Result<std::shared_ptr<WebSocketChannel>> Subscribe(const domain::Principal& user,
                                                      std::string session_token);

 private:
  class Subscription;
  using UserKey = std::pair<domain::Role, Id>;

  // One open connection of a user.
  struct Peer {
    const Subscription* subscription = nullptr;
    std::weak_ptr<WebSocketPeer> connection;
    std::string session_token;
  };

  void Add(const Subscription* subscription, const UserKey& user,
           const std::shared_ptr<WebSocketPeer>& peer, const std::string& session_token);
  void Remove(const Subscription* subscription, const UserKey& user);
  // Sends the frame `frame` builds to every connection of `users`; builds it only if there is one.
  void Publish(const std::vector<UserKey>& users, const std::function<std::string()>& frame);
  void Deliver(const domain::Message& message);
  // Remembers a delivered message; false when it already was.
  bool MarkDelivered(const domain::Message& message);
  // Reads the messages of the poll window, delivering (when `deliver`) those not delivered yet.
  void Poll(bool deliver);
  // Closes the connections whose session has ended.
  void CheckSessions();

  storage::MessageStore& messages_;
  LiveFeedOptions options_;

  std::mutex mutex_;
  std::multimap<UserKey, Peer> peers_;

  // Messages delivered within the poll window (only kept while polling).
  std::mutex delivered_mutex_;
  std::unordered_map<std::string, Instant> delivered_;

  // Last: they stop before anything they use goes.
  std::optional<PeriodicTask> poller_;
  std::optional<PeriodicTask> session_checker_;
};

// GET /api/v1/live: the WebSocket of `feed`, for a logged-in caller (bearer token, or the session
// cookie from a page of this server's own origin: another Origin is a 403, against cross-site
// WebSocket hijacking). Without an upgrade: 426.
void AddLiveRoutes(RouteTable& routes, LiveFeed& feed);

}  // namespace clinic::http
