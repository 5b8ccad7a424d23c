#include "clinic/http/metrics.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>

namespace clinic::http {
namespace {

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The process's start, from /proc: its start in clock ticks after boot (field 22 of
// /proc/self/stat) plus the boot time (btime in /proc/stat). Falls back to `fallback` where /proc
// is not available.
double ProcessStartSeconds(double fallback) {
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // The command name (field 2) may contain spaces; fields are counted after its closing ')'.
  auto close_paren = stat.rfind(')');
  if (close_paren == std::string::npos) return fallback;
  std::istringstream fields(stat.substr(close_paren + 2));
  std::string field;
  unsigned long long start_ticks = 0;
  for (int index = 3; fields >> field; ++index) {
    if (index == 22) {
      std::from_chars(field.data(), field.data() + field.size(), start_ticks);
      break;
    }
  }
  std::ifstream proc_stat("/proc/stat");
  std::string key;
  unsigned long long boot_seconds = 0;
  while (proc_stat >> key) {
    if (key == "btime") {
      proc_stat >> boot_seconds;
      break;
    }
  }
  long ticks_per_second = sysconf(_SC_CLK_TCK);
  if (start_ticks == 0 || boot_seconds == 0 || ticks_per_second <= 0) return fallback;
  return static_cast<double>(boot_seconds) +
         static_cast<double>(start_ticks) / static_cast<double>(ticks_per_second);
}

// Label values escape backslash, double quote and newline (exposition format 0.0.4).
std::string EscapeLabel(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '"') {
      escaped += "\\\"";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

}  // namespace

Metrics::Metrics() : process_start_seconds_(ProcessStartSeconds(NowSeconds())) {}

Metrics::~Metrics() = default;

void Metrics::RequestStarted() { in_flight_.fetch_add(1, std::memory_order_relaxed); }

std::atomic<std::uint64_t>& Metrics::CounterFor(std::string_view method, std::string_view route,
                                                unsigned status) {
  auto key = std::make_tuple(method, route, status);
  {
    std::shared_lock lock(mutex_);
    if (auto it = requests_.find(key); it != requests_.end()) return *it->second;
  }
  std::unique_lock lock(mutex_);
  auto& counter = requests_[CounterKey(method, route, status)];
  if (!counter) counter = std::make_unique<std::atomic<std::uint64_t>>(0);
  return *counter;
}

Metrics::Histogram& Metrics::HistogramFor(std::string_view route) {
  {
    std::shared_lock lock(mutex_);
    if (auto it = durations_.find(route); it != durations_.end()) return *it->second;
  }
  std::unique_lock lock(mutex_);
  auto& histogram = durations_[std::string(route)];
  if (!histogram) histogram = std::make_unique<Histogram>();
  return *histogram;
}

void Metrics::RequestFinished(std::string_view method, std::string_view route, unsigned status,
                              std::chrono::nanoseconds duration) {
  in_flight_.fetch_sub(1, std::memory_order_relaxed);
  CounterFor(method, route, status).fetch_add(1, std::memory_order_relaxed);
  double seconds = std::chrono::duration<double>(duration).count();
  Histogram& histogram = HistogramFor(route);
  std::size_t bucket = 0;
  while (bucket < kDurationBuckets.size() && seconds > kDurationBuckets[bucket]) ++bucket;
  histogram.counts[bucket].fetch_add(1, std::memory_order_relaxed);
  histogram.sum_seconds.fetch_add(seconds, std::memory_order_relaxed);
}

void Metrics::AddCollector(std::function<void(std::string& out)> collector) {
  std::unique_lock lock(mutex_);
  collectors_.push_back(std::move(collector));
}

std::string Metrics::RenderPrometheus() const {
  std::string out;
  auto append = std::back_inserter(out);
  std::shared_lock lock(mutex_);

  out +=
      "# HELP clinic_http_requests_total HTTP requests answered, by method, route pattern and "
      "status.\n"
      "# TYPE clinic_http_requests_total counter\n";
  for (const auto& [key, counter] : requests_) {
    const auto& [method, route, status] = key;
    fmt::format_to(
        append, "clinic_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n",
        EscapeLabel(method), EscapeLabel(route), status, counter->load(std::memory_order_relaxed));
  }

  out +=
      "# HELP clinic_http_request_duration_seconds Time from a request's header being read to its "
      "response being written.\n"
      "# TYPE clinic_http_request_duration_seconds histogram\n";
  for (const auto& [route, histogram] : durations_) {
    std::string label = EscapeLabel(route);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < histogram->counts.size(); ++i) {
      cumulative += histogram->counts[i].load(std::memory_order_relaxed);
      std::string bound =
          i < kDurationBuckets.size() ? fmt::format("{}", kDurationBuckets[i]) : "+Inf";
      fmt::format_to(append,
                     "clinic_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n",
                     label, bound, cumulative);
    }
    fmt::format_to(append, "clinic_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", label,
                   histogram->sum_seconds.load(std::memory_order_relaxed));
    fmt::format_to(append, "clinic_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", label,
                   cumulative);
  }

  fmt::format_to(append,
                 "# HELP clinic_http_requests_in_flight Requests being handled or answered.\n"
                 "# TYPE clinic_http_requests_in_flight gauge\n"
                 "clinic_http_requests_in_flight {}\n",
                 in_flight_.load(std::memory_order_relaxed));
  fmt::format_to(append,
                 "# HELP process_start_time_seconds Start time of the process since the Unix "
                 "epoch in seconds.\n"
                 "# TYPE process_start_time_seconds gauge\n"
                 "process_start_time_seconds {:.3f}\n",
                 process_start_seconds_);

  for (const auto& collector : collectors_) collector(out);
  return out;
}

}  // namespace clinic::http
