#include "clinic/http/server.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <spdlog/logger.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <thread>

#include "clinic/http/operations_routes.hpp"
#include "clinic/http/problem.hpp"
#include "support/captured_log.hpp"
#include "support/http_client.hpp"
#include "support/matchers.hpp"
#include "support/websocket_client.hpp"

namespace clinic::http {

using ::clinic::testing::CapturedLog;
using ::clinic::testing::CapturingSink;
using ::clinic::testing::IsOk;
using ::clinic::testing::StatusIs;
namespace {

using test_support::ExchangeRaw;
using test_support::HttpClient;
using test_support::HttpResponse;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using namespace std::chrono_literals;

constexpr std::size_t kTenMegabytes = 10 * 1024 * 1024;
constexpr std::size_t kSixtyFourKibibytes = 64 * 1024;

// Byte `i` of /stream's body: the position shows in the byte, so a chunk sent twice, lost or out
// of order changes what arrives.
char StreamByte(std::uint64_t i) { return static_cast<char>((i * 7 + i / 4096) % 251); }

std::string StreamBytes(std::size_t count) {
  std::string bytes(count, '\0');
  for (std::size_t i = 0; i < count; ++i) bytes[i] = StreamByte(i);
  return bytes;
}

// What the readers of /stream's bodies were asked to do, for the tests to check.
struct ReaderLog {
  std::mutex mutex;
  std::condition_variable changed;
  std::set<const char*> buffers;  // where each Read was to put its bytes
  std::size_t largest_read = 0;   // the most bytes one Read was asked for
  std::size_t reads = 0;
  std::uint64_t bytes_read = 0;
  int open = 0;             // readers not yet released
  bool overlapped = false;  // a Read began while another one of the same reader was under way

  // Waits (at most 10 s) until every reader was released; false if one still lives.
  bool WaitUntilAllReleased() {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, 10s, [&] { return open == 0; });
  }
};

// Endless StreamBytes, read as a file would be; it fails once `fails_after` bytes were read,
// when set.
class PatternReader final : public ByteReader {
 public:
  PatternReader(ReaderLog& log, std::optional<std::uint64_t> fails_after)
      : log_(log), fails_after_(fails_after) {
    std::lock_guard lock(log_.mutex);
    ++log_.open;
  }
  ~PatternReader() override {
    std::lock_guard lock(log_.mutex);
    --log_.open;
    log_.changed.notify_all();
  }
  PatternReader(const PatternReader&) = delete;
  PatternReader& operator=(const PatternReader&) = delete;

  Result<std::size_t> Read(std::span<char> buffer) override {
    const bool overlapped = reading_.exchange(true);
    std::size_t count = buffer.size();
    if (fails_after_) count = std::min<std::uint64_t>(count, *fails_after_ - position_);
    for (std::size_t i = 0; i < count; ++i) buffer[i] = StreamByte(position_ + i);
    position_ += count;
    {
      std::lock_guard lock(log_.mutex);
      log_.buffers.insert(buffer.data());
      log_.largest_read = std::max(log_.largest_read, buffer.size());
      ++log_.reads;
      log_.bytes_read += count;
      log_.overlapped = log_.overlapped || overlapped;
    }
    reading_ = false;
    if (count == 0 && fails_after_) return Fail(Error::Unavailable("the disk went away"));
    return count;
  }

 private:
  ReaderLog& log_;
  std::optional<std::uint64_t> fails_after_;
  std::uint64_t position_ = 0;
  std::atomic<bool> reading_{false};
};

std::string ThreadName() {
  char name[16] = {};
  pthread_getname_np(pthread_self(), name, sizeof name);
  return name;
}

class ServerTest : public ::testing::Test {
 protected:
  void TearDown() override {
    ReleaseHeavy();
    if (server_) server_->Stop();
  }

  // Lets every /heavy request still held finish.
  void ReleaseHeavy() {
    if (!heavy_released_.exchange(true)) heavy_release_.set_value();
  }

  // Waits (at most 5 s) until the unlabelled metric `name` shows `value`; what it shows then.
  std::string WaitForMetric(std::string_view name, std::string_view value) const {
    for (int i = 0; i < 500 && Metric(name) != value; ++i) std::this_thread::sleep_for(10ms);
    return Metric(name);
  }

  // The value of an unlabelled metric, as /metrics renders it; empty when absent.
  std::string Metric(std::string_view name) const {
    const std::string text = metrics_->RenderPrometheus();
    const std::string prefix = "\n" + std::string(name) + " ";
    const auto at = text.find(prefix);
    if (at == std::string::npos) return "";
    const auto begin = at + prefix.size();
    return text.substr(begin, text.find('\n', begin) - begin);
  }

  void StartServer(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    options.io_threads = 2;
    options.worker_threads = 4;
    options.handle_signals = false;
    options.metrics = metrics_;
    options.access_log = std::make_shared<spdlog::logger>("access-test", access_sink_);
    server_ = std::make_unique<Server>(std::move(options), MakeRouter());
    auto started = server_->Start();
    ASSERT_TRUE(started.has_value()) << started.error().message;
    ASSERT_NE(server_->port(), 0);
  }

  Router MakeRouter() {
    Router router;
    router.Add(Method::get, "/hello", [](Request& request) -> Result<Response> {
      return Json(HttpStatus::ok,
                  boost::json::object{{"client", request.client_address},
                                      {"request_id", request.request_id},
                                      {"client_request_id", request.client_request_id},
                                      {"route", request.route}});
    });
    router.Add(Method::post, "/echo", [](Request& request) -> Result<Response> {
      return Text(HttpStatus::ok, std::move(request.body), "application/octet-stream");
    });
    router.Add(Method::post, "/upload",
               [](Request& request) -> Result<Response> {
                 return Text(HttpStatus::ok, std::to_string(request.body.size()));
               },
               {.max_body_bytes = 2 * 1024 * 1024});
    // Reads its body only for requests that say `X-Pass: yes`; a refusal names the thread that
    // decided.
    router.Add(Method::post, "/guarded",
               [](Request& request) -> Result<Response> {
                 return Text(HttpStatus::ok, std::to_string(request.body.size()));
               },
               {.max_body_bytes = 16 * 1024 * 1024, .admit = [](const Request& request) -> Status {
                  if (request.headers["X-Pass"] == "yes") return Ok();
                  return Fail(Error::PermissionDenied("refused on " + ThreadName()));
                }});
    router.Add(Method::get, "/thread",
               [](Request&) -> Result<Response> { return Text(HttpStatus::ok, ThreadName()); });
    // Holds its thread until the test releases it; the first call tells the test it started.
    router.Add(Method::get, "/heavy",
               [this](Request&) -> Result<Response> {
                 if (!heavy_started_signalled_.exchange(true)) heavy_started_.set_value();
                 heavy_release_future_.wait();
                 return Text(HttpStatus::ok, ThreadName());
               },
               {.execution = Execution::kCpuWorkerPool});
    router.Add(Method::get, "/stream", [this](Request&) -> Result<Response> {
      return Streamed(HttpStatus::ok, stream_bytes_,
                      std::make_unique<PatternReader>(reader_log_, stream_fails_after_),
                      "application/octet-stream");
    });
    router.Add(Method::get, "/thread-inline",
               [](Request&) -> Result<Response> { return Text(HttpStatus::ok, ThreadName()); },
               {.execution = Execution::kIoThread});
    router.Add(Method::get, "/slow", [this](Request&) -> Result<Response> {
      slow_started_.set_value();
      std::this_thread::sleep_for(500ms);
      return Text(HttpStatus::ok, "finally");
    });
    router.Add(Method::get, "/conflict", [](Request&) -> Result<Response> {
      return Fail(Error::AlreadyExists("the slot is taken"));
    });
    router.Add(Method::get, "/internal", [](Request&) -> Result<Response> {
      return Fail(Error::Internal("database file /var/lib/x.db is corrupt"));
    });
    router.Add(Method::get, "/throws", [](Request&) -> Result<Response> {
      throw std::runtime_error("a bug with secret details");
    });
    // A WebSocket that sends `frames` frames of `frame_bytes` bytes as soon as it opens; refused
    // with 403 unless the request names ?allow=1.
    router.Add(Method::get, "/socket",
               [](Request&) -> Result<Response> { return Text(HttpStatus::ok, "not upgraded"); },
               {.websocket = [this](Request& request) -> Result<std::shared_ptr<WebSocketChannel>> {
                 if (request.QueryParam("allow") != "1") return Fail(Error::PermissionDenied("no"));
                 return std::make_shared<Burst>(frames_, frame_bytes_);
               }});
    AddOperationsRoutes(router, {.metrics = metrics_});
    return router;
  }

  class Burst final : public WebSocketChannel {
   public:
    Burst(int frames, std::size_t bytes) : frames_(frames), bytes_(bytes) {}
    void Opened(const std::shared_ptr<WebSocketPeer>& peer) override {
      for (int i = 0; i < frames_; ++i) {
        auto text = std::to_string(i);
        text.resize(std::max(bytes_, text.size()), '.');
        peer->Send(std::make_shared<const std::string>(std::move(text)));
      }
    }

   private:
    int frames_;
    std::size_t bytes_;
  };

  int frames_ = 3;
  std::size_t frame_bytes_ = 1;
  // /stream's body: its announced length, and where its reader fails.
  std::uint64_t stream_bytes_ = 0;
  std::optional<std::uint64_t> stream_fails_after_;
  ReaderLog reader_log_;

  std::shared_ptr<Metrics> metrics_ = std::make_shared<Metrics>();
  std::shared_ptr<CapturingSink> access_sink_ = std::make_shared<CapturingSink>();
  std::promise<void> slow_started_;
  std::promise<void> heavy_started_;
  std::atomic<bool> heavy_started_signalled_{false};
  std::promise<void> heavy_release_;
  std::shared_future<void> heavy_release_future_ = heavy_release_.get_future().share();
  std::atomic<bool> heavy_released_{false};
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, KeepAliveReusesOneConnection) {
  StartServer();
  HttpClient client(server_->port());
  for (int i = 0; i < 5; ++i) {
    auto response = client.Get("/hello");
    ASSERT_TRUE(response.has_value()) << response.error().message;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->Json().at("client"), "127.0.0.1");
    EXPECT_EQ(response->Json().at("route"), "/hello");
  }
  EXPECT_EQ(client.connections_opened(), 1u);
  EXPECT_TRUE(client.connected());
}

TEST_F(ServerTest, ResponsesCarryStandardAndSecurityHeaders) {
  StartServer();
  HttpClient client(server_->port());
  auto response = client.Get("/hello");
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->Header("Server"), "clinic");
  EXPECT_EQ(response->Header("Cache-Control"), "no-store");
  EXPECT_EQ(response->Header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(response->Header("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(response->Header("X-Frame-Options"), "DENY");
  EXPECT_THAT(response->Header("Date"), HasSubstr(" GMT"));
  EXPECT_EQ(response->Header("Content-Type"), "application/json");
  EXPECT_EQ(response->Header("Content-Length"), std::to_string(response->body.size()));
  std::string request_id = response->Header("X-Request-Id");
  EXPECT_EQ(request_id.size(), 16u);
  EXPECT_EQ(response->Json().at("request_id").as_string(), request_id);
}

TEST_F(ServerTest, ConnectionsFromOneAddressAreCappedAndTheNextIsAnswered503) {
  StartServer({.max_connections_per_address = 2});
  HttpClient first(server_->port());
  HttpClient second(server_->port());
  ASSERT_EQ(first.Get("/hello")->status, 200);
  ASSERT_EQ(second.Get("/hello")->status, 200);
  auto refused = ExchangeRaw(server_->port(), "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(refused.has_value()) << refused.error().message;
  EXPECT_THAT(*refused, StartsWith("HTTP/1.1 503"));
  EXPECT_THAT(*refused, HasSubstr("Retry-After: 1"));
  EXPECT_THAT(*refused, HasSubstr("too-many-connections"));
  EXPECT_THAT(metrics_->RenderPrometheus(), HasSubstr("clinic_http_connections_refused_total 1"));
  first.Close();
  // The place is given back once the server has seen the close.
  bool served = false;
  for (int i = 0; i < 100 && !served; ++i) {
    HttpClient next(server_->port());
    auto answer = next.Get("/hello");
    served = answer && answer->status == 200;
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(served);
}

TEST_F(ServerTest, AtTheConnectionCapAnIdleConnectionIsClosedToMakeRoom) {
  StartServer({.max_connections = 2});
  HttpClient first(server_->port());
  HttpClient second(server_->port());
  ASSERT_EQ(first.Get("/hello")->status, 200);
  ASSERT_EQ(second.Get("/hello")->status, 200);
  HttpClient third(server_->port());
  auto answer = third.Get("/hello");
  ASSERT_TRUE(answer.has_value()) << answer.error().message;
  EXPECT_EQ(answer->status, 200);
  const bool first_closed = first.ServerClosedConnection(std::chrono::seconds(5));
  const bool second_closed = second.ServerClosedConnection(std::chrono::milliseconds(100));
  EXPECT_NE(first_closed, second_closed) << "exactly one idle connection made room";
  EXPECT_THAT(metrics_->RenderPrometheus(), HasSubstr("clinic_http_connections_shed_total 1"));
}

TEST_F(ServerTest, AtTheConnectionCapWithNothingIdleTheNextConnectionIsRefused) {
  StartServer({.max_connections = 1});
  // A request whose header is still arriving is not idle.
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket busy(io);
  busy.connect({boost::asio::ip::make_address("127.0.0.1"), server_->port()});
  boost::asio::write(busy, boost::asio::buffer(std::string_view("GET /hello HTTP/1.1\r\n")));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto refused = ExchangeRaw(server_->port(), "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(refused.has_value()) << refused.error().message;
  EXPECT_THAT(*refused, StartsWith("HTTP/1.1 503"));
  boost::asio::write(busy, boost::asio::buffer(std::string_view("Host: x\r\n\r\n")));
  std::string reply(12, '\0');
  boost::asio::read(busy, boost::asio::buffer(reply));
  EXPECT_EQ(reply, "HTTP/1.1 200") << "the request in progress is served";
}

TEST_F(ServerTest, TheRequestIdIsTheServersOwnAndTheClientsIsKeptBesideIt) {
  StartServer();
  HttpClient client(server_->port());
  // Two requests naming the same id (a client can send anything) stay two requests.
  auto first = client.Get("/hello", {{"X-Request-Id", "trace-42.a_b:c"}});
  auto second = client.Get("/hello", {{"X-Request-Id", "trace-42.a_b:c"}});
  ASSERT_TRUE(first.has_value() && second.has_value());
  for (const auto* answer : {&*first, &*second}) {
    EXPECT_EQ(answer->Header("X-Request-Id").size(), 16u);
    EXPECT_EQ(answer->Json().at("request_id").as_string(), answer->Header("X-Request-Id"));
    EXPECT_EQ(answer->Json().at("client_request_id"), "trace-42.a_b:c");
  }
  EXPECT_NE(first->Header("X-Request-Id"), second->Header("X-Request-Id"));

  for (std::string unsafe :
       {std::string("has space"), std::string("<script>"), std::string(65, 'a')}) {
    auto dropped = client.Get("/hello", {{"X-Request-Id", unsafe}});
    ASSERT_TRUE(dropped.has_value());
    EXPECT_EQ(dropped->Header("X-Request-Id").size(), 16u);
    EXPECT_EQ(dropped->Json().at("client_request_id"), "");
  }
}

TEST_F(ServerTest, HandlerRunsOnAWorkerThreadNotAnIoThread) {
  StartServer();
  HttpClient client(server_->port());
  auto worker = client.Get("/thread");
  ASSERT_TRUE(worker.has_value());
  EXPECT_THAT(worker->body, StartsWith("http-worker-"));
  auto inline_handler = client.Get("/thread-inline");
  ASSERT_TRUE(inline_handler.has_value());
  EXPECT_THAT(inline_handler->body, StartsWith("http-io-"));
}

TEST_F(ServerTest, DeclaredTenMegabyteBodyIsRefusedWith413) {
  StartServer();
  HttpClient client(server_->port());
  auto response = client.Send({.method = "POST",
                               .target = "/echo",
                               .body = std::string(kTenMegabytes, 'x'),
                               .headers = {{"Content-Type", "application/octet-stream"}}});
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->Header("Content-Type"), "application/problem+json");
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_EQ(response->Json().at("type"), "https://clinic.example/problems/payload-too-large");
  EXPECT_FALSE(client.connected());

  auto after = client.Get("/hello");
  ASSERT_TRUE(after.has_value()) << after.error().message;
  EXPECT_EQ(after->status, 200);
}

TEST_F(ServerTest, ChunkedTenMegabyteBodyIsRefusedWith413) {
  StartServer();
  HttpClient client(server_->port());
  auto response = client.Send({.method = "POST",
                               .target = "/echo",
                               .body = std::string(kTenMegabytes, 'x'),
                               .chunked = true});
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->Header("Content-Type"), "application/problem+json");
}

TEST_F(ServerTest, UnknownRoutesAreRefusedBeforeLargeBodies) {
  StartServer();
  HttpClient client(server_->port());
  auto response = client.Send(
      {.method = "POST", .target = "/nowhere", .body = std::string(kTenMegabytes, 'x')});
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 413);
}

TEST_F(ServerTest, RouteBodyLimitOverridesTheDefault) {
  StartServer({.max_body_bytes = 1024 * 1024});
  HttpClient client(server_->port());
  std::string body(1536 * 1024, 'y');
  auto upload = client.Send({.method = "POST", .target = "/upload", .body = body});
  ASSERT_TRUE(upload.has_value()) << upload.error().message;
  EXPECT_EQ(upload->status, 200);
  EXPECT_EQ(upload->body, std::to_string(body.size()));
  auto echo = client.Send({.method = "POST", .target = "/echo", .body = body});
  ASSERT_TRUE(echo.has_value()) << echo.error().message;
  EXPECT_EQ(echo->status, 413);
  auto small = client.Send({.method = "POST", .target = "/echo", .body = "small", .chunked = true});
  ASSERT_TRUE(small.has_value()) << small.error().message;
  EXPECT_EQ(small->body, "small");
}

TEST_F(ServerTest, AnAdmissionRefusalIsAnsweredBeforeTheBodyIsRead) {
  StartServer();
  // Eight megabytes declared, a few bytes sent: the answer cannot wait for the rest.
  const auto refused = ExchangeRaw(server_->port(),
                                   "POST /guarded HTTP/1.1\r\nHost: x\r\n"
                                   "Content-Length: 8388608\r\n\r\nfirst bytes");
  ASSERT_THAT(refused, IsOk());
  EXPECT_THAT(*refused, StartsWith("HTTP/1.1 403"));
  EXPECT_THAT(*refused, HasSubstr("Connection: close"));
  EXPECT_THAT(*refused, HasSubstr("refused on http-worker-")) << "it may ask the database";

  HttpClient client(server_->port());
  auto admitted = client.Send({.method = "POST",
                               .target = "/guarded",
                               .body = "twelve bytes",
                               .headers = {{"X-Pass", "yes"}}});
  ASSERT_THAT(admitted, IsOk());
  EXPECT_EQ(admitted->status, 200);
  EXPECT_EQ(admitted->body, "12");
}

TEST_F(ServerTest, BodiesBeyondTheBytesInFlightAreAnswered503BeforeTheyAreRead) {
  StartServer({.max_body_bytes_in_flight = 1024 * 1024});
  // A slow client: 800 KiB declared, a few bytes sent so far.
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket slow(io);
  slow.connect({boost::asio::ip::make_address("127.0.0.1"), server_->port()});
  constexpr std::size_t kSlowBody = 800 * 1024;
  boost::asio::write(
      slow, boost::asio::buffer(fmt::format(
                "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\nfirst", kSlowBody)));
  ASSERT_EQ(WaitForMetric("clinic_http_request_body_bytes_held", "819200"), "819200");

  // 300 KiB more do not fit: refused before a byte of that body is read.
  const auto refused = ExchangeRaw(server_->port(),
                                   "POST /echo HTTP/1.1\r\nHost: x\r\n"
                                   "Content-Length: 307200\r\n\r\nfirst bytes");
  ASSERT_THAT(refused, IsOk());
  EXPECT_THAT(*refused, StartsWith("HTTP/1.1 503"));
  EXPECT_THAT(*refused, HasSubstr("Retry-After: 1"));
  EXPECT_THAT(*refused, HasSubstr("Connection: close"));
  EXPECT_EQ(Metric("clinic_http_request_bodies_refused_total"), "1");
  HttpClient client(server_->port());
  auto bodiless = client.Get("/hello");
  ASSERT_THAT(bodiless, IsOk());
  EXPECT_EQ(bodiless->status, 200) << "a request without a body needs no room";

  // The slow body completes and is served; its room is given back.
  boost::asio::write(slow, boost::asio::buffer(std::string(kSlowBody - 5, 'x')));
  std::string reply(12, '\0');
  boost::asio::read(slow, boost::asio::buffer(reply));
  EXPECT_EQ(reply, "HTTP/1.1 200");
  slow.close();
  ASSERT_EQ(WaitForMetric("clinic_http_request_body_bytes_held", "0"), "0");
  auto retried =
      client.Send({.method = "POST", .target = "/echo", .body = std::string(307200, 'y')});
  ASSERT_THAT(retried, IsOk());
  EXPECT_EQ(retried->status, 200);
  // A body larger than the whole budget is served when no other is held.
  ASSERT_EQ(WaitForMetric("clinic_http_request_body_bytes_held", "0"), "0");
  auto alone =
      client.Send({.method = "POST", .target = "/upload", .body = std::string(1536 * 1024, 'z')});
  ASSERT_THAT(alone, IsOk());
  EXPECT_EQ(alone->status, 200);
  EXPECT_EQ(WaitForMetric("clinic_http_request_body_bytes_held", "0"), "0");
}

TEST_F(ServerTest, UnknownRouteIsProblemJson404AndWrongMethod405) {
  StartServer();
  HttpClient client(server_->port());
  auto missing = client.Get("/api/v1/nothing");
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->Header("Content-Type"), "application/problem+json");
  EXPECT_EQ(missing->Json().at("status"), 404);
  EXPECT_TRUE(client.connected());

  auto wrong_method = client.Send({.method = "DELETE", .target = "/hello"});
  ASSERT_TRUE(wrong_method.has_value());
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(wrong_method->Header("Allow"), "GET, HEAD");
  EXPECT_EQ(client.connections_opened(), 1u);
}

TEST_F(ServerTest, HeadAnswersHeadersWithoutBody) {
  StartServer();
  HttpClient client(server_->port());
  auto get = client.Get("/thread");
  auto head = client.Send({.method = "HEAD", .target = "/thread"});
  ASSERT_TRUE(get.has_value());
  ASSERT_TRUE(head.has_value()) << head.error().message;
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  EXPECT_EQ(head->Header("Content-Length"), std::to_string(get->body.size()));
  auto after = client.Get("/hello");
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(client.connections_opened(), 1u);
}

// Eight megabytes go out read into one buffer of at most 64 KiB, and arrive whole and in order:
// the server never reads the next chunk into that buffer before the previous one was written.
TEST_F(ServerTest, AStreamedBodyArrivesWholeWhileTheServerHoldsOneChunkOfIt) {
  stream_bytes_ = 8 * 1024 * 1024 + 5;
  StartServer();
  HttpClient client(server_->port());
  auto response = client.Get("/stream");
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("Content-Length"), std::to_string(stream_bytes_));
  EXPECT_EQ(response->Header("Content-Type"), "application/octet-stream");
  EXPECT_EQ(response->Header("X-Content-Type-Options"), "nosniff");
  EXPECT_TRUE(response->body == StreamBytes(stream_bytes_)) << response->body.size() << " bytes";
  ASSERT_TRUE(reader_log_.WaitUntilAllReleased());
  {
    std::lock_guard lock(reader_log_.mutex);
    EXPECT_EQ(reader_log_.buffers.size(), 1u) << "one chunk buffer for the whole body";
    EXPECT_LE(reader_log_.largest_read, kSixtyFourKibibytes);
    EXPECT_EQ(reader_log_.bytes_read, stream_bytes_)
        << "the reader's endless bytes read no further";
    EXPECT_FALSE(reader_log_.overlapped);
  }
  auto next = client.Get("/hello");
  ASSERT_TRUE(next.has_value()) << next.error().message;
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(client.connections_opened(), 1u) << "the connection is kept alive";
}

TEST_F(ServerTest, HeadOfAStreamedBodyAnnouncesItsLengthAndReadsNothing) {
  stream_bytes_ = 1000000;
  StartServer();
  HttpClient client(server_->port());
  auto head = client.Send({.method = "HEAD", .target = "/stream"});
  ASSERT_TRUE(head.has_value()) << head.error().message;
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("Content-Length"), "1000000");
  EXPECT_TRUE(head->body.empty());
  ASSERT_TRUE(reader_log_.WaitUntilAllReleased());
  EXPECT_EQ(reader_log_.reads, 0u);
  auto next = client.Get("/hello");
  ASSERT_TRUE(next.has_value()) << next.error().message;
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(client.connections_opened(), 1u);
}

// The header has gone out: the only way left to tell the client is to close the connection
// short of the Content-Length.
TEST_F(ServerTest, AStreamedBodyWhoseReaderFailsIsCutShortAndTheConnectionClosed) {
  auto server_log = std::make_shared<CapturingSink>();
  const CapturedLog capture(server_log);
  stream_bytes_ = 1024 * 1024;
  stream_fails_after_ = 200 * 1024;
  StartServer();
  auto answer = ExchangeRaw(server_->port(), "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(answer.has_value()) << answer.error().message;
  EXPECT_THAT(*answer, StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(*answer, HasSubstr("Content-Length: 1048576\r\n"));
  const auto body_start = answer->find("\r\n\r\n");
  ASSERT_NE(body_start, std::string::npos);
  EXPECT_EQ(answer->size() - body_start - 4, 200u * 1024) << "what was read before the failure";
  EXPECT_TRUE(reader_log_.WaitUntilAllReleased());
  server_->Stop();
  EXPECT_THAT(server_log->WaitForLines(1),
              Contains(HasSubstr("the body stopped after 204800 of 1048576 bytes: "
                                 "the disk went away")));
}

TEST_F(ServerTest, AClientThatLeavesDuringAStreamedBodyReleasesItsReader) {
  stream_bytes_ = 256 * 1024 * 1024;
  StartServer();
  {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), server_->port()});
    boost::asio::write(
        socket, boost::asio::buffer(std::string_view("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")));
    std::string start(256 * 1024, '\0');
    boost::asio::read(socket, boost::asio::buffer(start));
  }  // closed with nearly all of the body unread
  EXPECT_TRUE(reader_log_.WaitUntilAllReleased());
  {
    std::lock_guard lock(reader_log_.mutex);
    EXPECT_LT(reader_log_.bytes_read, stream_bytes_) << "the rest was never read";
  }
  HttpClient client(server_->port());
  auto next = client.Get("/hello");
  ASSERT_TRUE(next.has_value()) << next.error().message;
  EXPECT_EQ(next->status, 200);
}

TEST_F(ServerTest, HandlerErrorsBecomeProblems) {
  StartServer();
  HttpClient client(server_->port());
  auto conflict = client.Get("/conflict");
  ASSERT_TRUE(conflict.has_value());
  EXPECT_EQ(conflict->status, 409);
  EXPECT_EQ(conflict->Json().at("detail"), "the slot is taken");

  for (auto target : {"/internal", "/throws"}) {
    auto failed = client.Get(target);
    ASSERT_TRUE(failed.has_value()) << target;
    EXPECT_EQ(failed->status, 500) << target;
    EXPECT_EQ(failed->Header("Content-Type"), "application/problem+json");
    EXPECT_THAT(failed->body, Not(HasSubstr("/var/lib")));
    EXPECT_THAT(failed->body, Not(HasSubstr("secret")));
  }
}

TEST_F(ServerTest, MalformedHttpGets400AndTheConnectionCloses) {
  StartServer();
  auto answer = ExchangeRaw(server_->port(), "THIS IS NOT HTTP\r\n\r\n");
  ASSERT_TRUE(answer.has_value()) << answer.error().message;
  EXPECT_THAT(*answer, StartsWith("HTTP/1.1 400 Bad Request\r\n"));
  EXPECT_THAT(*answer, HasSubstr("Content-Type: application/problem+json"));
  EXPECT_THAT(*answer, HasSubstr("Connection: close"));

  auto bad_chunk =
      ExchangeRaw(server_->port(),
                  "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "zz\r\nhello\r\n0\r\n\r\n");
  ASSERT_TRUE(bad_chunk.has_value()) << bad_chunk.error().message;
  EXPECT_THAT(*bad_chunk, StartsWith("HTTP/1.1 400 Bad Request\r\n"));
}

TEST_F(ServerTest, OversizedHeaderGets431) {
  StartServer({.max_header_bytes = 4096});
  auto answer = ExchangeRaw(server_->port(), "GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                                 std::string(8192, 'a') + "\r\n\r\n");
  ASSERT_TRUE(answer.has_value()) << answer.error().message;
  EXPECT_THAT(*answer, StartsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  auto answer = ExchangeRaw(server_->port(),
                            "GET /thread HTTP/1.1\r\nHost: x\r\n\r\n"
                            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nsecond"
                            "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(answer.has_value()) << answer.error().message;
  auto first = answer->find("http-worker-");
  auto second = answer->find("second");
  auto third = answer->find("\"route\":\"/hello\"");
  ASSERT_NE(first, std::string::npos) << *answer;
  ASSERT_NE(second, std::string::npos) << *answer;
  ASSERT_NE(third, std::string::npos) << *answer;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
}

TEST_F(ServerTest, ExpectContinueIsHonoured) {
  StartServer();
  auto answer = ExchangeRaw(server_->port(),
                            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                            "Expect: 100-continue\r\nConnection: close\r\n\r\nhello");
  ASSERT_TRUE(answer.has_value()) << answer.error().message;
  EXPECT_THAT(*answer, StartsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(*answer, ::testing::EndsWith("hello"));
}

TEST_F(ServerTest, Http10ConnectionClosesAfterTheResponse) {
  StartServer();
  auto answer = ExchangeRaw(server_->port(), "GET /hello HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(answer.has_value()) << answer.error().message;
  EXPECT_THAT(*answer, StartsWith("HTTP/1.0 200 OK\r\n"));
}

TEST_F(ServerTest, IncompleteHeaderIsDroppedAfterHeaderTimeout) {
  StartServer({.header_timeout = 200ms});
  auto answer = ExchangeRaw(server_->port(), "GET /hello HTTP/1.1\r\nHost: x\r\n");
  ASSERT_TRUE(answer.has_value()) << answer.error().message;
  EXPECT_EQ(*answer, "");
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  StartServer({.idle_timeout = 200ms});
  HttpClient client(server_->port());
  ASSERT_TRUE(client.Get("/hello").has_value());
  EXPECT_TRUE(client.ServerClosedConnection(10s));
}

TEST_F(ServerTest, GracefulStopLetsAnInFlightRequestFinish) {
  StartServer({.shutdown_timeout = 30s});
  std::uint16_t port = server_->port();
  auto slow = std::async(std::launch::async, [port] {
    HttpClient client(port);
    return client.Get("/slow");
  });
  slow_started_.get_future().wait();
  server_->Stop();

  auto response = slow.get();
  ASSERT_TRUE(response.has_value()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "finally");
  EXPECT_EQ(response->Header("Connection"), "close");

  HttpClient late(port);
  EXPECT_FALSE(late.Get("/hello").has_value());
}

TEST_F(ServerTest, StopClosesIdleKeepAliveConnections) {
  StartServer({.shutdown_timeout = 60s});
  HttpClient client(server_->port());
  ASSERT_TRUE(client.Get("/hello").has_value());
  std::thread stopper([this] { server_->Stop(); });
  EXPECT_TRUE(client.ServerClosedConnection(10s));
  stopper.join();
}

TEST_F(ServerTest, WaitReturnsOnceStopIsCalledFromAnotherThread) {
  StartServer();
  std::atomic<bool> waited{false};
  std::thread waiter([&] {
    server_->Wait();
    waited = true;
  });
  server_->Stop();
  waiter.join();
  EXPECT_TRUE(waited);
}

TEST_F(ServerTest, ManyClientsAreServedConcurrently) {
  StartServer();
  std::uint16_t port = server_->port();
  std::vector<std::future<int>> clients;
  for (int c = 0; c < 8; ++c) {
    clients.push_back(std::async(std::launch::async, [port] {
      HttpClient client(port);
      int ok = 0;
      for (int i = 0; i < 25; ++i) {
        auto response = client.Get("/hello");
        if (response && response->status == 200) ++ok;
      }
      return ok;
    }));
  }
  for (auto& client : clients) EXPECT_EQ(client.get(), 25);
}

TEST_F(ServerTest, FullWorkerQueueAnswers503) {
  StartServer({.max_queued_requests = 0});
  HttpClient client(server_->port());
  auto busy = client.Get("/hello");
  ASSERT_TRUE(busy.has_value());
  EXPECT_EQ(busy->status, 503);
  EXPECT_EQ(busy->Header("Retry-After"), "1");
  auto cheap = client.Get("/thread-inline");
  ASSERT_TRUE(cheap.has_value());
  EXPECT_EQ(cheap->status, 200);

  const auto upgrade = ExchangeRaw(server_->port(),
                                   "GET /socket?allow=1 HTTP/1.1\r\nHost: x\r\n"
                                   "Connection: Upgrade, close\r\nUpgrade: websocket\r\n"
                                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                   "Sec-WebSocket-Version: 13\r\n\r\n");
  ASSERT_THAT(upgrade, IsOk());
  EXPECT_THAT(*upgrade, StartsWith("HTTP/1.1 503")) << "an upgrade waits in the same queue";
}

TEST_F(ServerTest, CpuHeavyRoutesWaitForTheirOwnThreadsAndAFullQueueAnswers429) {
  StartServer({.cpu_worker_threads = 1, .max_queued_cpu_requests = 1});
  auto get_heavy = [port = server_->port()] { return HttpClient(port).Get("/heavy"); };
  auto first = std::async(std::launch::async, get_heavy);
  ASSERT_EQ(heavy_started_.get_future().wait_for(10s), std::future_status::ready);
  // The one CPU thread is taken: of two more, one waits in the queue and one finds it full.
  auto second = std::async(std::launch::async, get_heavy);
  auto third = std::async(std::launch::async, get_heavy);
  auto ready = [](auto& call) { return call.wait_for(0ms) == std::future_status::ready; };
  for (int i = 0; i < 1000 && !ready(second) && !ready(third); ++i)
    std::this_thread::sleep_for(10ms);
  ASSERT_NE(ready(second), ready(third));
  const bool second_turned_away = ready(second);
  auto turned_away = second_turned_away ? second.get() : third.get();
  auto& queued = second_turned_away ? third : second;
  ASSERT_THAT(turned_away, IsOk());
  EXPECT_EQ(turned_away->status, 429);
  EXPECT_EQ(turned_away->Header("Retry-After"), "1");
  EXPECT_EQ(turned_away->Header("Content-Type"), "application/problem+json");

  // The request workers are all free meanwhile.
  HttpClient client(server_->port());
  auto other = client.Get("/thread");
  ASSERT_THAT(other, IsOk());
  EXPECT_THAT(other->body, StartsWith("http-worker-"));

  ReleaseHeavy();
  auto served = first.get();
  ASSERT_THAT(served, IsOk());
  EXPECT_EQ(served->status, 200);
  EXPECT_EQ(served->body, "http-cpu-0");
  auto waited = queued.get();
  ASSERT_THAT(waited, IsOk());
  EXPECT_EQ(waited->status, 200);
}

TEST_F(ServerTest, MetricsCountRequestsByRoutePattern) {
  StartServer();
  HttpClient client(server_->port());
  ASSERT_TRUE(client.Get("/hello").has_value());
  ASSERT_TRUE(client.Get("/hello?x=1").has_value());
  ASSERT_TRUE(client.Get("/no/such/path").has_value());
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics.has_value());
  EXPECT_THAT(metrics->body, HasSubstr("clinic_http_requests_total{method=\"GET\",route=\"/"
                                       "hello\",status=\"200\"} 2\n"));
  EXPECT_THAT(metrics->body, HasSubstr("clinic_http_requests_total{method=\"GET\",route="
                                       "\"unmatched\",status=\"404\"} 1\n"));
  EXPECT_THAT(metrics->body, HasSubstr("clinic_http_requests_in_flight 1\n"));
  EXPECT_THAT(metrics->body, Not(HasSubstr("/no/such/path")));
}

TEST_F(ServerTest, AccessLogIsOneJsonLineWithoutQueryOrCredentials) {
  StartServer();
  HttpClient client(server_->port());
  auto response = client.Get("/hello?token=querysecret", {{"Authorization", "Bearer authsecret"},
                                                          {"Cookie", "session=cookiesecret"},
                                                          {"X-Request-Id", "log-test-1"}});
  ASSERT_TRUE(response.has_value());
  auto lines = access_sink_->WaitForLines(1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], Not(HasSubstr("secret")));
  auto line = boost::json::parse(lines[0]).as_object();
  EXPECT_EQ(line.at("request_id").as_string(), response->Header("X-Request-Id"));
  EXPECT_EQ(line.at("client_request_id"), "log-test-1");
  EXPECT_EQ(line.at("method"), "GET");
  EXPECT_EQ(line.at("path"), "/hello");
  EXPECT_EQ(line.at("route"), "/hello");
  EXPECT_EQ(line.at("status"), 200);
  EXPECT_EQ(line.at("client"), "127.0.0.1");
  EXPECT_GT(line.at("bytes_out").to_number<std::size_t>(), response->body.size());
  EXPECT_GT(line.at("bytes_in").to_number<std::size_t>(), 0u);
  EXPECT_TRUE(line.at("duration_ms").is_number());
  EXPECT_THAT(std::string(line.at("time").as_string()), ::testing::EndsWith("Z"));
}

TEST_F(ServerTest, AWebSocketRouteUpgradesAndSendsFramesInOrder) {
  StartServer();
  auto refused = test_support::WebSocketClient::Connect(server_->port(), "/socket");
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("HTTP 403"));
  HttpClient plain(server_->port());
  EXPECT_EQ(plain.Get("/socket")->body, "not upgraded");

  auto socket = test_support::WebSocketClient::Connect(server_->port(), "/socket?allow=1");
  ASSERT_THAT(socket, IsOk());
  for (int i = 0; i < 3; ++i) EXPECT_EQ((*socket)->Next(), boost::json::value(i));
  server_->Stop();
  EXPECT_FALSE((*socket)->Next()) << "the server closes it on shutdown";
  EXPECT_TRUE((*socket)->Closed());
}

TEST_F(ServerTest, AWebSocketClientThatFallsBehindIsDisconnected) {
  frames_ = 2000;
  frame_bytes_ = 64 * 1024;
  StartServer();
  auto socket = test_support::WebSocketClient::Connect(server_->port(), "/socket?allow=1");
  ASSERT_THAT(socket, IsOk());
  int received = 0;
  while ((*socket)->Next()) ++received;
  EXPECT_TRUE((*socket)->Closed());
  EXPECT_LT(received, 2000) << "more than 256 frames queued close the connection";
}

TEST(ServerStartTest, BindFailureIsAClearError) {
  Server first({.port = 0, .handle_signals = false}, Router());
  ASSERT_TRUE(first.Start().has_value());
  Server second({.port = first.port(), .handle_signals = false}, Router());
  auto started = second.Start();
  ASSERT_FALSE(started.has_value());
  EXPECT_THAT(started, StatusIs(ErrorCode::kUnavailable));
  EXPECT_THAT(started.error().message, HasSubstr("bind"));
  EXPECT_THAT(started.error().message, HasSubstr(std::to_string(first.port())));
}

TEST(ServerStartTest, HostMustBeAnIpAddress) {
  Server server({.host = "not an address", .port = 0, .handle_signals = false}, Router());
  auto started = server.Start();
  ASSERT_FALSE(started.has_value());
  EXPECT_THAT(started, StatusIs(ErrorCode::kInvalidArgument));
}

TEST(ServerStartTest, StartingTwiceIsAnError) {
  Server server({.port = 0, .handle_signals = false}, Router());
  ASSERT_TRUE(server.Start().has_value());
  auto again = server.Start();
  ASSERT_FALSE(again.has_value());
  EXPECT_THAT(again, StatusIs(ErrorCode::kFailedPrecondition));
}

}  // namespace
}  // namespace clinic::http
