#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>

namespace clinic::http {

using HttpStatus = boost::beast::http::status;

// What a handler answers. The server completes it before writing: version, keep-alive,
// Content-Length, X-Request-Id, Server, Date, security headers and, unless the handler set one,
// Cache-Control: no-store.
using Response = boost::beast::http::response<boost::beast::http::string_body>;

inline constexpr std::string_view kJsonContentType = "application/json";

// `body` serialized as application/json.
Response Json(HttpStatus status, const boost::json::value& body);

// What a create answers: `status` (201 Created unless said otherwise) with `body`, marked
// `Idempotent-Replayed: true` when an earlier request with the same Idempotency-Key made it.
Response CreatedJson(const boost::json::value& body, bool replayed,
                     HttpStatus status = HttpStatus::created);

// `body` as is, with the given Content-Type.
Response Text(HttpStatus status, std::string body,
              std::string_view content_type = "text/plain; charset=utf-8");

// A response without a body, e.g. 204 No Content.
Response Empty(HttpStatus status);

}  // namespace clinic::http
