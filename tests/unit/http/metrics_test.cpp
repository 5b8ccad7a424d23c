#include "clinic/http/metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

namespace clinic::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

TEST(MetricsTest, RendersCountersHistogramsAndGauges) {
  Metrics metrics;
  metrics.RequestStarted();
  metrics.RequestStarted();
  metrics.RequestStarted();
  metrics.RequestFinished("GET", "/api/v1/doctors/{id}", 200, 2ms);
  metrics.RequestFinished("GET", "/api/v1/doctors/{id}", 200, 300ms);
  metrics.RequestFinished("POST", "/api/v1/doctors", 409, 7s);

  std::string text = metrics.RenderPrometheus();
  EXPECT_THAT(text, HasSubstr("# TYPE clinic_http_requests_total counter\n"));
  EXPECT_THAT(text, HasSubstr("clinic_http_requests_total{method=\"GET\",route=\"/api/v1/"
                              "doctors/{id}\",status=\"200\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("clinic_http_requests_total{method=\"POST\",route=\"/api/v1/"
                              "doctors\",status=\"409\"} 1\n"));

  EXPECT_THAT(text, HasSubstr("# TYPE clinic_http_request_duration_seconds histogram\n"));
  const std::string bucket =
      "clinic_http_request_duration_seconds_bucket{route=\"/api/v1/doctors/{id}\",";
  EXPECT_THAT(text, HasSubstr(bucket + "le=\"0.001\"} 0\n"));
  EXPECT_THAT(text, HasSubstr(bucket + "le=\"0.0025\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(bucket + "le=\"0.25\"} 1\n"));
  EXPECT_THAT(text, HasSubstr(bucket + "le=\"0.5\"} 2\n"));
  EXPECT_THAT(text, HasSubstr(bucket + "le=\"+Inf\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("clinic_http_request_duration_seconds_count{route=\"/api/v1/"
                              "doctors/{id}\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("clinic_http_request_duration_seconds_sum{route=\"/api/v1/"
                              "doctors/{id}\"} 0.302\n"));
  // 7 s is beyond the last bucket (5 s): only +Inf counts it.
  EXPECT_THAT(text, HasSubstr("clinic_http_request_duration_seconds_bucket{route=\"/api/v1/"
                              "doctors\",le=\"5\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("clinic_http_request_duration_seconds_bucket{route=\"/api/v1/"
                              "doctors\",le=\"+Inf\"} 1\n"));

  EXPECT_THAT(text, HasSubstr("# TYPE clinic_http_requests_in_flight gauge\n"
                              "clinic_http_requests_in_flight 0\n"));
  EXPECT_THAT(text,
              HasSubstr("# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds "));
}

TEST(MetricsTest, InFlightCountsStartedButUnfinishedRequests) {
  Metrics metrics;
  metrics.RequestStarted();
  metrics.RequestStarted();
  metrics.RequestFinished("GET", "/health", 200, 1ms);
  EXPECT_THAT(metrics.RenderPrometheus(), HasSubstr("clinic_http_requests_in_flight 1\n"));
}

TEST(MetricsTest, ProcessStartTimeIsInThePast) {
  Metrics metrics;
  std::string text = metrics.RenderPrometheus();
  const std::string sample = "\nprocess_start_time_seconds ";
  auto at = text.find(sample);
  ASSERT_NE(at, std::string::npos);
  double start = std::stod(text.substr(at + sample.size()));
  double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_GT(start, 1.6e9);
  EXPECT_LE(start, now + 1);
}

TEST(MetricsTest, EscapesLabelValues) {
  Metrics metrics;
  metrics.RequestStarted();
  metrics.RequestFinished("GET", "a\"b\\c\nd", 200, 1ms);
  std::string text = metrics.RenderPrometheus();
  EXPECT_THAT(text, HasSubstr(R"(route="a\"b\\c\nd")"));
  EXPECT_THAT(text, Not(HasSubstr("c\nd")));
}

TEST(MetricsTest, CollectorsAppendTheirMetrics) {
  Metrics metrics;
  metrics.AddCollector(
      [](std::string& out) { out += "# TYPE clinic_db_pool_idle gauge\nclinic_db_pool_idle 3\n"; });
  EXPECT_THAT(metrics.RenderPrometheus(), HasSubstr("clinic_db_pool_idle 3\n"));
}

TEST(MetricsTest, CountsExactlyUnderConcurrency) {
  Metrics metrics;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&metrics, t] {
      std::string route = "/r" + std::to_string(t % 2);
      for (int i = 0; i < kPerThread; ++i) {
        metrics.RequestStarted();
        metrics.RequestFinished("GET", route, 200, 1ms);
        if (i % 500 == 0) metrics.RenderPrometheus();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::string text = metrics.RenderPrometheus();
  const int per_route = kThreads / 2 * kPerThread;
  for (auto route : {"/r0", "/r1"}) {
    EXPECT_THAT(
        text, HasSubstr("clinic_http_requests_total{method=\"GET\",route=\"" + std::string(route) +
                        "\",status=\"200\"} " + std::to_string(per_route) + "\n"));
  }
  EXPECT_THAT(text, HasSubstr("clinic_http_requests_in_flight 0\n"));
}

}  // namespace
}  // namespace clinic::http
