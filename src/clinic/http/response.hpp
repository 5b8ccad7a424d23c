#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/fwd.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "clinic/common/byte_reader.hpp"

namespace clinic::http {

using HttpStatus = boost::beast::http::status;

// What a handler answers. The server completes it before writing: version, keep-alive,
// Content-Length, X-Request-Id, Server, Date, security headers and, unless the handler set one,
// Cache-Control: no-store.
//
// Its body is the message's string, or, for content too large to hold in memory (a download), a
// ByteReader (StreamBody): the server then reads it a chunk at a time on a worker thread, writes
// each chunk before it reads the next, and so holds one chunk per response whatever the size.
class Response : public boost::beast::http::response<boost::beast::http::string_body> {
 public:
  using Message = boost::beast::http::response<boost::beast::http::string_body>;
  using Message::Message;

  // Sends `length` bytes read from `reader` as the body, announced as the Content-Length. A
  // reader that fails or ends early cuts the body short and closes the connection (the client
  // sees fewer bytes than announced); one that has more is read no further.
  void StreamBody(std::uint64_t length, std::unique_ptr<ByteReader> reader);

  // The streamed body's reader, handed to whoever writes the response; null when the body is
  // the string.
  std::unique_ptr<ByteReader> TakeBodyReader() { return std::move(body_reader_); }
  std::uint64_t streamed_length() const { return streamed_length_; }

 private:
  std::unique_ptr<ByteReader> body_reader_;
  std::uint64_t streamed_length_ = 0;
};

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

// `length` bytes read from `reader` as they are written, with the given Content-Type.
Response Streamed(HttpStatus status, std::uint64_t length, std::unique_ptr<ByteReader> reader,
                  std::string_view content_type);

// A response without a body, e.g. 204 No Content.
Response Empty(HttpStatus status);

}  // namespace clinic::http
