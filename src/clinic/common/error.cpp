#include "clinic/common/error.hpp"

#include <utility>

namespace clinic {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid-argument";
    case ErrorCode::kUnauthenticated:
      return "unauthenticated";
    case ErrorCode::kPermissionDenied:
      return "permission-denied";
    case ErrorCode::kNotFound:
      return "not-found";
    case ErrorCode::kAlreadyExists:
      return "already-exists";
    case ErrorCode::kFailedPrecondition:
      return "failed-precondition";
    case ErrorCode::kAborted:
      return "aborted";
    case ErrorCode::kPayloadTooLarge:
      return "payload-too-large";
    case ErrorCode::kUnsupportedMediaType:
      return "unsupported-media-type";
    case ErrorCode::kResourceExhausted:
      return "resource-exhausted";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

Error Error::InvalidArgument(std::string message, std::vector<FieldError> fields) {
  return {ErrorCode::kInvalidArgument, std::move(message), std::move(fields)};
}
Error Error::InvalidField(std::string field, std::string message) {
  std::string summary = field + ": " + message;
  return {
      ErrorCode::kInvalidArgument, std::move(summary), {{std::move(field), std::move(message)}}};
}
Error Error::Unauthenticated(std::string message) {
  return {ErrorCode::kUnauthenticated, std::move(message), {}};
}
Error Error::PermissionDenied(std::string message) {
  return {ErrorCode::kPermissionDenied, std::move(message), {}};
}
Error Error::NotFound(std::string message) {
  return {ErrorCode::kNotFound, std::move(message), {}};
}
Error Error::AlreadyExists(std::string message) {
  return {ErrorCode::kAlreadyExists, std::move(message), {}};
}
Error Error::FailedPrecondition(std::string message) {
  return {ErrorCode::kFailedPrecondition, std::move(message), {}};
}
Error Error::Aborted(std::string message) { return {ErrorCode::kAborted, std::move(message), {}}; }
Error Error::ResourceExhausted(std::string message, int retry_after_seconds) {
  return {ErrorCode::kResourceExhausted, std::move(message), {}, retry_after_seconds};
}
Error Error::Unavailable(std::string message) {
  return {ErrorCode::kUnavailable, std::move(message), {}};
}
Error Error::Internal(std::string message) {
  return {ErrorCode::kInternal, std::move(message), {}};
}

}  // namespace clinic
