#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clinic/common/result.hpp"

namespace clinic::http {

using Method = boost::beast::http::verb;

// One HTTP request as a handler sees it: the target split and percent-decoded, the body complete
// (already checked against the route's size limit), plus what the server and the router learned
// about it. The handler owns it for the duration of the call and may move parts out of it.
struct Request {
  Method method = Method::get;
  // The path as the client sent it, still percent-encoded, without the query string. Safe to log.
  std::string path;
  // The path's segments, percent-decoded: "/api/v1/doctors/7" → {"api", "v1", "doctors", "7"}.
  // "/" has no segments; a trailing slash gives a trailing empty segment.
  std::vector<std::string> segments;
  // Query parameters in the order sent, percent-decoded with '+' read as a space. A repeated name
  // appears once per occurrence.
  std::vector<std::pair<std::string, std::string>> query;
  boost::beast::http::fields headers;
  std::string body;
  // The decoded values of the matched route's {name} segments, in pattern order.
  std::vector<std::pair<std::string, std::string>> path_params;
  // The matched route pattern, e.g. "/api/v1/doctors/{id}": a bounded label for logs and metrics.
  std::string route;
  // The peer's IP address, e.g. "127.0.0.1" or "::1".
  std::string client_address;
  // The server's own id of the request, unique: answered as X-Request-Id, the key of the log and
  // the audit trail.
  std::string request_id;
  // The client's X-Request-Id when it sent a short safe token (else empty): logged and audited
  // beside the server's, for correlation only, since any client can send any id.
  std::string client_request_id;

  // Builds a request from a method and an origin-form target ("/path?x=1"), decoding the path
  // segments and the query. InvalidArgument when the target is not a valid origin-form URI.
  static Result<Request> FromTarget(Method method, std::string_view target);

  // The first value of query parameter `name`, if the query has it.
  std::optional<std::string_view> QueryParam(std::string_view name) const;

  // The value of the route's {name} segment; "" when the route has no such segment.
  std::string_view PathParam(std::string_view name) const;

  // The route's {name} segment read as a positive 64-bit id. InvalidArgument naming the parameter
  // otherwise, so "/doctors/abc" answers 400 with a clear reason.
  Result<std::int64_t> PathId(std::string_view name) const;
};

}  // namespace clinic::http
