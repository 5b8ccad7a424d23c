#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clinic {

// Canonical error codes, modelled on absl::StatusCode. Every layer speaks these; only the HTTP
// layer turns them into statuses (one table, http/problem.cpp) and only adapters create them from
// driver errors.
enum class ErrorCode {
  kInvalidArgument,     // the caller's input is malformed or breaks a rule of shape
  kUnauthenticated,     // no valid session
  kPermissionDenied,    // logged in, but the role may not do this
  kNotFound,            // absent, or present but not visible to the caller
  kAlreadyExists,       // a unique key is taken (email, slot, transaction_ref)
  kFailedPrecondition,  // the state does not allow it (FK/CHECK, status machine, overlap)
  kAborted,             // a concurrent change won (deadlock, stale version); safe to retry
  kPayloadTooLarge,     // the body is over the limit
  kUnsupportedMediaType,
  kResourceExhausted,  // throttled
  kUnavailable,        // a dependency (database) cannot be reached right now
  kInternal,           // a bug or an unexpected driver answer
};

std::string_view ErrorCodeName(ErrorCode code);

// One invalid input field: `field` is the JSON path the caller sent ("email", "weekly[2].start").
struct FieldError {
  std::string field;
  std::string message;
};

// An error as a value. `message` is safe to show to the caller; driver details never go in it
// (adapters log them instead). `fields` lists per-field problems for kInvalidArgument.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::vector<FieldError> fields;
  // For kResourceExhausted / kUnavailable: when trying again makes sense (HTTP Retry-After).
  std::optional<int> retry_after_seconds;

  static Error InvalidArgument(std::string message, std::vector<FieldError> fields = {});
  static Error InvalidField(std::string field, std::string message);
  static Error Unauthenticated(std::string message);
  static Error PermissionDenied(std::string message);
  static Error NotFound(std::string message);
  static Error AlreadyExists(std::string message);
  static Error FailedPrecondition(std::string message);
  static Error Aborted(std::string message);
  static Error ResourceExhausted(std::string message, int retry_after_seconds);
  static Error Unavailable(std::string message);
  static Error Internal(std::string message);
};

}  // namespace clinic
