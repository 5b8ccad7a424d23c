#include "clinic/http/response.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <utility>

namespace clinic::http {

void Response::StreamBody(std::uint64_t length, std::unique_ptr<ByteReader> reader) {
  body().clear();
  streamed_length_ = length;
  body_reader_ = std::move(reader);
}

Response Json(HttpStatus status, const boost::json::value& body) {
  return Text(status, boost::json::serialize(body), kJsonContentType);
}

Response CreatedJson(const boost::json::value& body, bool replayed, HttpStatus status) {
  auto response = Json(status, body);
  if (replayed) response.set("Idempotent-Replayed", "true");
  return response;
}

Response Text(HttpStatus status, std::string body, std::string_view content_type) {
  Response response{status, 11};
  response.set(boost::beast::http::field::content_type, content_type);
  response.body() = std::move(body);
  return response;
}

Response Streamed(HttpStatus status, std::uint64_t length, std::unique_ptr<ByteReader> reader,
                  std::string_view content_type) {
  Response response{status, 11};
  response.set(boost::beast::http::field::content_type, content_type);
  response.StreamBody(length, std::move(reader));
  return response;
}

Response Empty(HttpStatus status) { return Response{status, 11}; }

}  // namespace clinic::http
