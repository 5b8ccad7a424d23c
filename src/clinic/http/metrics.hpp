#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace clinic::http {

// HTTP request metrics in the Prometheus text exposition format (version 0.0.4):
//   clinic_http_requests_total{method,route,status}          counter
//   clinic_http_request_duration_seconds{route}              histogram (_bucket, _sum, _count)
//   clinic_http_requests_in_flight                           gauge
//   process_start_time_seconds                               gauge
// `route` is a route pattern or another bounded label (never a raw path), so the number of
// series stays bounded. Thread-safe; recording costs a shared-lock lookup and a few relaxed
// atomic increments once a series exists.
class Metrics {
 public:
  // Upper bounds of the duration histogram's buckets, in seconds (+Inf is implied).
  static constexpr std::array<double, 13> kDurationBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;
  ~Metrics();

  // A request is now being handled or refused; pairs with RequestFinished.
  void RequestStarted();
  void RequestFinished(std::string_view method, std::string_view route, unsigned status,
                       std::chrono::nanoseconds duration);

  // Appends more metrics (in exposition format) to every rendering: lets the application export
  // figures of other layers (connection pools, queues) on the same /metrics page.
  void AddCollector(std::function<void(std::string& out)> collector);

  std::string RenderPrometheus() const;

 private:
  struct Histogram {
    std::array<std::atomic<std::uint64_t>, kDurationBuckets.size() + 1> counts{};
    std::atomic<double> sum_seconds{0};
  };
  using CounterKey = std::tuple<std::string, std::string, unsigned>;  // method, route, status
  // Orders counter keys and finds them by (string_view, string_view, status), so counting a
  // request builds no strings once its series exists.
  struct CounterKeyLess {
    using is_transparent = void;
    static std::tuple<std::string_view, std::string_view, unsigned> View(const auto& key) {
      return {std::get<0>(key), std::get<1>(key), std::get<2>(key)};
    }
    bool operator()(const auto& a, const auto& b) const { return View(a) < View(b); }
  };

  std::atomic<std::uint64_t>& CounterFor(std::string_view method, std::string_view route,
                                         unsigned status);
  Histogram& HistogramFor(std::string_view route);

  mutable std::shared_mutex mutex_;
  std::map<CounterKey, std::unique_ptr<std::atomic<std::uint64_t>>, CounterKeyLess> requests_;
  std::map<std::string, std::unique_ptr<Histogram>, std::less<>> durations_;
  std::vector<std::function<void(std::string&)>> collectors_;
  std::atomic<std::int64_t> in_flight_{0};
  double process_start_seconds_;
};

}  // namespace clinic::http
