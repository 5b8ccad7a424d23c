#include "workloads.hpp"

#include <fmt/format.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <numeric>
#include <thread>

#include "clinic/common/time.hpp"

namespace clinic::bench {
namespace {

using boost::beast::http::verb;
using boost::json::object;

std::optional<Id> IdOf(std::string_view body) {
  boost::system::error_code error;
  const auto json = boost::json::parse(body, error);
  if (error || !json.is_object() || !json.as_object().contains("id")) return std::nullopt;
  const auto& id = json.at("id");
  return id.is_int64() ? std::optional<Id>(id.as_int64()) : std::nullopt;
}

Request BookingOf(Id slot, const Patient& patient) {
  return {.method = verb::post,
          .target = "/api/v1/appointments",
          .body = boost::json::serialize(object{{"slot_id", slot}}),
          .token = patient.token};
}

// Hands out a list of requests to whichever connection is free and keeps the answers.
class ListWorkload final : public Workload {
 public:
  explicit ListWorkload(std::vector<Request> requests)
      : requests_(std::move(requests)), answers_(requests_.size()), index_of_client_(1024) {}
  std::optional<Request> Next(int client) override {
    if (next_ >= requests_.size()) return std::nullopt;
    index_of_client_[static_cast<std::size_t>(client)] = next_;
    return requests_[next_++];
  }
  bool Check(int client, const Request&, unsigned status, std::string_view body) override {
    answers_[index_of_client_[static_cast<std::size_t>(client)]] = {status, std::string(body)};
    return true;
  }
  std::vector<Answer> TakeAnswers() { return std::move(answers_); }

 private:
  std::vector<Request> requests_;
  std::vector<Answer> answers_;
  std::vector<std::size_t> index_of_client_;
  std::size_t next_ = 0;
};

}  // namespace

std::vector<Answer> RunRequests(std::uint16_t port, std::vector<Request> requests,
                                int connections) {
  constexpr int kRounds = 60;
  std::vector<Answer> answers(requests.size());
  std::vector<std::size_t> pending(requests.size());
  std::iota(pending.begin(), pending.end(), std::size_t{0});
  for (int round = 0; round < kRounds && !pending.empty(); ++round) {
    if (round > 0) std::this_thread::sleep_for(std::chrono::seconds(1));
    std::vector<Request> batch;
    batch.reserve(pending.size());
    for (const auto i : pending) batch.push_back(requests[i]);
    ListWorkload workload(std::move(batch));
    RunLoad({.ports = {port}, .connections = connections, .duration = std::chrono::hours(1)},
            workload);
    auto batch_answers = workload.TakeAnswers();
    std::vector<std::size_t> busy;
    for (std::size_t k = 0; k < pending.size(); ++k) {
      if (batch_answers[k].status == 429) busy.push_back(pending[k]);
      answers[pending[k]] = std::move(batch_answers[k]);
    }
    pending = std::move(busy);
  }
  return answers;
}

std::optional<Request> SearchWorkload::Next(int) {
  const auto pick = [&](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(random_);
  };
  std::string specialization = data_.specializations[pick(data_.specializations.size())];
  for (std::size_t space = specialization.find(' '); space != std::string::npos;
       space = specialization.find(' ')) {
    specialization.replace(space, 1, "%20");
  }
  const Id location = data_.locations[pick(data_.locations.size())];
  const auto first = ParseDate(data_.first_day);
  const auto day = std::chrono::sys_days(*first) +
                   std::chrono::days(static_cast<int>(pick(static_cast<std::size_t>(data_.days))));
  return Request{
      .target = fmt::format("/api/v1/slots?specialization={}&location_id={}&from={}&to={}&limit=50",
                            specialization, location, FormatRfc3339(day),
                            FormatRfc3339(day + std::chrono::days(1)))};
}

bool SearchWorkload::Check(int, const Request&, unsigned status, std::string_view body) {
  return status == 200 && body.find("\"items\":[") != std::string_view::npos;
}

std::optional<Request> BookWorkload::Next(int client) {
  if (next_ >= data_.book_slots.size() || data_.book_patients.empty()) return std::nullopt;
  // Booking i goes to patient i mod P: a patient's bookings are P slots apart in time, never
  // overlapping.
  const std::size_t i = next_++;
  patient_of_client_[static_cast<std::size_t>(client)] = i % data_.book_patients.size();
  return BookingOf(data_.book_slots[i], data_.book_patients[i % data_.book_patients.size()]);
}

bool BookWorkload::Check(int client, const Request&, unsigned status, std::string_view body) {
  if (status != 201) return false;
  const auto id = IdOf(body);
  if (id) booked_.emplace_back(*id, patient_of_client_[static_cast<std::size_t>(client)]);
  return id.has_value();
}

RaceWorkload::RaceWorkload(const BenchData& data, int connections)
    : data_(data), position_(static_cast<std::size_t>(connections), 0) {}

std::optional<Request> RaceWorkload::Next(int client) {
  auto& position = position_[static_cast<std::size_t>(client)];
  if (position >= data_.race_slots.size()) return std::nullopt;
  return BookingOf(data_.race_slots[position++],
                   data_.race_patients[static_cast<std::size_t>(client)]);
}

bool RaceWorkload::Check(int, const Request&, unsigned status, std::string_view) {
  if (status == 201) ++successes_;
  if (status == 409) ++conflicts_;
  return status == 201 || status == 409;
}

MessageWorkload::MessageWorkload(const BenchData& data,
                                 std::vector<std::pair<Id, std::size_t>> appointments)
    : data_(data), appointments_(std::move(appointments)), sent_(1024, 0) {}

std::optional<Request> MessageWorkload::Next(int client) {
  if (appointments_.empty()) return std::nullopt;
  auto& sent = sent_[static_cast<std::size_t>(client)];
  const std::size_t thread = client % 4 == 0
                                 ? 0
                                 : 1 + (static_cast<std::size_t>(client) + sent * 64) %
                                           std::max<std::size_t>(appointments_.size() - 1, 1);
  const auto& [appointment, patient] = appointments_[std::min(thread, appointments_.size() - 1)];
  const auto target = fmt::format("/api/v1/appointments/{}/messages", appointment);
  const auto& token = data_.book_patients[patient].token;
  if (sent++ % 2 == 0) {
    return Request{
        .method = verb::post,
        .target = target,
        .body = fmt::format(R"({{"text":"Question {} from connection {}"}})", sent, client),
        .token = token};
  }
  return Request{.target = target + "?limit=20", .token = token};
}

bool MessageWorkload::Check(int, const Request& request, unsigned status, std::string_view body) {
  if (request.method == verb::post) return status == 201;
  return status == 200 && body.find("\"items\":[") != std::string_view::npos;
}

std::optional<Request> LoginWorkload::Next(int client) {
  if (data_.login_accounts.empty()) return std::nullopt;
  const auto& [username, password] =
      data_.login_accounts[static_cast<std::size_t>(client) % data_.login_accounts.size()];
  return Request{
      .method = verb::post,
      .target = "/api/v1/auth/login",
      .body = boost::json::serialize(object{{"username", username}, {"password", password}})};
}

}  // namespace clinic::bench
