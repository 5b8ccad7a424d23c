#include "clinic/http/handlers/live_routes.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>
#include <set>

#include "clinic/common/time.hpp"
#include "clinic/domain/policy.hpp"
#include "clinic/http/handlers/authentication.hpp"
#include "clinic/http/handlers/json_codecs.hpp"
#include "clinic/http/problem.hpp"

namespace clinic::http {
namespace {

namespace bhttp = boost::beast::http;
using boost::json::object;
using domain::Role;

// Messages a poll relays at most; more within one window are left for the clients to reload.
constexpr int kMaxMessagesPerPoll = 500;

std::string_view ChangeName(service::AppointmentEvent event) {
  switch (event) {
    case service::AppointmentEvent::kBooked:
      return "booked";
    case service::AppointmentEvent::kCancelled:
      return "cancelled";
    case service::AppointmentEvent::kRescheduled:
      return "rescheduled";
    case service::AppointmentEvent::kCompleted:
      return "completed";
    case service::AppointmentEvent::kNoShow:
      return "no_show";
  }
  return "changed";
}

object UserJson(Role role, Id id) { return {{"role", domain::Name(role)}, {"id", id}}; }

Result<std::shared_ptr<WebSocketChannel>> OpenLiveChannel(LiveFeed& feed, Call& call) {
  // Browsers send the cookie with a WebSocket handshake from any site.
  CLINIC_TRY_STATUS(RequireOwnOriginForCookie(call.request));
  return feed.Subscribe(call.context.actor, SessionToken(call.request).value_or(""));
}

}  // namespace

// One connection's membership in the feed.
class LiveFeed::Subscription final : public WebSocketChannel {
 public:
  Subscription(LiveFeed& feed, UserKey user, std::string session_token)
      : feed_(feed), user_(std::move(user)), session_token_(std::move(session_token)) {}
  ~Subscription() override { feed_.Remove(this, user_); }
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  void Opened(const std::shared_ptr<WebSocketPeer>& peer) override {
    feed_.Add(this, user_, peer, session_token_);
  }

 private:
  LiveFeed& feed_;
  UserKey user_;
  std::string session_token_;
};

LiveFeed::LiveFeed(storage::MessageStore& messages, LiveFeedOptions options)
    : messages_(messages), options_(std::move(options)) {
  if (options_.sessions_live) {
    session_checker_.emplace(options_.session_check_interval, [this] { CheckSessions(); });
  }
  if (options_.poll_interval.count() == 0) return;
  // What was stored before this instance started is not news to anyone connecting to it; this
  // runs before the server listens, so nothing stored later is mistaken for old.
  Poll(/*deliver=*/false);
  poller_.emplace(options_.poll_interval, [this] { Poll(/*deliver=*/true); });
}

LiveFeed::~LiveFeed() = default;

Result<std::shared_ptr<WebSocketChannel>> LiveFeed::Subscribe(const domain::Principal& user,
                                                              std::string session_token) {
  const UserKey key{user.role, user.id};
  {
    std::lock_guard lock(mutex_);
    if (peers_.count(key) >= options_.max_connections_per_user) {
      return Fail(Error::ResourceExhausted(
          fmt::format("this account already has {} live connections open; close one first",
                      options_.max_connections_per_user),
          5));
    }
  }
  return std::shared_ptr<WebSocketChannel>(
      std::make_shared<Subscription>(*this, key, std::move(session_token)));
}

void LiveFeed::Add(const Subscription* subscription, const UserKey& user,
                   const std::shared_ptr<WebSocketPeer>& peer, const std::string& session_token) {
  auto ready = std::make_shared<const std::string>(boost::json::serialize(
      object{{"type", "ready"}, {"user", UserJson(user.first, user.second)}}));
  // Queued under the lock, so no event published after the subscription can overtake it.
  std::lock_guard lock(mutex_);
  peers_.emplace(user, Peer{subscription, peer, session_token});
  peer->Send(std::move(ready));
}

void LiveFeed::Remove(const Subscription* subscription, const UserKey& user) {
  std::lock_guard lock(mutex_);
  auto [first, last] = peers_.equal_range(user);
  for (auto it = first; it != last; ++it) {
    if (it->second.subscription == subscription) {
      peers_.erase(it);
      return;
    }
  }
}

void LiveFeed::Publish(const std::vector<UserKey>& users,
                       const std::function<std::string()>& frame) {
  std::vector<std::shared_ptr<WebSocketPeer>> recipients;
  {
    std::lock_guard lock(mutex_);
    for (const auto& user : users) {
      auto [first, last] = peers_.equal_range(user);
      for (auto it = first; it != last; ++it) {
        if (auto peer = it->second.connection.lock()) recipients.push_back(std::move(peer));
      }
    }
  }
  // Most events have nobody listening: the frame (markdown, JSON) is built only for someone.
  // A connection that subscribed after the lock above hears from the next event on; its
  // "ready" was queued under the lock, so it still comes first.
  if (recipients.empty()) return;
  const auto shared = std::make_shared<const std::string>(frame());
  for (const auto& peer : recipients) peer->Send(shared);
}

void LiveFeed::Deliver(const domain::Message& message) {
  for (const UserKey& participant : {UserKey{Role::kPatient, message.refs.patient_id},
                                     UserKey{Role::kDoctor, message.refs.doctor_id}}) {
    Publish({participant}, [&] {
      const domain::Principal reader{participant.first, participant.second};
      return boost::json::serialize(object{{"type", "message"},
                                           {"appointment_id", message.refs.appointment_id},
                                           {"message", ToJson(domain::AsSeenBy(reader, message))}});
    });
  }
}

bool LiveFeed::MarkDelivered(const domain::Message& message) {
  if (options_.poll_interval.count() == 0) return true;
  std::lock_guard lock(delivered_mutex_);
  return delivered_.emplace(message.id, message.created_at).second;
}

void LiveFeed::MessageStored(const domain::Message& message) {
  MarkDelivered(message);
  Deliver(message);
}

void LiveFeed::MessagesRead(const service::ReadEvent& event) {
  Publish({{Role::kPatient, event.patient_id}, {Role::kDoctor, event.doctor_id}}, [&] {
    return boost::json::serialize(object{{"type", "read"},
                                         {"appointment_id", event.appointment_id},
                                         {"user", UserJson(event.reader.role, event.reader.id)},
                                         {"up_to", event.up_to},
                                         {"read_at", FormatRfc3339(event.read_at)}});
  });
}

void LiveFeed::Changed(service::AppointmentEvent event,
                       const storage::AppointmentListing& appointment) {
  Publish({{Role::kPatient, appointment.appointment.patient_id},
           {Role::kDoctor, appointment.appointment.doctor_id}},
          [&] {
            return boost::json::serialize(object{{"type", "appointment"},
                                                 {"change", ChangeName(event)},
                                                 {"appointment", ToJson(appointment)}});
          });
}

void LiveFeed::Poll(bool deliver) {
  const Instant since = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now() -
                                                                 options_.poll_window);
  auto recent = messages_.ListCreatedSince(since, kMaxMessagesPerPoll);
  if (!recent) {
    spdlog::warn("live delivery: polling the document store failed: {}", recent.error().message);
    return;
  }
  for (const auto& message : *recent) {
    if (MarkDelivered(message) && deliver) Deliver(message);
  }
  std::lock_guard lock(delivered_mutex_);
  std::erase_if(delivered_, [&](const auto& entry) { return entry.second < since; });
}

void LiveFeed::CheckSessions() {
  std::vector<std::string> tokens;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [user, peer] : peers_) tokens.push_back(peer.session_token);
  }
  std::sort(tokens.begin(), tokens.end());
  tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
  if (tokens.empty()) return;
  const auto live = options_.sessions_live(tokens);
  if (!live) {
    // Nobody is disconnected because the database did not answer.
    spdlog::warn("live delivery: checking the sessions of open connections failed: {}",
                 live.error().message);
    return;
  }
  std::set<std::string, std::less<>> ended;
  for (std::size_t i = 0; i < tokens.size() && i < live->size(); ++i) {
    if (!(*live)[i]) ended.insert(tokens[i]);
  }
  if (ended.empty()) return;
  std::vector<std::shared_ptr<WebSocketPeer>> closing;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [user, peer] : peers_) {
      if (!ended.contains(peer.session_token)) continue;
      if (auto connection = peer.connection.lock()) closing.push_back(std::move(connection));
    }
  }
  for (const auto& connection : closing) connection->Close();
}

void AddLiveRoutes(RouteTable& routes, LiveFeed& feed) {
  routes.AddWebSocket({.method = Method::get, .path = "/api/v1/live"},
                      [&feed](Call& call) { return OpenLiveChannel(feed, call); });
}

}  // namespace clinic::http
