#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "clinic/common/periodic_task.hpp"
#include "clinic/domain/message.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/service/appointment_events.hpp"
#include "clinic/service/message_events.hpp"
#include "clinic/storage/message_store.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::service {

struct LiveFeedOptions {
  // How often to look for messages other instances stored; zero: never (a single instance).
  std::chrono::milliseconds poll_interval{0};
  // How far back each poll looks: messages becoming visible later than this after their
  // meta.created_at (clock skew, slow writes) are not relayed.
  std::chrono::seconds poll_window{10};
  // With a poll interval: the relational store whose outbox tells of booking changes and read
  // receipts made on other instances (storage::OutboxRepository), and the name this instance
  // writes its own under (OutboxWriter::origin), which it delivered already.
  storage::Store* outbox_store = nullptr;
  std::string origin;
  // Which of the given session tokens still belong to a live session (not ended by logout or a
  // password change, not expired, of an account not deleted or deactivated since); empty: the
  // sessions of open connections are not watched.
  std::function<Result<std::vector<bool>>(const std::vector<std::string>&)> sessions_live{};
  // How often the sessions of open connections are checked. A connection whose session has ended
  // is closed, on every instance, whichever instance ended it.
  std::chrono::milliseconds session_check_interval{1000};
  // Open live connections per account on this instance; one more is refused (kResourceExhausted),
  // so one account cannot hold the server's connections (a user has a few tabs and devices).
  std::size_t max_connections_per_user = 16;
};

// The first event of every connection, once it is subscribed: who it listens as.
struct LiveReady {
  domain::Principal user;
};

// A stored message (new, system or edited), as its recipient may see it.
struct LiveMessage {
  domain::Message message;
};

// A read receipt.
struct LiveRead {
  ReadEvent read;
};

// A booking change, with the appointment as it is now.
struct LiveAppointment {
  AppointmentEvent change = AppointmentEvent::kBooked;
  domain::AppointmentListing appointment;
};

using LiveEvent = std::variant<LiveReady, LiveMessage, LiveRead, LiveAppointment>;

// One connection's end of the feed, implemented by the transport (the WebSocket layer encodes the
// events as JSON frames). Both calls must return at once: they run on the thread that made the
// change, Send for LiveReady under the feed's lock.
class LiveSink {
 public:
  virtual ~LiveSink() = default;
  // Queues `event` for the connection. A connection that cannot keep up is the sink's to drop.
  virtual void Send(const LiveEvent& event) = 0;
  // Ends the connection: the session it was opened with has ended.
  virtual void Close() = 0;
};

// Live delivery of thread and booking changes to the connections of the people concerned.
//
// A connection subscribes as its logged-in user. Events go to the appointment's patient and
// doctor (domain::LiveAudience: nobody for a deleted patient's appointment), on every connection
// of theirs; each connection first gets LiveReady. A message goes to the participants its
// relationalRefs name: an appointment never changes patient or doctor (a reschedule to another
// doctor books a new appointment), and nothing is written on a deleted patient's thread.
// Delivery is at most once and best effort: clients reload what they show when they reconnect.
//
// Several instances: each delivers what happens on it at once; with a poll interval it also reads
// the messages stored in the last poll_window every interval (polling by meta.created_at; the
// MongoDB peer used in tests has no change streams), and the outbox entries of booking changes
// and read receipts other instances wrote in that window, and relays those it has not
// delivered. Connections whose session ended are closed (LiveSink::Close).
// Thread-safe.
class LiveFeed final : public MessageEvents, public AppointmentEvents {
 public:
  // One connection's membership: it joins the feed with Opened and leaves it when destroyed.
  class Subscription {
   public:
    ~Subscription();
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;

    // The connection is ready for events; the feed keeps `sink` until this subscription ends.
    void Opened(std::shared_ptr<LiveSink> sink);

   private:
    friend class LiveFeed;
    Subscription(LiveFeed& feed, domain::Principal user, std::string session_token)
        : feed_(feed), user_(user), session_token_(std::move(session_token)) {}

    LiveFeed& feed_;
    domain::Principal user_;
    std::string session_token_;
  };

  LiveFeed(storage::MessageStore& messages, LiveFeedOptions options);
  ~LiveFeed() override;
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  void MessageStored(const domain::Message& message) override;
  void MessagesRead(const ReadEvent& event) override;
  void Changed(AppointmentEvent event, const domain::AppointmentListing& appointment) override;

  // A subscription for one connection of `user`, opened with `session_token`.
  // kResourceExhausted when the user already has max_connections_per_user open.
  Result<std::unique_ptr<Subscription>> Subscribe(const domain::Principal& user,
                                                  std::string session_token);

 private:
  using UserKey = std::pair<domain::Role, Id>;

  // One open connection of a user.
  struct Listener {
    const Subscription* subscription = nullptr;
    std::shared_ptr<LiveSink> sink;
    std::string session_token;
  };

  void Add(const Subscription& subscription, std::shared_ptr<LiveSink> sink);
  void Remove(const Subscription& subscription);
  // Sends the event `make` builds to every connection of `users`; builds it only if there is one
  // (most changes have nobody listening).
  void Publish(const std::vector<UserKey>& users, const std::function<LiveEvent()>& make);
  void Deliver(const domain::Message& message);
  // Remembers a delivered message or outbox entry by its key; false when it already was.
  bool MarkDelivered(const std::string& key, Instant created_at);
  // Reads the messages and other instances' outbox entries of the poll window, delivering (when
  // `deliver`) those not delivered yet.
  void Poll(bool deliver);
  void PollOutbox(Instant since, bool deliver);
  // Closes the connections whose session has ended.
  void CheckSessions();

  storage::MessageStore& messages_;
  LiveFeedOptions options_;

  std::mutex mutex_;
  std::multimap<UserKey, Listener> listeners_;

  // Messages and outbox entries delivered within the poll window (only kept while polling).
  std::mutex delivered_mutex_;
  std::unordered_map<std::string, Instant> delivered_;

  // Last: they stop before anything they use goes.
  std::optional<PeriodicTask> poller_;
  std::optional<PeriodicTask> session_checker_;
};

}  // namespace clinic::service
