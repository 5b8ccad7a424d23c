#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "clinic/common/result.hpp"
#include "clinic/domain/ids.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/http/query_params.hpp"
#include "clinic/http/request.hpp"
#include "clinic/http/response.hpp"
#include "clinic/http/router.hpp"
#include "clinic/service/auth_service.hpp"

namespace clinic::http {

// Who may call a route. What each role may do with a record is not decided here: that is
// domain/policy.hpp's, applied by the services (which clinicctl calls too); a route only says
// whether a caller must be logged in.
enum class Access {
  // No session is looked at; the caller is anonymous (registration, login).
  kAnonymous,
  // Anyone: anonymous without a session token, the account with a live one, 401 for a token that
  // is no longer valid (a client learns it was logged out rather than silently seeing less).
  kOptionalLogin,
  // A live session (401 otherwise). A request that changes state and is authenticated by the
  // session cookie must come from this site's own pages (403 otherwise).
  kLogin,
};

// A route's declaration: everything the table checks before the handler runs.
// Its texts are string literals (the views are kept for the server's life).
struct RouteSpec {
  Method method = Method::get;
  // "/api/v1/doctors/{id}/slots". A `{id}` segment is a record id: the table reads it as a
  // positive 64-bit integer (400 otherwise) into Call::id. Other `{name}` segments are text,
  // read with Request::PathParam.
  std::string_view path;
  Access access = Access::kLogin;
  // The query parameters the route accepts; any other is refused with 400 naming it.
  std::vector<std::string_view> query{};
  // Largest body accepted, in bytes; the server's default when not set. A login route that sets
  // it (an upload) also has its caller resolved before the body is read: no session, a forged or
  // ended one is answered without reading a byte of the body.
  std::optional<std::size_t> max_body_bytes{};
  // The handler may hash or check a password (argon2id: tens of milliseconds of a core and
  // 19 MiB each). It runs on the server's CPU pool, so a flood of logins never holds the request
  // workers every other route needs, and is answered 429 at once when that pool's queue is full.
  bool hashes_passwords = false;
  // Fields of the JSON body that the Idempotency-Key's fingerprint leaves out: the passwords of a
  // create, which must not be kept under a fast hash. The route's service checks a retry's
  // password against the account the first request made instead (CreateAccountOnce).
  std::vector<std::string_view> fingerprint_leaves_out{};
};

// A request as a route's handler receives it: the caller resolved by the route's access, its
// `{id}` read, its query holding only declared parameters. The handler reads the query's values
// with `query` (which reports bad values at Finish) and the body itself, calls a service and
// serializes the answer.
struct Call {
  Request& request;
  domain::RequestContext context;
  // The route's `{id}` segment; 0 when its pattern has none.
  Id id = 0;
  QueryFields query;
};

using CallHandler = std::function<Result<Response>(Call& call)>;
using ChannelHandler = std::function<Result<std::shared_ptr<WebSocketChannel>>(Call& call)>;

// The API's routes, each added with its declaration. Resolves the caller once per request (the
// one place a session token is looked up for a route), checks the path id and the query's names,
// and only then runs the handler, so a handler starts with a caller it may serve and never
// repeats those checks. Build at start-up (Add is not thread-safe); the routes it adds to the
// router run concurrently.
class RouteTable {
 public:
  RouteTable(Router& router, service::AuthService& auth);

  void Add(RouteSpec spec, CallHandler handler);

  // A WebSocket endpoint: an upgrade request with the access of `spec` gets the channel `open`
  // makes; a plain request answers 426 Upgrade Required.
  void AddWebSocket(RouteSpec spec, ChannelHandler open);

  // The routes added so far, in order: for the contract test against api/openapi.yaml.
  const std::vector<RouteSpec>& specs() const { return specs_; }

 private:
  Router& router_;
  service::AuthService& auth_;
  std::vector<RouteSpec> specs_;
};

}  // namespace clinic::http
