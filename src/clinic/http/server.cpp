#include "clinic/http/server.hpp"

#include <fmt/format.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json/serialize.hpp>
#include <condition_variable>
#include <csignal>
#include <ctime>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "clinic/common/crypto.hpp"
#include "clinic/http/problem.hpp"

namespace clinic::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using SystemClock = std::chrono::system_clock;

constexpr std::size_t kReadChunkBytes = std::size_t{16} * 1024;
constexpr std::size_t kDrainChunkBytes = std::size_t{64} * 1024;
// After an answer that leaves request bytes unread (413, 400), the server stops sending and reads
// and discards what the client still sends for a while before closing. Closing at once would make
// the kernel answer the unread bytes with a reset, which can destroy the answer in flight before
// the client reads it.
constexpr auto kLingerTime = std::chrono::seconds(5);
constexpr std::size_t kMaxLingerBytes = std::size_t{64} * 1024 * 1024;
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);
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

void NameThisThread(const std::string& name) {
  // Linux limits thread names to 15 characters.
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
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

Response PayloadTooLarge(std::size_t limit) {
  return Problem(
      Error{ErrorCode::kPayloadTooLarge,
            fmt::format("The request body is larger than this route's limit of {} bytes.", limit),
            {}});
}

namespace websocket = boost::beast::websocket;

// An open connection, as the server's shutdown and its connection cap see it.
class Connection {
 public:
  virtual ~Connection() = default;
  // The server is shutting down: finish what is in flight, then close.
  virtual void OnServerStopping() = 0;
  // Whether it waits for a request that has not started: what may be closed to make room.
  virtual bool Idle() const { return false; }
  // Closes it if it still waits for a request that has not started.
  virtual void CloseIfIdle() {}
};

// Whether the server takes a new connection (Core::Admit).
enum class Admission { kAdmitted, kServerFull, kAddressFull };

// What the server's connections share. Sessions hold it by shared_ptr, so it outlives the last of
// them whatever order the server's parts are torn down in.
struct Core {
  ServerOptions options;
  Router router;
  std::shared_ptr<Metrics> metrics;
  std::shared_ptr<spdlog::logger> access_log;
  asio::io_context::executor_type worker_executor;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> queued_handlers{0};

  std::mutex sessions_mutex;
  std::condition_variable sessions_changed;
  std::unordered_map<const Connection*, std::weak_ptr<Connection>> sessions;
  // Admitted connections, in all and per counted peer address (under sessions_mutex), and how
  // many were refused or closed to make room.
  std::size_t open_connections = 0;
  std::unordered_map<std::string, std::size_t> open_per_address;
  std::atomic<std::uint64_t> connections_refused{0};
  std::atomic<std::uint64_t> connections_shed{0};

  // Takes a place for a new connection from `address` ("" when it is not counted per address),
  // closing an idle connection to make room at the total cap (see ServerOptions).
  Admission Admit(const std::string& address) {
    std::vector<std::shared_ptr<Connection>> held;  // released after the lock: may end sessions
    std::shared_ptr<Connection> idle;
    {
      std::lock_guard lock(sessions_mutex);
      if (!address.empty()) {
        const auto found = open_per_address.find(address);
        if (found != open_per_address.end() &&
            found->second >= options.max_connections_per_address) {
          return Admission::kAddressFull;
        }
      }
      if (open_connections >= options.max_connections) {
        for (const auto& [key, weak] : sessions) {
          auto session = weak.lock();
          if (!session) continue;
          const bool waiting = session->Idle();
          held.push_back(std::move(session));
          if (waiting) {
            idle = held.back();
            break;
          }
        }
        if (!idle) return Admission::kServerFull;
      }
      ++open_connections;
      if (!address.empty()) ++open_per_address[address];
    }
    if (idle) {
      connections_shed.fetch_add(1, std::memory_order_relaxed);
      idle->CloseIfIdle();
    }
    return Admission::kAdmitted;
  }

  void Release(const std::string& address) {
    std::lock_guard lock(sessions_mutex);
    --open_connections;
    if (address.empty()) return;
    const auto found = open_per_address.find(address);
    if (found != open_per_address.end() && --found->second == 0) open_per_address.erase(found);
  }

  void Register(const Connection* connection, std::weak_ptr<Connection> handle) {
    std::lock_guard lock(sessions_mutex);
    sessions.emplace(connection, std::move(handle));
  }
  void Unregister(const Connection* connection) {
    std::lock_guard lock(sessions_mutex);
    sessions.erase(connection);
    sessions_changed.notify_all();
  }

  Core(ServerOptions server_options, Router server_router, asio::io_context::executor_type workers)
      : options(std::move(server_options)),
        router(std::move(server_router)),
        metrics(options.metrics ? options.metrics : std::make_shared<Metrics>()),
        access_log(options.access_log ? options.access_log : spdlog::default_logger()),
        worker_executor(std::move(workers)) {}
};

// An admitted connection's place under the caps: held by its session, and by the WebSocket session
// an upgrade turns it into, and given back when the last of them ends.
class ConnectionSlot {
 public:
  ConnectionSlot(std::shared_ptr<Core> core, std::string address)
      : core_(std::move(core)), address_(std::move(address)) {}
  ~ConnectionSlot() { core_->Release(address_); }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  std::shared_ptr<Core> core_;
  std::string address_;
};

// An upgraded connection: reads and drops what the client sends (Beast answers pings), writes the
// channel's frames in order from a bounded queue, and closes with "going away" on shutdown. Lives
// as long as a read or write is pending; the channel goes with it.
class WebSocketSession final : public Connection,
                               public WebSocketPeer,
                               public std::enable_shared_from_this<WebSocketSession> {
 public:
  WebSocketSession(beast::tcp_stream stream, std::shared_ptr<Core> core,
                   std::shared_ptr<ConnectionSlot> slot, std::shared_ptr<WebSocketChannel> channel)
      : ws_(std::move(stream)),
        core_(std::move(core)),
        slot_(std::move(slot)),
        channel_(std::move(channel)) {}

  ~WebSocketSession() override { core_->Unregister(this); }
  WebSocketSession(const WebSocketSession&) = delete;
  WebSocketSession& operator=(const WebSocketSession&) = delete;

  // Completes the handshake of `request` (on the connection's strand).
  void Start(const bhttp::request<bhttp::empty_body>& request) {
    core_->Register(this, weak_from_this());
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& response) { response.set(bhttp::field::server, "clinic"); }));
    ws_.read_message_max(kMaxIncomingMessageBytes);
    ws_.async_accept(request, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      self->open_ = true;
      self->channel_->Opened(self);
      if (self->core_->stopping) return self->CloseGoingAway();
      self->Read();
    });
  }

  void Send(std::shared_ptr<const std::string> text) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
      if (!self->open_) return;
      if (self->queue_.size() >= kMaxQueuedFrames) {
        self->DropQueued();
        return self->Close(websocket::close_code::policy_error);
      }
      self->queue_.push_back(std::move(text));
      if (!self->writing_) self->WriteNext();
    });
  }

  void Close() override {
    asio::post(ws_.get_executor(),
               [self = shared_from_this()] { self->Close(websocket::close_code::policy_error); });
  }

  void OnServerStopping() override {
    asio::post(ws_.get_executor(), [self = shared_from_this()] { self->CloseGoingAway(); });
  }

 private:
  static constexpr std::size_t kMaxIncomingMessageBytes = std::size_t{64} * 1024;

  void Read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->open_ = false;
        return;
      }
      self->buffer_.clear();
      self->Read();
    });
  }

  // The frame at the front is the one being written (its buffer must outlive the write).
  void WriteNext() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(*queue_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                      self->writing_ = false;
                      self->queue_.pop_front();
                      if (ec) {
                        self->open_ = false;
                        return;
                      }
                      if (self->open_ && !self->queue_.empty()) self->WriteNext();
                    });
  }

  // Frees the frames not yet being written.
  void DropQueued() {
    queue_.erase(writing_ ? std::next(queue_.begin()) : queue_.begin(), queue_.end());
  }

  void CloseGoingAway() { Close(websocket::close_code::going_away); }

  void Close(websocket::close_code code) {
    if (!open_) return;
    open_ = false;
    ws_.async_close(code, [self = shared_from_this()](beast::error_code) {});
  }

  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<Core> core_;
  std::shared_ptr<ConnectionSlot> slot_;
  std::shared_ptr<WebSocketChannel> channel_;
  beast::flat_buffer buffer_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  bool open_ = false;
  bool writing_ = false;
};

// One connection. Everything but the handler call runs on the connection's strand, one step at a
// time: wait for a request → read its header → route → read its body → run the handler → write
// the response → wait again.
class Session final : public Connection, public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Core> core, std::shared_ptr<ConnectionSlot> slot)
      : stream_(std::move(socket)), core_(std::move(core)), slot_(std::move(slot)) {
    beast::error_code ec;
    auto peer = stream_.socket().remote_endpoint(ec);
    if (!ec) client_address_ = peer.address().to_string();
  }

  ~Session() override { core_->Unregister(this); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void Start() {
    core_->Register(this, weak_from_this());
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

    body_parser_.emplace(std::move(*header_parser_));
    header_parser_.reset();
    body_parser_->body_limit(exchange_.body_limit);
    const auto& expect = body_parser_->get()[bhttp::field::expect];
    if (beast::iequals(expect, "100-continue") && !body_parser_->is_done()) return SendContinue();
    ReadBody();
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
    request_.path_params = std::move(match_.path_params);
    request_.route = std::string(match_.label);
    request_.client_address = exchange_.client;
    request_.request_id = exchange_.request_id;
    request_.client_request_id = exchange_.client_request_id;
    if (upgrade_request_) return DispatchUpgrade();
    if (match_.route->options.execution == Execution::kIoThread) {
      return Respond(RunHandler(), AfterResponse::kKeepAliveIfAllowed);
    }
    if (core_->queued_handlers.fetch_add(1) >= core_->options.max_queued_requests) {
      core_->queued_handlers.fetch_sub(1);
      Response busy = Problem(Error::Unavailable("The server is busy; retry shortly."));
      busy.set(bhttp::field::retry_after, "1");
      return Respond(std::move(busy), AfterResponse::kKeepAliveIfAllowed);
    }
    // The worker touches only request_ and match_, which nothing on the strand touches until
    // the response is posted back.
    asio::post(core_->worker_executor, [self = shared_from_this()] {
      self->core_->queued_handlers.fetch_sub(1);
      Response response = self->RunHandler();
      asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->Respond(std::move(response), AfterResponse::kKeepAliveIfAllowed);
      });
    });
  }

  // The route's upgrade handler decides on a worker (it may ask the database who is calling);
  // an accepted upgrade hands the socket to a WebSocketSession and this session ends.
  void DispatchUpgrade() {
    asio::post(core_->worker_executor, [self = shared_from_this()] {
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
        auto upgraded = std::make_shared<WebSocketSession>(std::move(self->stream_), self->core_,
                                                           self->slot_, std::move(*channel));
        upgraded->Start(request);
      });
    });
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
    CompleteHeaders(*response_);
    stream_.expires_after(core_->options.write_timeout);
    bhttp::async_write(stream_, *response_,
                       [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                         self->OnWrite(ec, bytes);
                       });
  }

  void CompleteHeaders(Response& response) {
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
    auto status = response.result();
    bool status_has_no_body =
        bhttp::to_status_class(status) == bhttp::status_class::informational ||
        status == HttpStatus::no_content || status == HttpStatus::not_modified;
    if (status_has_no_body) {
      response.body().clear();
      response.erase(bhttp::field::content_length);
      response.erase(bhttp::field::transfer_encoding);
    } else {
      response.prepare_payload();
    }
    // HEAD gets the GET answer's headers, Content-Length included, without its body.
    if (exchange_.head) response.body().clear();
  }

  void OnWrite(beast::error_code ec, std::size_t bytes) {
    unsigned status = response_->result_int();
    response_.reset();
    request_ = Request{};
    match_ = RouteMatch{};
    RecordExchange(status, bytes);
    if (ec) return Close();
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
  std::shared_ptr<Core> core_;
  beast::flat_buffer buffer_;
  std::string client_address_;
  Phase phase_ = Phase::kWaiting;
  bool first_request_ = true;
  bool keep_alive_ = false;
  bool linger_ = false;
  std::size_t lingered_bytes_ = 0;
  std::optional<bhttp::request_parser<bhttp::empty_body>> header_parser_;
  std::optional<bhttp::request_parser<bhttp::string_body>> body_parser_;
  std::optional<bhttp::request<bhttp::empty_body>> upgrade_request_;
  bhttp::response<bhttp::empty_body> continue_response_;
  Exchange exchange_;
  Request request_;
  RouteMatch match_;
  std::optional<Response> response_;
  std::shared_ptr<ConnectionSlot> slot_;
  // phase_ == kWaiting with nothing of the next request read, for other threads (Core::Admit).
  std::atomic<bool> idle_{false};
};

std::string Describe(const tcp::endpoint& endpoint) {
  const auto& address = endpoint.address();
  return address.is_v6() ? fmt::format("[{}]:{}", address.to_string(), endpoint.port())
                         : fmt::format("{}:{}", address.to_string(), endpoint.port());
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, Router router)
      : io_context_(static_cast<int>(std::max<std::size_t>(options.io_threads, 1))),
        io_guard_(asio::make_work_guard(io_context_)),
        acceptor_(asio::make_strand(io_context_)),
        accept_retry_timer_(acceptor_.get_executor()),
        worker_guard_(asio::make_work_guard(worker_context_)) {
    options.io_threads = std::max<std::size_t>(options.io_threads, 1);
    options.worker_threads = std::max<std::size_t>(options.worker_threads, 1);
    core_ = std::make_shared<Core>(std::move(options), std::move(router),
                                   worker_context_.get_executor());
  }

  ~Impl() { Stop(); }

  Status Start() {
    std::lock_guard lock(stop_mutex_);
    if (started_ || stop_requested_) {
      return Fail(Error::FailedPrecondition("the HTTP server was already started"));
    }
    InitCrypto();
    const ServerOptions& options = core_->options;
    beast::error_code ec;
    auto address = asio::ip::make_address(options.host, ec);
    if (ec) {
      return Fail(Error::InvalidArgument(
          fmt::format("cannot listen on \"{}\": the host must be an IP address", options.host)));
    }
    tcp::endpoint endpoint(address, options.port);
    auto failed = [&](std::string_view step) {
      beast::error_code ignored;
      acceptor_.close(ignored);
      return Fail(Error::Unavailable(fmt::format("cannot listen on {}: {} failed: {}",
                                                 Describe(endpoint), step, ec.message())));
    };
    if (acceptor_.open(endpoint.protocol(), ec); ec) return failed("socket");
    if (acceptor_.set_option(asio::socket_base::reuse_address(true), ec); ec) {
      return failed("setsockopt(SO_REUSEADDR)");
    }
    if (acceptor_.bind(endpoint, ec); ec) return failed("bind");
    if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec) {
      return failed("listen");
    }
    port_ = acceptor_.local_endpoint().port();
    if (options.export_connection_metrics) ExportConnectionMetrics();

    if (options.handle_signals) {
      signals_.emplace(acceptor_.get_executor(), SIGINT, SIGTERM);
      signals_->async_wait([this](beast::error_code error, int signal) {
        if (error) return;
        spdlog::info("received signal {}; shutting down", signal);
        RequestStop();
      });
    }
    asio::post(acceptor_.get_executor(), [this] { Accept(); });
    for (std::size_t i = 0; i < options.worker_threads; ++i) {
      worker_threads_.emplace_back([this, i] {
        NameThisThread(fmt::format("http-worker-{}", i));
        worker_context_.run();
      });
    }
    for (std::size_t i = 0; i < options.io_threads; ++i) {
      io_threads_.emplace_back([this, i] {
        NameThisThread(fmt::format("http-io-{}", i));
        io_context_.run();
      });
    }
    started_ = true;
    spdlog::info("HTTP server listening on {}", Describe(tcp::endpoint(address, port_)));
    return Ok();
  }

  std::uint16_t port() const { return port_; }

  void Wait() {
    {
      std::unique_lock lock(stop_mutex_);
      if (!started_) return;
      stop_requested_changed_.wait(lock, [this] { return stop_requested_; });
    }
    Shutdown();
  }

  void Stop() {
    RequestStop();
    Shutdown();
  }

 private:
  void Accept() {
    acceptor_.async_accept(
        asio::make_strand(io_context_),
        [this](beast::error_code ec, tcp::socket socket) { OnAccept(ec, std::move(socket)); });
  }

  void OnAccept(beast::error_code ec, tcp::socket socket) {
    if (!acceptor_.is_open()) return;
    if (ec) {
      // Typically out of file descriptors: retry after a pause rather than spin.
      spdlog::warn("accepting a connection failed: {}", ec.message());
      accept_retry_timer_.expires_after(kAcceptRetryDelay);
      accept_retry_timer_.async_wait([this](beast::error_code error) {
        if (!error) Accept();
      });
      return;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    const auto peer = socket.remote_endpoint(ignored);
    // A trusted proxy carries many clients' connections: they count only toward the total.
    const bool proxy =
        std::any_of(core_->options.trusted_proxies.begin(), core_->options.trusted_proxies.end(),
                    [&](const IpNetwork& network) { return network.Contains(peer.address()); });
    std::string address = ignored || proxy ? std::string() : peer.address().to_string();
    const Admission admission = core_->Admit(address);
    if (admission == Admission::kAdmitted) {
      auto slot = std::make_shared<ConnectionSlot>(core_, std::move(address));
      std::make_shared<Session>(std::move(socket), core_, std::move(slot))->Start();
    } else {
      core_->connections_refused.fetch_add(1, std::memory_order_relaxed);
      Refuse(std::move(socket), admission);
    }
    Accept();
  }

  // The connection figures, on every rendering of the server's Metrics.
  void ExportConnectionMetrics() {
    core_->metrics->AddCollector([weak = std::weak_ptr<Core>(core_)](std::string& out) {
      const auto core = weak.lock();
      if (!core) return;
      std::size_t open = 0;
      {
        std::lock_guard lock(core->sessions_mutex);
        open = core->open_connections;
      }
      fmt::format_to(
          std::back_inserter(out),
          "# HELP clinic_http_connections_open Connections admitted and not yet closed.\n"
          "# TYPE clinic_http_connections_open gauge\n"
          "clinic_http_connections_open {}\n"
          "# HELP clinic_http_connections_refused_total Connections answered 503 at a cap.\n"
          "# TYPE clinic_http_connections_refused_total counter\n"
          "clinic_http_connections_refused_total {}\n"
          "# HELP clinic_http_connections_shed_total Idle connections closed to make room.\n"
          "# TYPE clinic_http_connections_shed_total counter\n"
          "clinic_http_connections_shed_total {}\n",
          open, core->connections_refused.load(std::memory_order_relaxed),
          core->connections_shed.load(std::memory_order_relaxed));
    });
  }

  // Answers a connection over a cap with a fixed 503 and closes it, reading nothing from it.
  static void Refuse(tcp::socket socket, Admission admission) {
    const std::string detail = admission == Admission::kAddressFull
                                   ? "Too many connections from this address; retry shortly."
                                   : "The server has too many connections; retry shortly.";
    const std::string body = boost::json::serialize(
        ProblemDocument(HttpStatus::service_unavailable, "too-many-connections", detail));
    auto text = std::make_shared<std::string>(
        fmt::format("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\n"
                    "Retry-After: 1\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{}",
                    body.size(), body));
    auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
    stream->expires_after(std::chrono::seconds(5));
    asio::async_write(*stream, asio::buffer(*text), [stream, text](beast::error_code, std::size_t) {
      beast::error_code ignored;
      stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream->close();
    });
  }

  void RequestStop() {
    {
      std::lock_guard lock(stop_mutex_);
      if (stop_requested_) return;
      stop_requested_ = true;
      if (!started_) {
        stop_requested_changed_.notify_all();
        return;
      }
    }
    stop_requested_changed_.notify_all();
    core_->stopping = true;
    asio::post(acceptor_.get_executor(), [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      accept_retry_timer_.cancel();
      // A second SIGINT/SIGTERM during the graceful shutdown now ends the process at once.
      if (signals_) signals_->clear(ignored);
    });
    std::vector<std::shared_ptr<Connection>> sessions;
    {
      std::lock_guard lock(core_->sessions_mutex);
      for (const auto& [key, session] : core_->sessions) {
        if (auto alive = session.lock()) sessions.push_back(std::move(alive));
      }
    }
    for (const auto& session : sessions) session->OnServerStopping();
  }

  void Shutdown() {
    std::call_once(shutdown_once_, [this] {
      RequestStop();
      {
        std::lock_guard lock(stop_mutex_);
        if (!started_) return;
      }
      auto deadline = SteadyClock::now() + core_->options.shutdown_timeout;
      bool drained = false;
      {
        std::unique_lock lock(core_->sessions_mutex);
        drained = core_->sessions_changed.wait_until(lock, deadline,
                                                     [this] { return core_->sessions.empty(); });
        if (!drained) {
          spdlog::warn("{} connection(s) still busy after the shutdown timeout; stopping anyway",
                       core_->sessions.size());
        }
      }
      io_guard_.reset();
      io_context_.stop();
      for (auto& thread : io_threads_) thread.join();
      worker_guard_.reset();
      // Handlers still queued would answer connections that are gone; running ones finish.
      if (!drained) worker_context_.stop();
      for (auto& thread : worker_threads_) thread.join();
      spdlog::info("HTTP server stopped");
    });
  }

  // Declaration order is teardown order reversed: the worker context goes before the I/O context,
  // because handlers still queued on it hold connections whose sockets belong to the I/O context.
  std::shared_ptr<Core> core_;
  asio::io_context io_context_;
  asio::executor_work_guard<asio::io_context::executor_type> io_guard_;
  tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_timer_;
  std::optional<asio::signal_set> signals_;
  asio::io_context worker_context_;
  asio::executor_work_guard<asio::io_context::executor_type> worker_guard_;
  std::vector<std::thread> io_threads_;
  std::vector<std::thread> worker_threads_;
  std::atomic<std::uint16_t> port_{0};

  std::mutex stop_mutex_;
  std::condition_variable stop_requested_changed_;
  bool started_ = false;
  bool stop_requested_ = false;
  std::once_flag shutdown_once_;
};

Server::Server(ServerOptions options, Router router)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router))) {}

Server::~Server() = default;

Status Server::Start() { return impl_->Start(); }

std::uint16_t Server::port() const { return impl_->port(); }

void Server::Wait() { impl_->Wait(); }

void Server::Stop() { impl_->Stop(); }

}  // namespace clinic::http
