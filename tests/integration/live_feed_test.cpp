// The live feed's fan-out without sockets: who gets which event, and subscribers coming and going
// while events are published from many threads (run under ThreadSanitizer too).

#include "clinic/service/live_feed.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "clinic/common/crypto.hpp"
#include "clinic/storage/sqlite/sqlite_message_store.hpp"
#include "support/matchers.hpp"

namespace clinic::testing {
namespace {

using domain::Role;

// Records the events sent to one connection.
class RecordingSink final : public service::LiveSink {
 public:
  void Send(const service::LiveEvent& event) override {
    std::lock_guard lock(mutex_);
    events_.push_back(event);
  }
  void Close() override { closed_ = true; }
  std::vector<service::LiveEvent> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }
  bool closed() const { return closed_; }

 private:
  std::mutex mutex_;
  std::vector<service::LiveEvent> events_;
  std::atomic<bool> closed_ = false;
};

template <typename Event>
bool Is(const service::LiveEvent& event) {
  return std::holds_alternative<Event>(event);
}

domain::Message MessageOf(Id appointment, Id patient, Id doctor, int n) {
  domain::Message m;
  m.id = Sha256Hex(std::to_string(n)).substr(0, 24);
  m.thread_id = domain::ThreadIdOf(appointment);
  m.text = "hello";
  m.refs = {.appointment_id = appointment, .patient_id = patient, .doctor_id = doctor};
  m.author = {.role = Role::kPatient, .id = patient, .display_name = "Pat Ient"};
  return m;
}

class LiveFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() / ("clinic-live-" + RandomToken(6));
    std::filesystem::create_directories(directory_);
    auto opened = storage::sqlite::OpenSqliteMessageStore((directory_ / "docs.db").string(), 2);
    ASSERT_THAT(opened, IsOk());
    store_ = std::move(*opened);
    feed_ = std::make_unique<service::LiveFeed>(*store_, service::LiveFeedOptions{});
  }
  void TearDown() override {
    feed_.reset();
    store_.reset();
    std::filesystem::remove_all(directory_);
  }

  std::filesystem::path directory_;
  std::unique_ptr<storage::MessageStore> store_;
  std::unique_ptr<service::LiveFeed> feed_;
};

TEST_F(LiveFeedTest, ConnectionsWhoseSessionEndedAreClosedAndOthersKept) {
  std::atomic<int> checks = 0;
  service::LiveFeed feed(*store_, {.sessions_live =
                                       [&checks](const std::vector<std::string>& tokens) {
                                         ++checks;
                                         std::vector<bool> live;
                                         for (const auto& token : tokens)
                                           live.push_back(token != "ended");
                                         return Result<std::vector<bool>>(live);
                                       },
                                   .session_check_interval = std::chrono::milliseconds(20)});
  auto ended = std::make_shared<RecordingSink>();
  auto kept = std::make_shared<RecordingSink>();
  auto ended_channel = feed.Subscribe({Role::kPatient, 7}, "ended").value();
  auto kept_channel = feed.Subscribe({Role::kPatient, 7}, "still-live").value();
  ended_channel->Opened(ended);
  kept_channel->Opened(kept);
  for (int i = 0; i < 500 && !ended->closed(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(ended->closed());
  const int before = checks.load();
  while (checks.load() < before + 2) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_FALSE(kept->closed());
}

TEST_F(LiveFeedTest, AStoreThatDoesNotAnswerClosesNothing) {
  std::atomic<int> checks = 0;
  service::LiveFeed feed(*store_, {.sessions_live =
                                       [&checks](const std::vector<std::string>&) {
                                         ++checks;
                                         return Result<std::vector<bool>>(
                                             Fail(Error::Unavailable("the database is down")));
                                       },
                                   .session_check_interval = std::chrono::milliseconds(10)});
  auto peer = std::make_shared<RecordingSink>();
  auto channel = feed.Subscribe({Role::kDoctor, 3}, "any").value();
  channel->Opened(peer);
  while (checks.load() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_FALSE(peer->closed());
}

TEST_F(LiveFeedTest, OneAccountOpensOnlySoManyConnections) {
  service::LiveFeed feed(*store_, {.max_connections_per_user = 2});
  std::vector<std::unique_ptr<service::LiveFeed::Subscription>> channels;
  std::vector<std::shared_ptr<RecordingSink>> peers;
  for (int i = 0; i < 2; ++i) {
    channels.push_back(feed.Subscribe({Role::kPatient, 7}, "token").value());
    peers.push_back(std::make_shared<RecordingSink>());
    channels.back()->Opened(peers.back());
  }
  auto refused = feed.Subscribe({Role::kPatient, 7}, "token");
  ASSERT_THAT(refused, StatusIs(ErrorCode::kResourceExhausted));
  EXPECT_TRUE(feed.Subscribe({Role::kDoctor, 7}, "token")) << "another account is not affected";
  channels.pop_back();  // the connection ended
  EXPECT_TRUE(feed.Subscribe({Role::kPatient, 7}, "token"));
}

TEST_F(LiveFeedTest, EventsReachTheAppointmentsPatientAndDoctorOnly) {
  auto patient = std::make_shared<RecordingSink>();
  auto doctor = std::make_shared<RecordingSink>();
  auto other = std::make_shared<RecordingSink>();
  auto patient_channel = feed_->Subscribe({Role::kPatient, 7}, "session-token").value();
  auto doctor_channel = feed_->Subscribe({Role::kDoctor, 3}, "session-token").value();
  auto other_channel = feed_->Subscribe({Role::kDoctor, 7}, "session-token")
                           .value();  // the patient's id, as a doctor
  patient_channel->Opened(patient);
  doctor_channel->Opened(doctor);
  other_channel->Opened(other);

  feed_->MessageStored(MessageOf(1, 7, 3, 1));
  feed_->MessagesRead({.appointment_id = 1,
                       .audience = {{Role::kPatient, 7}, {Role::kDoctor, 3}},
                       .reader = {Role::kDoctor, 3},
                       .up_to = "x"});
  for (auto* peer : {patient.get(), doctor.get()}) {
    const auto events = peer->events();
    ASSERT_EQ(events.size(), 3u);
    EXPECT_TRUE(Is<service::LiveReady>(events[0]));
    EXPECT_TRUE(Is<service::LiveMessage>(events[1]));
    EXPECT_TRUE(Is<service::LiveRead>(events[2]));
  }
  EXPECT_EQ(other->events().size(), 1u) << "only its ready";

  domain::AppointmentListing booking;
  booking.appointment = {.id = 1, .doctor_id = 3, .patient_id = 7};
  feed_->Changed(service::AppointmentEvent::kBooked, booking);
  booking.patient_deleted = true;
  feed_->Changed(service::AppointmentEvent::kCancelled, booking);
  for (auto* peer : {patient.get(), doctor.get()}) {
    const auto events = peer->events();
    ASSERT_EQ(events.size(), 4u) << "the booking, not the change of a deleted patient's";
    EXPECT_TRUE(Is<service::LiveAppointment>(events[3]));
  }

  patient_channel.reset();
  feed_->MessageStored(MessageOf(1, 7, 3, 2));
  EXPECT_EQ(patient->events().size(), 4u) << "an ended connection hears nothing more";
  EXPECT_EQ(doctor->events().size(), 5u);
}

TEST_F(LiveFeedTest, ConcurrentSubscribersAndPublishers) {
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  std::atomic<int> published{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        feed_->MessageStored(MessageOf(1, 7, 3, t * 1000 + i));
        ++published;
      }
    });
  }
  auto steady = std::make_shared<RecordingSink>();
  auto steady_channel = feed_->Subscribe({Role::kDoctor, 3}, "session-token").value();
  steady_channel->Opened(steady);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      while (!done) {
        auto peer = std::make_shared<RecordingSink>();
        auto channel = feed_->Subscribe({Role::kPatient, 7}, "session-token").value();
        channel->Opened(peer);
        channel.reset();
        EXPECT_TRUE(Is<service::LiveReady>(peer->events().front()));
      }
    });
  }
  for (int t = 0; t < 4; ++t) threads[static_cast<std::size_t>(t)].join();
  done = true;
  for (std::size_t t = 4; t < threads.size(); ++t) threads[t].join();
  EXPECT_EQ(published.load(), 800);
  EXPECT_LE(steady->events().size(), 801u);
  EXPECT_TRUE(Is<service::LiveReady>(steady->events().front()));
}

}  // namespace
}  // namespace clinic::testing
