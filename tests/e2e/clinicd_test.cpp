// End-to-end tests of the clinicd binary: started as a child process on a fresh SQLite file and
// an ephemeral port, spoken to over HTTP like any client would.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <iostream>

#include "support/http_client.hpp"
#include "testkit/clinicd_process.hpp"

namespace clinic {
namespace {

using test_support::ClinicdProcess;
using test_support::HttpClient;
using ::testing::HasSubstr;

constexpr std::size_t kTenMegabytes = 10 * 1024 * 1024;

class ClinicdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "clinicd-e2e-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    directory_ = pattern;
    auto started =
        ClinicdProcess::Start({.args = {"--db", "sqlite://" + (directory_ / "clinic.db").string(),
                                        "--listen", "127.0.0.1:0"}});
    ASSERT_TRUE(started.has_value()) << started.error().message;
    clinicd_ = std::move(*started);
  }

  void TearDown() override {
    if (HasFailure() && clinicd_) std::cerr << "clinicd output:\n" << clinicd_->Output();
    clinicd_.reset();
    std::filesystem::remove_all(directory_);
  }

  std::filesystem::path directory_;
  std::unique_ptr<ClinicdProcess> clinicd_;
};

TEST_F(ClinicdTest, HealthIsOk) {
  HttpClient client(clinicd_->port());
  auto response = client.Get("/health");
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("Content-Type"), "application/json");
  EXPECT_EQ(response->Json().at("status"), "ok");
  EXPECT_TRUE(response->Json().at("checks").is_object());
}

TEST_F(ClinicdTest, UnknownRouteIsProblemJson404) {
  HttpClient client(clinicd_->port());
  auto response = client.Get("/api/v1/no-such-resource");
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->Header("Content-Type"), "application/problem+json");
  auto problem = response->Json();
  EXPECT_EQ(problem.at("status"), 404);
  EXPECT_EQ(problem.at("title"), "Not Found");
  EXPECT_TRUE(problem.at("errors").is_array());
}

TEST_F(ClinicdTest, TenMegabyteBodyIsRefusedWith413) {
  for (bool chunked : {false, true}) {
    HttpClient client(clinicd_->port());
    auto response = client.Send({.method = "POST",
                                 .target = "/api/v1/auth/login",
                                 .body = std::string(kTenMegabytes, 'x'),
                                 .headers = {{"Content-Type", "application/json"}},
                                 .chunked = chunked});
    ASSERT_TRUE(response.has_value()) << response.error().message;
    EXPECT_EQ(response->status, 413) << (chunked ? "chunked" : "Content-Length");
    EXPECT_EQ(response->Header("Content-Type"), "application/problem+json");
  }
}

TEST_F(ClinicdTest, ResponsesCarryRequestIdAndSecurityHeaders) {
  HttpClient client(clinicd_->port());
  auto response = client.Get("/health", {{"X-Request-Id", "e2e-1"}});
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->Header("X-Request-Id").size(), 16u) << "the server's own, not e2e-1";
  EXPECT_EQ(response->Header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(response->Header("Cache-Control"), "no-store");
}

TEST_F(ClinicdTest, ServesMetricsAndTheApiContract) {
  HttpClient client(clinicd_->port());
  ASSERT_TRUE(client.Get("/health").has_value());
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics.has_value()) << metrics.error().message;
  EXPECT_EQ(metrics->status, 200);
  EXPECT_THAT(metrics->body,
              HasSubstr("clinic_http_requests_total{method=\"GET\",route=\"/health\""));
  for (const char* reason :
       {"deadlock", "lock_wait_timeout", "transaction_lost", "busy", "conflict"}) {
    EXPECT_THAT(metrics->body,
                HasSubstr(fmt::format("clinic_db_retries_total{{reason=\"{}\"}} ", reason)));
  }

  auto contract = client.Get("/api/openapi.json");
  ASSERT_TRUE(contract.has_value()) << contract.error().message;
  EXPECT_EQ(contract->status, 200);
  EXPECT_EQ(contract->Json().at("openapi"), "3.1.0");
}

TEST_F(ClinicdTest, SigtermExitsZero) {
  HttpClient client(clinicd_->port());
  ASSERT_TRUE(client.Get("/health").has_value());
  EXPECT_EQ(clinicd_->Terminate(), 0);
}

}  // namespace
}  // namespace clinic
