#include "clinic/service/live_feed.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "clinic/domain/policy.hpp"

namespace clinic::service {
namespace {

using domain::Role;

// Messages (and outbox entries) a poll relays at most; more within one window are left for the
// clients to reload.
constexpr int kMaxMessagesPerPoll = 500;
constexpr int kMaxChangesPerPoll = 2000;

std::string OutboxKey(Id id) { return fmt::format("outbox-{}", id); }

std::vector<std::pair<Role, Id>> UserKeys(const std::vector<domain::Principal>& users) {
  std::vector<std::pair<Role, Id>> keys;
  keys.reserve(users.size());
  for (const auto& user : users) keys.emplace_back(user.role, user.id);
  return keys;
}

}  // namespace

LiveFeed::Subscription::~Subscription() { feed_.Remove(*this); }

void LiveFeed::Subscription::Opened(std::shared_ptr<LiveSink> sink) {
  feed_.Add(*this, std::move(sink));
}

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

Result<std::unique_ptr<LiveFeed::Subscription>> LiveFeed::Subscribe(const domain::Principal& user,
                                                                    std::string session_token) {
  {
    std::lock_guard lock(mutex_);
    if (listeners_.count({user.role, user.id}) >= options_.max_connections_per_user) {
      return Fail(Error::ResourceExhausted(
          fmt::format("this account already has {} live connections open; close one first",
                      options_.max_connections_per_user),
          5));
    }
  }
  return std::unique_ptr<Subscription>(new Subscription(*this, user, std::move(session_token)));
}

void LiveFeed::Add(const Subscription& subscription, std::shared_ptr<LiveSink> sink) {
  // Sent under the lock, so no event published after the subscription can overtake it.
  std::lock_guard lock(mutex_);
  sink->Send(LiveReady{subscription.user_});
  listeners_.emplace(UserKey{subscription.user_.role, subscription.user_.id},
                     Listener{&subscription, std::move(sink), subscription.session_token_});
}

void LiveFeed::Remove(const Subscription& subscription) {
  std::lock_guard lock(mutex_);
  auto [first, last] = listeners_.equal_range({subscription.user_.role, subscription.user_.id});
  for (auto it = first; it != last; ++it) {
    if (it->second.subscription == &subscription) {
      listeners_.erase(it);
      return;
    }
  }
}

void LiveFeed::Publish(const std::vector<UserKey>& users, const std::function<LiveEvent()>& make) {
  std::vector<std::shared_ptr<LiveSink>> recipients;
  {
    std::lock_guard lock(mutex_);
    for (const auto& user : users) {
      auto [first, last] = listeners_.equal_range(user);
      for (auto it = first; it != last; ++it) recipients.push_back(it->second.sink);
    }
  }
  if (recipients.empty()) return;
  // Outside the lock: a sink encodes the event. A connection that subscribed after the lock above
  // hears from the next event on; its LiveReady was sent under the lock, so it still comes first.
  const LiveEvent event = make();
  for (const auto& sink : recipients) sink->Send(event);
}

void LiveFeed::Deliver(const domain::Message& message) {
  for (const UserKey& participant : {UserKey{Role::kPatient, message.refs.patient_id},
                                     UserKey{Role::kDoctor, message.refs.doctor_id}}) {
    const domain::Principal reader{participant.first, participant.second};
    Publish({participant},
            [&] { return LiveEvent{LiveMessage{domain::AsSeenBy(reader, message)}}; });
  }
}

bool LiveFeed::MarkDelivered(const std::string& key, Instant created_at) {
  if (options_.poll_interval.count() == 0) return true;
  std::lock_guard lock(delivered_mutex_);
  return delivered_.emplace(key, created_at).second;
}

void LiveFeed::MessageStored(const domain::Message& message) {
  MarkDelivered(message.id, message.created_at);
  Deliver(message);
}

void LiveFeed::MessagesRead(const ReadEvent& event) {
  Publish(UserKeys(event.audience), [&] { return LiveEvent{LiveRead{event}}; });
}

void LiveFeed::Changed(AppointmentEvent event, const domain::AppointmentListing& appointment) {
  Publish(UserKeys(domain::LiveAudience(appointment)), [&] {
    return LiveEvent{LiveAppointment{event, appointment}};
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
    if (MarkDelivered(message.id, message.created_at) && deliver) Deliver(message);
  }
  if (options_.outbox_store != nullptr) PollOutbox(since, deliver);
  std::lock_guard lock(delivered_mutex_);
  std::erase_if(delivered_, [&](const auto& entry) { return entry.second < since; });
}

void LiveFeed::PollOutbox(Instant since, bool deliver) {
  struct Relayed {
    storage::OutboxEntry entry;
    domain::AppointmentListing appointment;
  };
  auto relayed = storage::InTransaction(
      *options_.outbox_store, storage::TxMode::kRead,
      [&](storage::Transaction& tx) -> Result<std::vector<Relayed>> {
        CLINIC_ASSIGN_OR_RETURN(auto entries,
                                tx.outbox().ListCreatedSince(since, kMaxChangesPerPoll));
        std::vector<Relayed> fresh;
        for (auto& entry : entries) {
          if (entry.origin == options_.origin ||
              !MarkDelivered(OutboxKey(entry.id), entry.created_at) || !deliver) {
            continue;
          }
          CLINIC_ASSIGN_OR_RETURN(auto appointment,
                                  tx.appointments().GetListing(entry.appointment_id));
          fresh.push_back({std::move(entry), std::move(appointment)});
        }
        return fresh;
      });
  if (!relayed) {
    spdlog::warn("live delivery: polling the outbox failed: {}", relayed.error().message);
    return;
  }
  for (const auto& [entry, appointment] : *relayed) {
    if (entry.read_up_to) {
      MessagesRead({.appointment_id = entry.appointment_id,
                    .audience = domain::LiveAudience(appointment),
                    .reader = {entry.actor_role, entry.actor_id},
                    .up_to = *entry.read_up_to,
                    .read_at = entry.created_at});
    } else if (const auto event = ParseAppointmentEvent(entry.event)) {
      Changed(*event, appointment);
    }
  }
}

void LiveFeed::CheckSessions() {
  std::vector<std::string> tokens;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [user, listener] : listeners_) tokens.push_back(listener.session_token);
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
  std::vector<std::shared_ptr<LiveSink>> closing;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [user, listener] : listeners_) {
      if (ended.contains(listener.session_token)) closing.push_back(listener.sink);
    }
  }
  for (const auto& sink : closing) sink->Close();
}

}  // namespace clinic::service
