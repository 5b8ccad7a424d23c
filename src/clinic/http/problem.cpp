#include "clinic/http/problem.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <optional>
#include <string>

#include "clinic/common/utf8.hpp"

namespace clinic::http {
namespace {

constexpr std::string_view kInternalDetail =
    "The server failed to complete the request. The X-Request-Id header identifies it in the "
    "server's log.";

std::string Readable(std::string_view text) { return SanitizeUtf8(text, text.size() * 3); }

// A body of thousands of bad fields gets a short answer: the first ones and how many more.
constexpr std::size_t kMaxListedErrors = 50;

// A dependency that cannot be reached (the database) is worth trying again a second later unless
// the error says otherwise: each request tries to reconnect, so a client that waits that long sees
// the dependency's return that soon.
constexpr int kUnavailableRetryAfterSeconds = 1;

boost::json::object Document(HttpStatus status, std::string_view type_name, std::string_view detail,
                             const std::vector<FieldError>& fields) {
  boost::json::array errors;
  const std::size_t listed = std::min(fields.size(), kMaxListedErrors);
  // Field names and details may quote what the client sent (an unknown parameter's name, a
  // path): the answer is valid UTF-8 whatever that was.
  for (std::size_t i = 0; i < listed; ++i) {
    errors.push_back(boost::json::object{{"field", Readable(fields[i].field)},
                                         {"message", Readable(fields[i].message)}});
  }
  boost::json::object document{
      {"type", std::string(kProblemTypePrefix) + std::string(type_name)},
      {"title", boost::beast::http::obsolete_reason(status)},
      {"status", static_cast<unsigned>(status)},
      {"detail", Readable(detail)},
      {"errors", std::move(errors)},
  };
  if (fields.size() > listed) document["errors_omitted"] = fields.size() - listed;
  return document;
}

}  // namespace

HttpStatus HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return HttpStatus::bad_request;
    case ErrorCode::kUnauthenticated:
      return HttpStatus::unauthorized;
    case ErrorCode::kPermissionDenied:
      return HttpStatus::forbidden;
    case ErrorCode::kNotFound:
      return HttpStatus::not_found;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kFailedPrecondition:
    case ErrorCode::kAborted:
      return HttpStatus::conflict;
    case ErrorCode::kPayloadTooLarge:
      return HttpStatus::payload_too_large;
    case ErrorCode::kUnsupportedMediaType:
      return HttpStatus::unsupported_media_type;
    case ErrorCode::kResourceExhausted:
      return HttpStatus::too_many_requests;
    case ErrorCode::kUnavailable:
      return HttpStatus::service_unavailable;
    case ErrorCode::kInternal:
      return HttpStatus::internal_server_error;
  }
  return HttpStatus::internal_server_error;
}

boost::json::object ProblemDocument(const Error& error) {
  HttpStatus status = HttpStatusFor(error.code);
  if (error.code == ErrorCode::kInternal) {
    return Document(status, ErrorCodeName(error.code), kInternalDetail, {});
  }
  return Document(status, ErrorCodeName(error.code), error.message, error.fields);
}

boost::json::object ProblemDocument(HttpStatus status, std::string_view type_name,
                                    std::string_view detail) {
  return Document(status, type_name, detail, {});
}

Response Problem(HttpStatus status, const boost::json::object& document) {
  Response response = Text(status, boost::json::serialize(document), kProblemContentType);
  if (status == HttpStatus::unauthorized) {
    response.set(boost::beast::http::field::www_authenticate, "Bearer");
  }
  return response;
}

Response Problem(const Error& error) {
  Response response = Problem(HttpStatusFor(error.code), ProblemDocument(error));
  std::optional<int> retry_after = error.retry_after_seconds;
  if (!retry_after && error.code == ErrorCode::kUnavailable) {
    retry_after = kUnavailableRetryAfterSeconds;
  }
  if (retry_after) {
    response.set(boost::beast::http::field::retry_after, std::to_string(std::max(1, *retry_after)));
  }
  return response;
}

}  // namespace clinic::http
