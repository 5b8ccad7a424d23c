#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "clinic/domain/ids.hpp"
#include "load.hpp"

namespace clinic::bench {

struct Patient {
  Id id = 0;
  std::string token;
};

// What the preparation made through the API, shared by the workloads.
struct BenchData {
  std::string admin_token;
  std::vector<Id> locations;
  std::vector<std::string> specializations;
  // Patients with sessions, split so that no two workloads book for the same person.
  std::vector<Patient> book_patients;
  std::vector<Patient> raw_patients;
  std::vector<Patient> race_patients;  // one per connection
  // Free future slots by start time, split between the workloads that take them.
  std::vector<Id> book_slots;
  std::vector<Id> race_slots;
  std::vector<Id> raw_slots;
  std::string first_day;  // YYYY-MM-DD of the first day with slots
  int days = 0;
  std::vector<std::pair<std::string, std::string>> login_accounts;  // username, password
};

// An answer of RunRequests.
struct Answer {
  unsigned status = 0;
  std::string body;
};

// Sends every request over `connections` connections and returns the answers in order: the
// preparation's bulk tool. A request answered 429 (the password workers were full) is sent again a
// second later, as a client following Retry-After would.
std::vector<Answer> RunRequests(std::uint16_t port, std::vector<Request> requests,
                                int connections = 32);

// GET `target`, expecting 200: /health, or the static file nginx serves for the ceiling.
class GetWorkload final : public Workload {
 public:
  explicit GetWorkload(std::string target) : target_(std::move(target)) {}
  std::optional<Request> Next(int) override { return Request{.target = target_}; }
  bool Check(int, const Request&, unsigned status, std::string_view) override {
    return status == 200;
  }

 private:
  std::string target_;
};

// Free-slot search with a random specialization, location and one-day window.
class SearchWorkload final : public Workload {
 public:
  explicit SearchWorkload(const BenchData& data) : data_(data) {}
  std::optional<Request> Next(int client) override;
  bool Check(int, const Request&, unsigned status, std::string_view body) override;

 private:
  const BenchData& data_;
  std::mt19937 random_{42};
};

// Every request books a slot nobody else takes, for a patient with nothing at that time.
class BookWorkload final : public Workload {
 public:
  explicit BookWorkload(const BenchData& data) : data_(data) {}
  std::optional<Request> Next(int client) override;
  bool Check(int client, const Request& request, unsigned status, std::string_view body) override;
  // (appointment id, index into book_patients) of every booking made.
  const std::vector<std::pair<Id, std::size_t>>& booked() const { return booked_; }

 private:
  const BenchData& data_;
  std::size_t next_ = 0;
  std::vector<std::size_t> patient_of_client_ = std::vector<std::size_t>(1024);  // in flight
  std::vector<std::pair<Id, std::size_t>> booked_;
};

// All connections race for the same few slots, round after round; each connection books as its
// own patient. Every answer must be 201 or 409.
class RaceWorkload final : public Workload {
 public:
  static constexpr std::size_t kSlotsPerRound = 4;
  RaceWorkload(const BenchData& data, int connections);
  std::optional<Request> Next(int client) override;
  bool Check(int client, const Request& request, unsigned status, std::string_view body) override;
  std::uint64_t successes() const { return successes_; }
  std::uint64_t conflicts() const { return conflicts_; }

 private:
  const BenchData& data_;
  std::vector<std::size_t> position_;
  std::uint64_t successes_ = 0;
  std::uint64_t conflicts_ = 0;
};

// Posting to and listing threads: a quarter of the connections share one hot thread, the others
// spread over the rest (cold threads). Posts and lists alternate.
class MessageWorkload final : public Workload {
 public:
  MessageWorkload(const BenchData& data, std::vector<std::pair<Id, std::size_t>> appointments);
  std::optional<Request> Next(int client) override;
  bool Check(int client, const Request& request, unsigned status, std::string_view body) override;

 private:
  const BenchData& data_;
  std::vector<std::pair<Id, std::size_t>> appointments_;
  std::vector<std::uint64_t> sent_;
};

// Logins of accounts whose passwords were hashed with the production argon2id parameters.
class LoginWorkload final : public Workload {
 public:
  explicit LoginWorkload(const BenchData& data) : data_(data) {}
  std::optional<Request> Next(int client) override;
  // 429 is a right answer too: the server's password workers were full and said to retry
  // (the table's note counts them).
  bool Check(int, const Request&, unsigned status, std::string_view) override {
    return status == 200 || status == 429;
  }

 private:
  const BenchData& data_;
};

}  // namespace clinic::bench
