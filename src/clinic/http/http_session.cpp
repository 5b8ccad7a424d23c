#include "clinic/http/http_session.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/json/serialize.hpp>
#include <ctime>
#include <exception>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "clinic/common/crypto.hpp"
#include "clinic/http/problem.hpp"
#include "clinic/http/websocket_session.hpp"

namespace clinic::http::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using SystemClock = std::chrono::system_clock;

constexpr std::size_t kReadChunkBytes = std::size_t{16} * 1024;
constexpr std::size_t kDrainChunkBytes = std::size_t{64} * 1024;
// What a streamed body (Response::StreamBody) holds in memory at once, per response.
constexpr std::size_t kStreamChunkBytes = std::size_t{64} * 1024;
// After an answer that leaves request bytes unread (413, 400), the server stops sending and reads
// and discards what the client still sends for a while before closing. Closing at once would make
// the kernel answer the unread bytes with a reset, which can destroy the answer in flight before
// the client reads it.
constexpr auto kLingerTime = std::chrono::seconds(5);
constexpr std::size_t kMaxLingerBytes = std::size_t{64} * 1024 * 1024;
constexpr std::size_t kMaxRequestIdLength = 64;
constexpr std::size_t kMaxLoggedPathLength = 1024;
constexpr std::string_view kRequestIdHeader = "X-Request-Id";

bool IsSafeRequestId(std::string_view id) {
  auto safe = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == ':';
  };
  return !id.empty() && id.size() <= kMaxRequestIdLength && std::all_of(id.begin(), id.end(), safe);
}

// The client's X-Request-Id when it is a short safe token, else empty.
std::string ClientRequestId(std::string_view incoming) {
  return IsSafeRequestId(incoming) ? std::string(incoming) : std::string();
}

// IMF-fixdate (RFC 9110 §5.6.7), without strftime so the process locale cannot change it.
std::string HttpDate(SystemClock::time_point now) {
  static constexpr std::string_view kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t seconds = SystemClock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} GMT", kDays[utc.tm_wday], utc.tm_mday,
                     kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
}

std::string Rfc3339Millis(SystemClock::time_point now) {
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  std::time_t seconds = static_cast<std::time_t>(millis.count() / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                     millis.count() % 1000);
}

// `text` as a quoted, escaped JSON string.
std::string JsonString(std::string_view text) {
  return boost::json::serialize(boost::json::string_view(text.data(), text.size()));
}

std::string_view MethodLabel(Method method) {
  return method == Method::unknown ? std::string_view("OTHER")
                                   : std::string_view(bhttp::to_string(method));
}

// The peer went away or was too slow: there is nobody to answer.
bool IsDisconnect(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
         ec == beast::error::timeout || ec == asio::error::operation_aborted ||
         ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe;
}

bool StatusHasNoBody(HttpStatus status) {
  return bhttp::to_status_class(status) == bhttp::status_class::informational ||
         status == HttpStatus::no_content || status == HttpStatus::not_modified;
}

// The answer when the worker queue is full.
Response Busy() {
  Response busy = Problem(Error::Unavailable("The server is busy; retry shortly."));
  busy.set(bhttp::field::retry_after, "1");
  return busy;
}

// For a CPU-heavy route whose own pool has a full queue: 429, as the caller alone (a flood of
// logins, say) should slow down, not every client of the server.
Response CpuBusy() {
  return Problem(Error::ResourceExhausted(
      "The server is busy with requests like this one; retry shortly.", 1));
}

Response PayloadTooLarge(std::size_t limit) {
  return Problem(
      Error{ErrorCode::kPayloadTooLarge,
            fmt::format("The request body is larger than this route's limit of {} bytes.", limit),
            {}});
}

// One connection (StartHttpSession). Everything but the handler call runs on the connection's
// strand, one step at a time: wait for a request → read its header → route → read its body → run
// the handler → write the response → wait again.
class HttpSession final : public Connection, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, std::shared_ptr<ServerCore> core,
              std::shared_ptr<ConnectionSlot> slot)
      : stream_(std::move(socket)), core_(std::move(core)), slot_(std::move(slot)) {
    beast::error_code ec;
    auto peer = stream_.socket().remote_endpoint(ec);
    if (!ec) client_address_ = peer.address().to_string();
  }

  ~HttpSession() override {
    ReleaseBodyBytes();
    core_->connections->Unregister(this);
  }
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  void Start() {
    core_->connections->Register(this, weak_from_this());
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->WaitForRequest(); });
  }

  // The server is shutting down: a connection waiting for its next request closes now; one in
  // the middle of a request finishes it and closes after the response.
  void OnServerStopping() override { CloseIfIdle(); }

  bool Idle() const override { return idle_.load(std::memory_order_relaxed); }

  void CloseIfIdle() override {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->phase_ == Phase::kWaiting) self->stream_.cancel();
    });
  }

 private:
  enum class Phase { kWaiting, kReading, kHandling, kWriting, kClosed };
  enum class AfterResponse { kKeepAliveIfAllowed, kLingerAndClose };

  // A body written as it is read (Response::StreamBody), one chunk at a time.
  struct StreamedBody {
    StreamedBody(std::unique_ptr<ByteReader> body_reader, std::uint64_t body_length,
                 const Response::Message::header_type& header)
        : reader(std::move(body_reader)),
          length(body_length),
          message(header),
          serializer(message),
          chunk(kStreamChunkBytes) {}
    StreamedBody(const StreamedBody&) = delete;
    StreamedBody& operator=(const StreamedBody&) = delete;

    std::unique_ptr<ByteReader> reader;
    std::uint64_t length;
    std::uint64_t sent = 0;                       // body bytes read, then written
    std::size_t bytes_out = 0;                    // header and body bytes written
    bhttp::response<bhttp::buffer_body> message;  // its body points into `chunk`
    bhttp::response_serializer<bhttp::buffer_body> serializer;
    std::vector<char> chunk;
  };

  // What the access log and the metrics need about the request being served.
  struct Exchange {
    SteadyClock::time_point started = SteadyClock::now();
    Method method = Method::unknown;
    std::string path;
    std::string_view route = kUnmatchedRouteLabel;
    std::string request_id;         // the server's own
    std::string client_request_id;  // the client's X-Request-Id, when safe
    std::string client;  // ClientAddress: the peer, or whom a trusted proxy forwarded for
    std::size_t body_limit = 0;
    std::size_t bytes_in = 0;
    unsigned version = 11;
    bool client_keeps_alive = false;
    bool head = false;
    bool counted_in_flight = false;
  };

  void WaitForRequest() {
    phase_ = Phase::kWaiting;
    if (core_->stopping) return Close();
    if (buffer_.size() > 0) return ReadHeader();
    idle_ = true;
    // The first request's header must be complete header_timeout after connecting; later ones
    // get idle_timeout to start and then header_timeout to finish.
    stream_.expires_after(first_request_ ? core_->options.header_timeout
                                         : core_->options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunkBytes),
                            [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                              if (ec) return self->Close();
                              self->buffer_.commit(bytes);
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    phase_ = Phase::kReading;
    idle_ = false;
    if (!first_request_) stream_.expires_after(core_->options.header_timeout);
    header_parser_.emplace();
    header_parser_->header_limit(static_cast<std::uint32_t>(core_->options.max_header_bytes));
    // The body limit depends on the route, known only once the header is in.
    header_parser_->body_limit(boost::none);
    bhttp::async_read_header(stream_, buffer_, *header_parser_,
                             [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                               self->OnHeader(ec, bytes);
                             });
  }

  void OnHeader(beast::error_code ec, std::size_t bytes) {
    exchange_ = Exchange{};
    exchange_.bytes_in = bytes;
    if (ec) {
      if (IsDisconnect(ec)) return Close();
      exchange_.request_id = RandomToken(12);
      if (ec == bhttp::error::header_limit) {
        constexpr auto kStatus = HttpStatus::request_header_fields_too_large;
        return Respond(Problem(kStatus, ProblemDocument(kStatus, "request-header-fields-too-large",
                                                        "The request header is too large.")),
                       AfterResponse::kLingerAndClose);
      }
      return Respond(Problem(Error::InvalidArgument("Malformed HTTP request: " + ec.message())),
                     AfterResponse::kLingerAndClose);
    }
    const auto& header = header_parser_->get();
    exchange_.method = header.method();
    exchange_.version = header.version() == 10 ? 10 : 11;
    exchange_.client_keeps_alive = header.keep_alive();
    exchange_.head = header.method() == Method::head;
    exchange_.request_id = RandomToken(12);
    exchange_.client_request_id = ClientRequestId(header[kRequestIdHeader]);
    exchange_.client =
        ClientAddress(client_address_, header["X-Forwarded-For"], core_->options.trusted_proxies);

    auto request = Request::FromTarget(header.method(), header.target());
    if (!request) {
      std::string_view target = header.target();
      exchange_.path =
          std::string(target.substr(0, std::min(target.find('?'), kMaxLoggedPathLength)));
      return Respond(Problem(request.error()), AfterResponse::kLingerAndClose);
    }
    request_ = std::move(*request);
    exchange_.path = request_.path.substr(0, kMaxLoggedPathLength);
    match_ = core_->router.Match(request_.method, request_.segments);
    exchange_.route = match_.label;
    exchange_.body_limit = match_.route && match_.route->options.max_body_bytes
                               ? *match_.route->options.max_body_bytes
                               : core_->options.max_body_bytes;
    if (auto length = header_parser_->content_length(); length && *length > exchange_.body_limit) {
      return Respond(PayloadTooLarge(exchange_.body_limit), AfterResponse::kLingerAndClose);
    }
    const bool has_body = !header_parser_->is_done();
    if (match_.route != nullptr && match_.route->options.admit && has_body) return Admit();
    StartBody();
  }

  // Runs the route's admission on a worker with the header alone; the body is read only when it
  // passes. The worker touches only request_ and match_, as a handler does.
  void Admit() {
    request_.headers = static_cast<const bhttp::fields&>(header_parser_->get());
    FillRequestContext();
    const bool queued = core_->workers.TrySubmit([self = shared_from_this()] {
      Status admitted = self->RunAdmission();
      asio::post(self->stream_.get_executor(), [self, admitted = std::move(admitted)]() mutable {
        if (!admitted) {
          return self->Respond(Problem(admitted.error()), AfterResponse::kLingerAndClose);
        }
        self->StartBody();
      });
    });
    if (!queued) Respond(Busy(), AfterResponse::kLingerAndClose);
  }

  Status RunAdmission() {
    try {
      return match_.route->options.admit(request_);
    } catch (const std::exception& e) {
      spdlog::error("request {} {}: admission threw: {}", exchange_.request_id, exchange_.route,
                    e.what());
      return Fail(Error::Internal(e.what()));
    }
  }

  void StartBody() {
    body_parser_.emplace(std::move(*header_parser_));
    header_parser_.reset();
    if (!ReserveBodyBytes()) return Respond(Busy(), AfterResponse::kLingerAndClose);
    body_parser_->body_limit(exchange_.body_limit);
    const auto& expect = body_parser_->get()[bhttp::field::expect];
    if (beast::iequals(expect, "100-continue") && !body_parser_->is_done()) return SendContinue();
    ReadBody();
  }

  // Reserves room for the body about to be read, held until its response is written: its declared
  // length, or for a chunked one the route's limit. False when the server holds too many bodies.
  bool ReserveBodyBytes() {
    if (body_parser_->is_done()) return true;
    const auto declared = body_parser_->content_length();
    const std::size_t bytes = declared ? static_cast<std::size_t>(*declared) : exchange_.body_limit;
    if (!core_->body_budget->TryReserve(bytes)) return false;
    reserved_body_bytes_ = bytes;
    return true;
  }

  void ReleaseBodyBytes() {
    core_->body_budget->Release(reserved_body_bytes_);
    reserved_body_bytes_ = 0;
  }

  // The client waits for this before sending a body (curl does for large ones); by now the
  // declared size is known to be acceptable.
  void SendContinue() {
    continue_response_ = {bhttp::status::continue_, 11};
    stream_.expires_after(core_->options.write_timeout);
    bhttp::async_write(stream_, continue_response_,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (ec) return self->Close();
                         self->ReadBody();
                       });
  }

  void ReadBody() {
    stream_.expires_after(core_->options.body_timeout);
    bhttp::async_read(stream_, buffer_, *body_parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                        self->OnBody(ec, bytes);
                      });
  }

  void OnBody(beast::error_code ec, std::size_t bytes) {
    exchange_.bytes_in += bytes;
    if (ec == bhttp::error::body_limit) {
      return Respond(PayloadTooLarge(exchange_.body_limit), AfterResponse::kLingerAndClose);
    }
    if (ec) {
      if (IsDisconnect(ec)) return Close();
      return Respond(
          Problem(Error::InvalidArgument("Malformed HTTP request body: " + ec.message())),
          AfterResponse::kLingerAndClose);
    }
    stream_.expires_never();
    auto message = body_parser_->release();
    body_parser_.reset();
    if (match_.route != nullptr && match_.route->options.websocket &&
        websocket::is_upgrade(message)) {
      upgrade_request_.emplace(message.base());
    }
    request_.headers = std::move(static_cast<bhttp::fields&>(message));
    request_.body = std::move(message.body());
    Dispatch();
  }

  void Dispatch() {
    phase_ = Phase::kHandling;
    CountInFlight();
    if (match_.route == nullptr) {
      return Respond(RejectionResponse(match_), AfterResponse::kKeepAliveIfAllowed);
    }
    FillRequestContext();
    if (upgrade_request_) return DispatchUpgrade();
    if (match_.route->options.execution == Execution::kIoThread) {
      return Respond(RunHandler(), AfterResponse::kKeepAliveIfAllowed);
    }
    const bool cpu_heavy = match_.route->options.execution == Execution::kCpuWorkerPool;
    WorkerPool& pool = cpu_heavy ? core_->cpu_workers : core_->workers;
    // The worker touches only request_ and match_, which nothing on the strand touches until
    // the response is posted back.
    const bool queued = pool.TrySubmit([self = shared_from_this()] {
      Response response = self->RunHandler();
      asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->Respond(std::move(response), AfterResponse::kKeepAliveIfAllowed);
      });
    });
    if (!queued) Respond(cpu_heavy ? CpuBusy() : Busy(), AfterResponse::kKeepAliveIfAllowed);
  }

  // What a handler learns of the request beyond its line, header and body.
  void FillRequestContext() {
    request_.path_params = match_.path_params;
    request_.route = std::string(match_.label);
    request_.client_address = exchange_.client;
    request_.request_id = exchange_.request_id;
    request_.client_request_id = exchange_.client_request_id;
  }

  // The route's upgrade handler decides on a worker (it may ask the database who is calling);
  // an accepted upgrade hands the socket to a WebSocket session and this one ends. Upgrades wait
  // in the same bounded queue as requests: a flood of them is answered 503, not queued.
  void DispatchUpgrade() {
    const bool queued = core_->workers.TrySubmit([self = shared_from_this()] {
      auto channel = self->RunUpgradeHandler();
      asio::post(self->stream_.get_executor(), [self, channel = std::move(channel)]() mutable {
        if (!channel) {
          self->upgrade_request_.reset();
          return self->Respond(Problem(channel.error()), AfterResponse::kKeepAliveIfAllowed);
        }
        self->RecordExchange(static_cast<unsigned>(HttpStatus::switching_protocols), 0);
        self->phase_ = Phase::kClosed;
        auto request = std::move(*self->upgrade_request_);
        self->upgrade_request_.reset();
        StartWebSocketSession(std::move(self->stream_), request, self->core_, self->slot_,
                              std::move(*channel));
      });
    });
    if (!queued) {
      upgrade_request_.reset();
      Respond(Busy(), AfterResponse::kKeepAliveIfAllowed);
    }
  }

  Result<std::shared_ptr<WebSocketChannel>> RunUpgradeHandler() {
    try {
      return match_.route->options.websocket(request_);
    } catch (const std::exception& e) {
      spdlog::error("request {} {}: upgrade handler threw: {}", exchange_.request_id,
                    exchange_.route, e.what());
      return Fail(Error::Internal(e.what()));
    }
  }

  Response RunHandler() {
    try {
      Result<Response> result = match_.route->handler(request_);
      if (result) return std::move(*result);
      const Error& error = result.error();
      if (error.code == ErrorCode::kInternal || error.code == ErrorCode::kUnavailable) {
        spdlog::error("request {} {} {} failed: {}: {}", exchange_.request_id,
                      MethodLabel(exchange_.method), exchange_.route, ErrorCodeName(error.code),
                      error.message);
      }
      return Problem(error);
    } catch (const std::exception& e) {
      spdlog::error("request {} {} {}: handler threw: {}", exchange_.request_id,
                    MethodLabel(exchange_.method), exchange_.route, e.what());
      return Problem(Error::Internal(e.what()));
    }
  }

  void CountInFlight() {
    if (exchange_.counted_in_flight) return;
    exchange_.counted_in_flight = true;
    core_->metrics->RequestStarted();
  }

  void Respond(Response response, AfterResponse after) {
    phase_ = Phase::kWriting;
    CountInFlight();
    keep_alive_ = after == AfterResponse::kKeepAliveIfAllowed && exchange_.client_keeps_alive &&
                  !core_->stopping;
    linger_ = after == AfterResponse::kLingerAndClose;
    response_ = std::move(response);
    std::unique_ptr<ByteReader> body_reader = response_->TakeBodyReader();
    CompleteHeaders(*response_, body_reader != nullptr);
    stream_.expires_after(core_->options.write_timeout);
    // HEAD gets the headers alone: the reader is released unread.
    if (body_reader != nullptr && !exchange_.head && response_->streamed_length() > 0 &&
        !StatusHasNoBody(response_->result())) {
      return StartStreaming(std::move(body_reader));
    }
    bhttp::async_write(stream_, *response_,
                       [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                         self->OnResponseWritten(!ec, bytes);
                       });
  }

  // Writes the response's header and its streamed body: a worker reads a chunk, the strand
  // writes it, and only then is the next chunk read, so a response holds one chunk
  // (kStreamChunkBytes) whatever the body's size, and a slow client slows the reading instead of
  // filling memory. Reads may block (a file, GridFS), so they never run on an I/O thread.
  void StartStreaming(std::unique_ptr<ByteReader> reader) {
    streamed_ = std::make_unique<StreamedBody>(std::move(reader), response_->streamed_length(),
                                               response_->base());
    ReadChunk();
  }

  void ReadChunk() {
    const auto wanted = static_cast<std::size_t>(
        std::min<std::uint64_t>(streamed_->chunk.size(), streamed_->length - streamed_->sent));
    // The worker touches only streamed_'s reader and chunk, which nothing on the strand touches
    // until the result is posted back.
    core_->workers.Submit([self = shared_from_this(), wanted] {
      Result<std::size_t> read = self->ReadStreamed(wanted);
      asio::post(self->stream_.get_executor(),
                 [self, read = std::move(read)] { self->OnChunkRead(read); });
    });
  }

  Result<std::size_t> ReadStreamed(std::size_t wanted) {
    try {
      return streamed_->reader->Read(std::span<char>(streamed_->chunk.data(), wanted));
    } catch (const std::exception& e) {
      return Fail(Error::Internal(fmt::format("the body reader threw: {}", e.what())));
    }
  }

  void OnChunkRead(const Result<std::size_t>& read) {
    StreamedBody& body = *streamed_;
    if (!read || *read == 0) {
      // The header promised more: closing is the only way left to tell the client.
      spdlog::warn("request {} {} {}: the body stopped after {} of {} bytes: {}",
                   exchange_.request_id, MethodLabel(exchange_.method), exchange_.route, body.sent,
                   body.length, read ? "the content ended early" : read.error().message);
      return OnResponseWritten(false, body.bytes_out);
    }
    body.sent += *read;
    body.message.body().data = body.chunk.data();
    body.message.body().size = *read;
    body.message.body().more = body.sent < body.length;
    stream_.expires_after(core_->options.write_timeout);
    bhttp::async_write(stream_, body.serializer,
                       [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                         self->streamed_->bytes_out += bytes;
                         // need_buffer: the chunk is written and the body wants the next one.
                         if (ec == bhttp::error::need_buffer) return self->ReadChunk();
                         self->OnResponseWritten(!ec, self->streamed_->bytes_out);
                       });
  }

  void CompleteHeaders(Response& response, bool streamed) {
    response.version(exchange_.version);
    response.keep_alive(keep_alive_);
    response.set(bhttp::field::server, "clinic");
    response.set(bhttp::field::date, HttpDate(SystemClock::now()));
    response.set(kRequestIdHeader, exchange_.request_id);
    response.set("X-Content-Type-Options", "nosniff");
    response.set("Referrer-Policy", "no-referrer");
    response.set("X-Frame-Options", "DENY");
    if (response.find(bhttp::field::cache_control) == response.end()) {
      response.set(bhttp::field::cache_control, "no-store");
    }
    if (StatusHasNoBody(response.result())) {
      response.body().clear();
      response.erase(bhttp::field::content_length);
      response.erase(bhttp::field::transfer_encoding);
    } else if (streamed) {
      response.content_length(response.streamed_length());
    } else {
      response.prepare_payload();
    }
    // HEAD gets the GET answer's headers, Content-Length included, without its body.
    if (exchange_.head) response.body().clear();
  }

  // The response went out whole (`complete`), or writing or reading its body failed; `bytes` of
  // it were written.
  void OnResponseWritten(bool complete, std::size_t bytes) {
    unsigned status = response_->result_int();
    response_.reset();
    streamed_.reset();
    request_ = Request{};
    ReleaseBodyBytes();
    match_ = RouteMatch{};
    RecordExchange(status, bytes);
    if (!complete) return Close();
    if (linger_) return LingerThenClose();
    if (!keep_alive_) return Close();
    first_request_ = false;
    WaitForRequest();
  }

  void RecordExchange(unsigned status, std::size_t bytes_out) {
    auto elapsed = SteadyClock::now() - exchange_.started;
    core_->metrics->RequestFinished(MethodLabel(exchange_.method), exchange_.route, status,
                                    elapsed);
    exchange_.counted_in_flight = false;
    // Built by hand because Boost.JSON writes doubles in exponent form ("1.355E0").
    core_->access_log->info(
        R"({{"time":"{}","request_id":{},"client_request_id":{},"method":{},"path":{},)"
        R"("route":{},"status":{},"duration_ms":{:.3f},"bytes_in":{},"bytes_out":{},"client":{}}})",
        Rfc3339Millis(SystemClock::now()), JsonString(exchange_.request_id),
        exchange_.client_request_id.empty() ? std::string("null")
                                            : JsonString(exchange_.client_request_id),
        JsonString(MethodLabel(exchange_.method)), JsonString(exchange_.path),
        JsonString(exchange_.route), status,
        std::chrono::duration<double, std::milli>(elapsed).count(), exchange_.bytes_in, bytes_out,
        JsonString(exchange_.client.empty() ? client_address_ : exchange_.client));
  }

  void Close() {
    phase_ = Phase::kClosed;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  void LingerThenClose() {
    phase_ = Phase::kClosed;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    buffer_.clear();
    lingered_bytes_ = 0;
    stream_.expires_after(kLingerTime);
    Drain();
  }

  void Drain() {
    stream_.async_read_some(buffer_.prepare(kDrainChunkBytes),
                            [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                              self->lingered_bytes_ += bytes;
                              if (ec || self->lingered_bytes_ > kMaxLingerBytes) {
                                return self->stream_.close();
                              }
                              self->Drain();
                            });
  }

  beast::tcp_stream stream_;
  std::shared_ptr<ServerCore> core_;
  beast::flat_buffer buffer_;
  std::string client_address_;
  Phase phase_ = Phase::kWaiting;
  bool first_request_ = true;
  bool keep_alive_ = false;
  bool linger_ = false;
  std::size_t lingered_bytes_ = 0;
  std::size_t reserved_body_bytes_ = 0;  // of core_->body_budget, for the request being served
  std::optional<bhttp::request_parser<bhttp::empty_body>> header_parser_;
  std::optional<bhttp::request_parser<bhttp::string_body>> body_parser_;
  std::optional<bhttp::request<bhttp::empty_body>> upgrade_request_;
  bhttp::response<bhttp::empty_body> continue_response_;
  Exchange exchange_;
  Request request_;
  RouteMatch match_;
  std::optional<Response> response_;
  std::unique_ptr<StreamedBody> streamed_;  // while response_'s body is streamed
  std::shared_ptr<ConnectionSlot> slot_;
  // phase_ == kWaiting with nothing of the next request read, for other threads
  // (ConnectionRegistry::Admit).
  std::atomic<bool> idle_{false};
};

}  // namespace

void StartHttpSession(tcp::socket socket, std::shared_ptr<ServerCore> core,
                      std::shared_ptr<ConnectionSlot> slot) {
  std::make_shared<HttpSession>(std::move(socket), std::move(core), std::move(slot))->Start();
}

}  // namespace clinic::http::detail
