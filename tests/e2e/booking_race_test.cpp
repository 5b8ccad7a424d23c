// No double booking under load (DESIGN.md §2.1): 64 HTTP clients race for the same 20 slots, by
// booking and by rescheduling into them, against one clinicd and against two clinicd processes on
// one database. Afterwards the database itself is asked whether any slot holds two active
// appointments or any patient two overlapping ones. Runs on SQLite and on MariaDB.

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gmock/gmock.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <condition_variable>
#include <latch>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "clinic/common/time.hpp"
#include "clinic/storage/sql/connection.hpp"
#include "support/booking_fixture.hpp"
#include "support/run_command.hpp"

namespace clinic::testing {
namespace {

using boost::json::object;

constexpr int kClients = 64;
constexpr int kDoctors = 4;
constexpr int kHours = 5;  // kDoctors × kHours = 20 contested slots

class BookingRaceTest : public BookingApiTest {
 protected:
  void SetUp() override {
    BookingApiTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    location_ = CreateLocation("America/New_York");
    for (int d = 0; d < kDoctors; ++d) {
      doctors_.push_back(CreateDoctor("doctor" + std::to_string(d) + "@clinic.example"));
    }
    // The same five hours with each doctor: a patient can hold at most one slot per hour.
    for (const auto doctor : doctors_) {
      for (int hour = 0; hour < kHours; ++hour) {
        contested_.push_back(CreateSlot(doctor, location_, On2030(10 + hour), On2030(11 + hour)));
      }
    }
    for (int i = 0; i < kClients; ++i) {
      auto [id, token] = RegisterPatient("patient" + std::to_string(i) + "@example.com");
      patients_.push_back(id);
      tokens_.push_back(std::move(token));
    }
  }

  // Runs `attempt(client_index, http_client)` on kClients threads at once, each with its own
  // kept-alive connection to one of `ports` (round robin), released together by a latch.
  template <typename Attempt>
  void RunClients(const std::vector<std::uint16_t>& ports, Attempt attempt) {
    std::latch start(kClients);
    std::vector<std::thread> threads;
    threads.reserve(kClients);
    for (int i = 0; i < kClients; ++i) {
      threads.emplace_back([&, i] {
        test_support::HttpClient client(ports[static_cast<std::size_t>(i) % ports.size()]);
        (void)client.Get("/health");  // connect before the start signal
        start.arrive_and_wait();
        attempt(i, client);
      });
    }
    for (auto& thread : threads) thread.join();
  }

  // POSTs `body` as client `i`'s patient and returns the status (0 when the request failed).
  int Post(test_support::HttpClient& client, int i, const std::string& target, const object& body) {
    auto response = client.Send(
        {.method = "POST",
         .target = target,
         .body = boost::json::serialize(body),
         .headers = {{"Content-Type", "application/json"},
                     {"Authorization", "Bearer " + tokens_[static_cast<std::size_t>(i)]}}});
    return response ? response->status : 0;
  }

  // The contested slots in an order of client `i`'s own.
  std::vector<std::int64_t> ShuffledSlots(int i) const {
    auto order = contested_;
    std::mt19937 random(static_cast<unsigned>(i) + 1);
    std::shuffle(order.begin(), order.end(), random);
    return order;
  }

  // Every client tries to book every contested slot; returns how many times each status came.
  std::map<int, int> RaceToBook(const std::vector<std::uint16_t>& ports) {
    std::vector<std::vector<int>> statuses(kClients);
    RunClients(ports, [&](int i, test_support::HttpClient& client) {
      for (const auto slot : ShuffledSlots(i)) {
        statuses[static_cast<std::size_t>(i)].push_back(
            Post(client, i, "/api/v1/appointments", object{{"slot_id", slot}}));
      }
    });
    std::map<int, int> counts;
    for (const auto& client : statuses) {
      for (const int status : client) ++counts[status];
    }
    return counts;
  }

  // Slots holding more than one active appointment: must be zero.
  std::int64_t DoubleBookedSlots() {
    return QueryCount(
        "SELECT COUNT(*) FROM (SELECT slot_id FROM appointments WHERE status <> 'cancelled' "
        "GROUP BY slot_id HAVING COUNT(*) > 1) doubled");
  }

  // Pairs of one patient's active appointments whose times overlap: must be zero.
  std::int64_t OverlappingPairs() {
    return QueryCount(
        "SELECT COUNT(*) FROM appointments a "
        "JOIN doctor_time_slots sa ON sa.id = a.slot_id "
        "JOIN appointments b ON b.patient_id = a.patient_id AND b.id > a.id "
        "JOIN doctor_time_slots sb ON sb.id = b.slot_id "
        "WHERE a.status <> 'cancelled' AND b.status <> 'cancelled' "
        "AND sa.start_time_utc < sb.end_time_utc AND sb.start_time_utc < sa.end_time_utc");
  }

  std::int64_t BookedContestedSlots() {
    return QueryCount(
        fmt::format("SELECT COUNT(DISTINCT slot_id) FROM appointments WHERE status <> 'cancelled' "
                    "AND slot_id IN ({})",
                    fmt::join(contested_, ", ")));
  }

  void ExpectNoDoubleBooking(const std::map<int, int>& statuses, int success_status) {
    for (const auto& [status, count] : statuses) {
      EXPECT_TRUE(status == success_status || status == 409)
          << count << " answers with status " << status;
    }
    const auto successes = statuses.contains(success_status) ? statuses.at(success_status) : 0;
    EXPECT_EQ(DoubleBookedSlots(), 0);
    EXPECT_EQ(OverlappingPairs(), 0);
    EXPECT_EQ(BookedContestedSlots(), successes);
    // 64 clients for 20 slots: every slot ends up taken.
    EXPECT_EQ(successes, static_cast<int>(contested_.size()));
  }

  std::int64_t location_ = 0;
  std::vector<std::int64_t> doctors_;
  std::vector<std::int64_t> contested_;
  std::vector<std::int64_t> patients_;
  std::vector<std::string> tokens_;
};

TEST_P(BookingRaceTest, SixtyFourClientsBookingTwentySlotsNeverDoubleBook) {
  const auto statuses = RaceToBook({port()});
  ExpectNoDoubleBooking(statuses, 201);
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM appointments"), statuses.at(201));
}

TEST_P(BookingRaceTest, SixtyFourClientsReschedulingIntoTwentySlotsNeverDoubleBook) {
  // Each patient first holds a slot of their own, a day later, with one of the doctors.
  std::vector<std::int64_t> appointments;
  for (int i = 0; i < kClients; ++i) {
    const auto doctor = doctors_[static_cast<std::size_t>(i % kDoctors)];
    const int hour = i / kDoctors;  // 0..15: one doctor's slots never overlap
    const auto home = CreateSlot(doctor, location_, On2030(24 + hour), On2030(25 + hour));
    appointments.push_back(InsertAppointment(home, patients_[static_cast<std::size_t>(i)]));
  }
  std::vector<int> statuses(kClients * static_cast<int>(contested_.size()), -1);
  RunClients({port()}, [&](int i, test_support::HttpClient& client) {
    const auto path = "/api/v1/appointments/" +
                      std::to_string(appointments[static_cast<std::size_t>(i)]) + "/reschedule";
    int attempt = 0;
    for (const auto slot : ShuffledSlots(i)) {
      const int status = Post(client, i, path, object{{"slot_id", slot}});
      statuses[static_cast<std::size_t>(i * static_cast<int>(contested_.size()) + attempt++)] =
          status;
      if (status == 200) break;
    }
  });
  std::map<int, int> counts;
  for (const int status : statuses) {
    if (status != -1) ++counts[status];
  }
  ExpectNoDoubleBooking(counts, 200);
  // The appointments that moved left their own slots free; nothing was created or lost.
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM appointments WHERE status = 'scheduled'"), kClients);
}

TEST_P(BookingRaceTest, TwoServerProcessesOnOneDatabaseNeverDoubleBook) {
  auto second = StartAnotherServer();
  ASSERT_NE(second, nullptr);
  const auto statuses = RaceToBook({port(), second->port()});
  ExpectNoDoubleBooking(statuses, 201);
}

// A cluster (the test command runs this suite on a three-node Galera cluster too, naming the
// other nodes in CLINIC_TEST_MYSQL_PEER_URIS): one clinicd per node, all racing for the same
// slots, as a clinic group running several instances behind a load balancer would.
TEST_P(BookingRaceTest, ServersOnEveryNodeOfAClusterNeverDoubleBookAndTheAuditVerifiesOnEach) {
  const auto peers = database().PeerUris();
  if (peers.empty()) GTEST_SKIP() << "no cluster: CLINIC_TEST_MYSQL_PEER_URIS names no other node";
  std::vector<std::unique_ptr<test_support::ClinicdProcess>> servers;
  std::vector<std::uint16_t> ports{port()};
  for (const auto& peer : peers) {
    servers.push_back(StartAnotherServer(peer));
    ASSERT_NE(servers.back(), nullptr);
    ports.push_back(servers.back()->port());
  }
  const auto statuses = RaceToBook(ports);
  ExpectNoDoubleBooking(statuses, 201);
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM appointments"), statuses.at(201));

  std::vector<std::string> nodes{database().uri()};
  nodes.insert(nodes.end(), peers.begin(), peers.end());
  for (const auto& node : nodes) {
    const auto verified =
        RunCommand(CLINICCTL_PATH, {"--db", node, "--docs", docs_uri(), "audit", "verify"});
    EXPECT_EQ(verified.exit_code, 0) << node << ": " << verified.output;
  }
}

// A clinicd killed (SIGKILL) in the middle of bookings and started again: every booking it
// acknowledged is stored, no slot holds two patients, the audit verifies and the outbox delivers
// what the dead instance left pending, each system message once. On a cluster the killed instance
// runs on another node than the one the checks read.
TEST_P(BookingRaceTest, AServerKilledDuringBookingsLosesNothingItAcknowledged) {
  const auto peers = database().PeerUris();
  const std::string victim_db = peers.empty() ? database().uri() : peers.front();
  constexpr int kSlotsPerClient = 4;
  // Client i books four slots of its own, one with each doctor, at hours no one else uses.
  std::vector<std::vector<std::int64_t>> own(kClients);
  for (int i = 0; i < kClients; ++i) {
    for (int k = 0; k < kSlotsPerClient; ++k) {
      const int hour = 24 + i * kSlotsPerClient + k;
      own[static_cast<std::size_t>(i)].push_back(CreateSlot(
          doctors_[static_cast<std::size_t>(k)], location_, On2030(hour), On2030(hour + 1)));
    }
  }
  auto victim = StartAnotherServer(victim_db);
  ASSERT_NE(victim, nullptr);
  const std::uint16_t victim_port = victim->port();

  std::mutex mutex;
  std::vector<std::int64_t> acknowledged;
  std::condition_variable progressed;
  std::thread killer([&] {
    std::unique_lock lock(mutex);
    progressed.wait_for(lock, std::chrono::seconds(30), [&] { return acknowledged.size() >= 40; });
    lock.unlock();
    victim.reset();  // SIGKILL
  });
  RunClients({victim_port}, [&](int i, test_support::HttpClient& client) {
    for (const auto slot : own[static_cast<std::size_t>(i)]) {
      auto response = client.Send(
          {.method = "POST",
           .target = "/api/v1/appointments",
           .body = boost::json::serialize(object{{"slot_id", slot}}),
           .headers = {{"Content-Type", "application/json"},
                       {"Authorization", "Bearer " + tokens_[static_cast<std::size_t>(i)]}}});
      if (!response) return;  // the server is gone
      EXPECT_EQ(response->status, 201) << response->body;
      if (response->status != 201) continue;
      const std::lock_guard lock(mutex);
      acknowledged.push_back(response->Json().at("id").as_int64());
      progressed.notify_all();
    }
  });
  killer.join();
  ASSERT_FALSE(acknowledged.empty());

  auto restarted = StartAnotherServer(victim_db);
  ASSERT_NE(restarted, nullptr);
  EXPECT_EQ(QueryCount(fmt::format("SELECT COUNT(*) FROM appointments WHERE status = 'scheduled' "
                                   "AND id IN ({})",
                                   fmt::join(acknowledged, ", "))),
            static_cast<std::int64_t>(acknowledged.size()));
  EXPECT_EQ(DoubleBookedSlots(), 0);
  EXPECT_EQ(OverlappingPairs(), 0);
  const auto verified = RunCommand(
      CLINICCTL_PATH, {"--db", database().uri(), "--docs", docs_uri(), "audit", "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.output;

  // Every booking that committed, acknowledged or not, gets its system message, once.
  WaitForOutbox();
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM outbox WHERE event = 'booked'"),
            QueryCount("SELECT COUNT(*) FROM appointments"));
  for (const auto id : acknowledged) {
    auto thread = Call("GET", "/api/v1/appointments/" + std::to_string(id) + "/messages",
                       std::nullopt, admin_token_);
    ASSERT_EQ(thread.status, 200) << thread.body;
    const auto items = thread.Json().at("items").as_array();
    EXPECT_EQ(std::count_if(items.begin(), items.end(),
                            [](const auto& item) { return item.at("type") == "system"; }),
              1)
        << "appointment " << id;
  }
}

// The rules that span rows (one patient: no overlapping appointments; one doctor: no overlapping
// slots) when the competing requests reach different servers at the same moment: on a cluster,
// servers on different nodes, where a row lock taken on one node does not reach the others.
TEST_P(BookingRaceTest, OverlappingRequestsThroughDifferentServersAtOnceMakeOneRecord) {
  std::vector<std::unique_ptr<test_support::ClinicdProcess>> servers;
  std::vector<std::uint16_t> ports{port()};
  auto peers = database().PeerUris();
  if (peers.empty()) peers.push_back(database().uri());
  for (const auto& peer : peers) {
    servers.push_back(StartAnotherServer(peer));
    ASSERT_NE(servers.back(), nullptr);
    ports.push_back(servers.back()->port());
  }
  // `attempt(t, client)` on one thread per doctor, each through its own server, all at once;
  // returns the statuses.
  const auto at_once = [&](const auto& attempt) {
    std::vector<int> statuses(kDoctors, 0);
    std::latch start(kDoctors);
    std::vector<std::thread> threads;
    for (int t = 0; t < kDoctors; ++t) {
      threads.emplace_back([&, t] {
        test_support::HttpClient client(ports[static_cast<std::size_t>(t) % ports.size()]);
        (void)client.Get("/health");
        start.arrive_and_wait();
        statuses[static_cast<std::size_t>(t)] = attempt(t, client);
      });
    }
    for (auto& thread : threads) thread.join();
    return statuses;
  };
  for (int hour = 0; hour < kHours; ++hour) {
    // One patient books the four doctors' slots of one hour at once: one booking, three 409s.
    const auto bookings = at_once([&](int t, test_support::HttpClient& client) {
      const auto slot = contested_[static_cast<std::size_t>(t * kHours + hour)];
      return Post(client, hour, "/api/v1/appointments", object{{"slot_id", slot}});
    });
    EXPECT_EQ(std::count(bookings.begin(), bookings.end(), 201), 1) << "hour " << hour;
    EXPECT_EQ(std::count(bookings.begin(), bookings.end(), 409), kDoctors - 1) << "hour " << hour;

    // Four overlapping slots for one doctor, created at once: one slot, three 409s.
    const auto slots = at_once([&](int t, test_support::HttpClient& client) {
      auto response = client.Send(
          {.method = "POST",
           .target = "/api/v1/doctors/" + std::to_string(doctors_[0]) + "/slots",
           .body = boost::json::serialize(object{{"location_id", location_},
                                                 {"start_time_utc", On2030(30 + 2 * hour, 10 * t)},
                                                 {"end_time_utc", On2030(31 + 2 * hour, 10 * t)}}),
           .headers = {{"Content-Type", "application/json"},
                       {"Authorization", "Bearer " + admin_token_}}});
      return response ? response->status : 0;
    });
    EXPECT_EQ(std::count(slots.begin(), slots.end(), 201), 1) << "hour " << hour;
    EXPECT_EQ(std::count(slots.begin(), slots.end(), 409), kDoctors - 1) << "hour " << hour;
  }
  EXPECT_EQ(OverlappingPairs(), 0);
  EXPECT_EQ(QueryCount("SELECT COUNT(*) FROM doctor_time_slots a JOIN doctor_time_slots b "
                       "ON a.doctor_id = b.doctor_id AND b.id > a.id "
                       "WHERE a.start_time_utc < b.end_time_utc "
                       "AND b.start_time_utc < a.end_time_utc"),
            0);
}

TEST_P(BookingRaceTest, WhatOneNodeCommittedIsReadAtOnceThroughAnother) {
  const auto peers = database().PeerUris();
  if (peers.empty()) GTEST_SKIP() << "no cluster: CLINIC_TEST_MYSQL_PEER_URIS names no other node";
  auto other = StartAnotherServer(peers.front());
  ASSERT_NE(other, nullptr);
  test_support::HttpClient through_other(other->port());
  for (int i = 0; i < 20; ++i) {
    const std::string email = fmt::format("newcomer{}@example.com", i);
    const auto registered = Call("POST", "/api/v1/auth/register",
                                 object{{"first_name", "New"},
                                        {"last_name", "Comer"},
                                        {"email", email},
                                        {"password", "patient-password-1"}});
    ASSERT_EQ(registered.status, 201) << registered.body;
    const auto login =
        through_other.Send({.method = "POST",
                            .target = "/api/v1/auth/login",
                            .body = boost::json::serialize(
                                object{{"email", email}, {"password", "patient-password-1"}}),
                            .headers = {{"Content-Type", "application/json"}}});
    ASSERT_TRUE(login);
    EXPECT_EQ(login->status, 200) << "login " << i << " through another node: " << login->body;
  }
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(BookingRaceTest);

}  // namespace
}  // namespace clinic::testing
