// The live feed's fan-out without sockets: who gets which event, and subscribers coming and going
// while events are published from many threads (run under ThreadSanitizer too).

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <filesystem>
#include <mutex>
#include <thread>

#include "clinic/common/crypto.hpp"
#include "clinic/http/handlers/live_routes.hpp"
#include "clinic/storage/sqlite/sqlite_message_store.hpp"

namespace clinic::testing {
namespace {

using domain::Role;

// Records the frames sent to one connection.
class RecordingPeer final : public http::WebSocketPeer {
 public:
  void Send(std::shared_ptr<const std::string> text) override {
    std::lock_guard lock(mutex_);
    frames_.push_back(boost::json::parse(*text));
  }
  void Close() override { closed_ = true; }
  std::vector<boost::json::value> frames() {
    std::lock_guard lock(mutex_);
    return frames_;
  }
  bool closed() const { return closed_; }

 private:
  std::mutex mutex_;
  std::vector<boost::json::value> frames_;
  std::atomic<bool> closed_ = false;
};

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
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
    feed_ = std::make_unique<http::LiveFeed>(*store_, http::LiveFeedOptions{});
  }
  void TearDown() override {
    feed_.reset();
    store_.reset();
    std::filesystem::remove_all(directory_);
  }

  std::filesystem::path directory_;
  std::unique_ptr<storage::MessageStore> store_;
  std::unique_ptr<http::LiveFeed> feed_;
};

TEST_F(LiveFeedTest, ConnectionsWhoseSessionEndedAreClosedAndOthersKept) {
  std::atomic<int> checks = 0;
  http::LiveFeed feed(*store_, {.sessions_live =
                                    [&checks](const std::vector<std::string>& tokens) {
                                      ++checks;
                                      std::vector<bool> live;
                                      for (const auto& token : tokens)
                                        live.push_back(token != "ended");
                                      return Result<std::vector<bool>>(live);
                                    },
                                .session_check_interval = std::chrono::milliseconds(20)});
  auto ended = std::make_shared<RecordingPeer>();
  auto kept = std::make_shared<RecordingPeer>();
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
  http::LiveFeed feed(*store_, {.sessions_live =
                                    [&checks](const std::vector<std::string>&) {
                                      ++checks;
                                      return Result<std::vector<bool>>(
                                          Fail(Error::Unavailable("the database is down")));
                                    },
                                .session_check_interval = std::chrono::milliseconds(10)});
  auto peer = std::make_shared<RecordingPeer>();
  auto channel = feed.Subscribe({Role::kDoctor, 3}, "any").value();
  channel->Opened(peer);
  while (checks.load() < 3) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_FALSE(peer->closed());
}

TEST_F(LiveFeedTest, OneAccountOpensOnlySoManyConnections) {
  http::LiveFeed feed(*store_, {.max_connections_per_user = 2});
  std::vector<std::shared_ptr<http::WebSocketChannel>> channels;
  std::vector<std::shared_ptr<RecordingPeer>> peers;
  for (int i = 0; i < 2; ++i) {
    channels.push_back(feed.Subscribe({Role::kPatient, 7}, "token").value());
    peers.push_back(std::make_shared<RecordingPeer>());
    channels.back()->Opened(peers.back());
  }
  auto refused = feed.Subscribe({Role::kPatient, 7}, "token");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kResourceExhausted);
  EXPECT_TRUE(feed.Subscribe({Role::kDoctor, 7}, "token")) << "another account is not affected";
  channels.pop_back();  // the connection ended
  EXPECT_TRUE(feed.Subscribe({Role::kPatient, 7}, "token"));
}

TEST_F(LiveFeedTest, EventsReachTheAppointmentsPatientAndDoctorOnly) {
  auto patient = std::make_shared<RecordingPeer>();
  auto doctor = std::make_shared<RecordingPeer>();
  auto other = std::make_shared<RecordingPeer>();
  auto patient_channel = feed_->Subscribe({Role::kPatient, 7}, "session-token").value();
  auto doctor_channel = feed_->Subscribe({Role::kDoctor, 3}, "session-token").value();
  auto other_channel = feed_->Subscribe({Role::kDoctor, 7}, "session-token")
                           .value();  // the patient's id, as a doctor
  patient_channel->Opened(patient);
  doctor_channel->Opened(doctor);
  other_channel->Opened(other);

  feed_->MessageStored(MessageOf(1, 7, 3, 1));
  feed_->MessagesRead({.appointment_id = 1,
                       .patient_id = 7,
                       .doctor_id = 3,
                       .reader = {Role::kDoctor, 3},
                       .up_to = "x"});
  for (auto* peer : {patient.get(), doctor.get()}) {
    const auto frames = peer->frames();
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(frames[0].at("type"), "ready");
    EXPECT_EQ(frames[1].at("type"), "message");
    EXPECT_EQ(frames[2].at("type"), "read");
  }
  EXPECT_EQ(other->frames().size(), 1u) << "only its ready";

  patient_channel.reset();
  feed_->MessageStored(MessageOf(1, 7, 3, 2));
  EXPECT_EQ(patient->frames().size(), 3u) << "an ended connection hears nothing more";
  EXPECT_EQ(doctor->frames().size(), 4u);
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
  auto steady = std::make_shared<RecordingPeer>();
  auto steady_channel = feed_->Subscribe({Role::kDoctor, 3}, "session-token").value();
  steady_channel->Opened(steady);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      while (!done) {
        auto peer = std::make_shared<RecordingPeer>();
        auto channel = feed_->Subscribe({Role::kPatient, 7}, "session-token").value();
        channel->Opened(peer);
        channel.reset();
        EXPECT_EQ(peer->frames().front().at("type"), "ready");
      }
    });
  }
  for (int t = 0; t < 4; ++t) threads[static_cast<std::size_t>(t)].join();
  done = true;
  for (std::size_t t = 4; t < threads.size(); ++t) threads[t].join();
  EXPECT_EQ(published.load(), 800);
  EXPECT_LE(steady->frames().size(), 801u);
  EXPECT_EQ(steady->frames().front().at("type"), "ready");
}

}  // namespace
}  // namespace clinic::testing
