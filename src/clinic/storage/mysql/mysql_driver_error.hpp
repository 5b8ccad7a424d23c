#pragma once

#include <mysql.h>

#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "clinic/common/error.hpp"

namespace clinic::storage::mysql {

// A failure as the driver reported it. `detail` is the server's text, which can quote user data
// (the duplicate value) or schema names, so it is logged and never handed to callers.
struct DriverError {
  unsigned code = 0;
  std::string sqlstate;
  std::string detail;
  // The server ended the open transaction without an error for it (see CheckStillInTransaction).
  bool transaction_lost = false;
};

// What a driver call answers: its value, or the failure as the driver reported it.
template <typename T>
using DriverResult = tl::expected<T, DriverError>;

// The failure the last call on `handle` reported.
tl::unexpected<DriverError> DriverFailure(MYSQL* handle);
// The failure the last call on `statement` reported.
tl::unexpected<DriverError> DriverFailure(MYSQL_STMT* statement);
// A failure this client detected itself (SQLSTATE HY000).
tl::unexpected<DriverError> ClientFailure(std::string detail);
// The server ended the open transaction without an error for it (SQLSTATE 40001).
tl::unexpected<DriverError> TransactionLost();

// What a retried transaction lost to, as counted in clinic_db_retries_total{reason}.
std::string_view AbortReason(const DriverError& error);

// The connection died under a command: the server may have run it, so only reads and commands
// that never reached the server may be retried on a new connection.
bool IsConnectionLost(unsigned error_code);

// The caller's Error for a driver failure: duplicate key → kAlreadyExists; foreign key, CHECK,
// NOT NULL and too-long values → kFailedPrecondition; deadlock, lock wait timeout and a lost
// transaction → kAborted; an unreachable or lost server → kUnavailable; the rest kInternal.
// Never quotes the server's text.
Error ToError(const DriverError& error);

}  // namespace clinic::storage::mysql
