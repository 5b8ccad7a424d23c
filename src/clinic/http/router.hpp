#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clinic/common/result.hpp"
#include "clinic/http/request.hpp"
#include "clinic/http/response.hpp"

namespace clinic::http {

// A handler answers one request. An error result becomes a problem+json answer (problem.hpp), so
// handlers stay "parse → call a service → serialize" with CLINIC_ASSIGN_OR_RETURN. Handlers run
// concurrently and must be thread-safe. An exception escaping a handler is answered with 500 and
// logged as a bug.
using Handler = std::function<Result<Response>(Request& request)>;

// Where a handler runs. The worker pool is the default because handlers make blocking database
// calls; only handlers that never block (metrics, embedded documents) may run on an I/O thread,
// which saves two thread hops. Handlers that spend tens of milliseconds of CPU each (password
// hashing) run on a pool of their own, so a flood of them never holds the request workers that
// every other route needs; when that pool's queue is full they are answered 429 at once.
enum class Execution { kWorkerPool, kIoThread, kCpuWorkerPool };

// The server's side of an open WebSocket connection, handed to its WebSocketChannel.
// Thread-safe; frames go out in the order Send was called.
class WebSocketPeer {
 public:
  virtual ~WebSocketPeer() = default;
  // Queues a text frame. A client that falls kMaxQueuedFrames behind is disconnected (close code
  // 1008), so one slow reader never holds memory for everybody's events.
  virtual void Send(std::shared_ptr<const std::string> text) = 0;
  // Ends the connection with close code 1008 (policy violation): what it was opened with, such as
  // its session, is no longer valid. Frames queued before it may still go out.
  virtual void Close() = 0;
  static constexpr std::size_t kMaxQueuedFrames = 256;
};

// What an upgraded connection is about. The server owns it for the connection's life: it is
// destroyed once the connection closes, so its destructor is where it unsubscribes. Frames the
// client sends are read and dropped (pings are answered).
class WebSocketChannel {
 public:
  virtual ~WebSocketChannel() = default;
  // The handshake is done; `peer` may be kept (weakly: it owns this channel) and sent to.
  virtual void Opened(const std::shared_ptr<WebSocketPeer>& peer) = 0;
};

// Decides, on a worker thread, whether a WebSocket upgrade request may connect (authentication,
// Origin); an error is answered as problem+json without upgrading.
using UpgradeHandler = std::function<Result<std::shared_ptr<WebSocketChannel>>(Request& request)>;

// Decides, on a worker thread, from the request's line and header alone (its body is empty),
// whether the body may be read at all; an error is the answer and the body is never read. For
// routes that accept large bodies, so that a caller who may not call them (no session, a forged
// one) cannot make the server buffer megabytes first.
using BodyAdmission = std::function<Status(const Request& request)>;

struct RouteOptions {
  // Largest body accepted, in bytes; the server's default when not set.
  std::optional<std::size_t> max_body_bytes{};
  Execution execution = Execution::kWorkerPool;
  // Set on a GET route that accepts WebSocket upgrades: upgrade requests go here, plain requests
  // to the route's handler (which typically answers 426 Upgrade Required).
  UpgradeHandler websocket{};
  // Checked before the body is read, when set (the handler still makes its own checks).
  BodyAdmission admit{};
};

struct Route {
  Method method = Method::get;
  std::string pattern{};                   // "/api/v1/doctors/{id}/slots"
  std::vector<std::string> param_names{};  // {"id"}: the {name} segments in order
  Handler handler{};
  RouteOptions options{};
};

// Label of requests that matched no route, so metrics never get one series per probed path.
inline constexpr std::string_view kUnmatchedRouteLabel = "unmatched";

// The router's answer for one method and path.
struct RouteMatch {
  // The route to run, or null when the request is rejected with `rejection`.
  const Route* route = nullptr;
  // Decoded values of the route's {name} segments.
  std::vector<std::pair<std::string, std::string>> path_params{};
  // The route's pattern, the fallback's label, or kUnmatchedRouteLabel: a bounded set of values,
  // for logs and metrics. Points into the router.
  std::string_view label = kUnmatchedRouteLabel;
  // 404 when the path is unknown, 405 when it is known but not for this method.
  HttpStatus rejection = HttpStatus::not_found;
  // For a 405: the methods the path accepts, as an Allow header value ("GET, HEAD, POST").
  std::string allow{};
};

// The problem answer for a rejected match: 404, or 405 with its Allow header.
Response RejectionResponse(const RouteMatch& match);

// Maps method + path to a handler. Patterns are '/'-separated segments, each literal or {name}
// (a whole segment); a literal segment wins over {name} at the same position, and when the
// literal branch has no route for the method the {name} branch is still tried. HEAD is served by
// the GET route unless a HEAD route exists; the server then drops the body.
//
// The fallback (the web UI's static files) gets GET and HEAD requests that match no route,
// except paths under /api, which stay JSON-only: an unknown /api path is a 404 problem.
//
// Build the router once at start-up, then share it read-only: Match is thread-safe; Add is not.
// Registering an invalid pattern or the same method and pattern twice is a programming error
// and throws std::invalid_argument.
class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  void Add(Method method, std::string_view pattern, Handler handler, RouteOptions options = {});

  // Handles unmatched GET/HEAD outside /api; `label` names it in logs and metrics ("static").
  // Other methods on such paths answer 405 with Allow: GET, HEAD.
  void SetFallback(std::string label, Handler handler, RouteOptions options = {});

  RouteMatch Match(Method method, const std::vector<std::string>& segments) const;

  // Every route added (not the fallback): its method and pattern, sorted by pattern.
  std::vector<std::pair<Method, std::string>> Routes() const;

 private:
  struct Node;
  std::unique_ptr<Node> root_;
  std::unique_ptr<Route> fallback_;
};

}  // namespace clinic::http
