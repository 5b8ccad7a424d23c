#include "clinic/storage/mysql/mysql_driver_error.hpp"

#include <utility>

namespace clinic::storage::mysql {
namespace {

// Server and client error numbers this driver reacts to. Spelled out here rather than taken from
// mysqld_error.h because the MySQL-8-only numbers (3819, 4031) are missing from MariaDB's headers.
namespace code {
// A Galera node outside the cluster's primary component ("WSREP has not yet prepared node for
// application use"; the number is ER_UNKNOWN_COM_ERROR's).
constexpr unsigned kNodeNotReady = 1047;
constexpr unsigned kBadNull = 1048;
constexpr unsigned kServerShutdown = 1053;
constexpr unsigned kDuplicateEntry = 1062;
constexpr unsigned kLockWaitTimeout = 1205;
constexpr unsigned kDeadlock = 1213;
constexpr unsigned kNoReferencedRowOld = 1216;
constexpr unsigned kRowIsReferencedOld = 1217;
constexpr unsigned kDataTruncated = 1265;
constexpr unsigned kTruncatedWrongValue = 1292;
constexpr unsigned kNoDefaultForField = 1364;
constexpr unsigned kTruncatedWrongValueForField = 1366;
constexpr unsigned kDataTooLong = 1406;
constexpr unsigned kRowIsReferenced = 1451;
constexpr unsigned kNoReferencedRow = 1452;
constexpr unsigned kConnectionKilled = 1927;
constexpr unsigned kMysqlCheckViolated = 3819;
constexpr unsigned kMariadbCheckViolated = 4025;
constexpr unsigned kMysqlIdleDisconnect = 4031;
constexpr unsigned kCannotConnectSocket = 2002;
constexpr unsigned kCannotConnectHost = 2003;
constexpr unsigned kServerGone = 2006;
constexpr unsigned kServerLost = 2013;
constexpr unsigned kServerLostExtended = 2055;
}  // namespace code

bool IsUnavailable(unsigned error_code) {
  return IsConnectionLost(error_code) || error_code == code::kCannotConnectSocket ||
         error_code == code::kCannotConnectHost || error_code == code::kServerShutdown ||
         error_code == code::kNodeNotReady;
}

}  // namespace

tl::unexpected<DriverError> DriverFailure(MYSQL* handle) {
  return tl::unexpected<DriverError>(
      DriverError{mysql_errno(handle), mysql_sqlstate(handle), mysql_error(handle)});
}

tl::unexpected<DriverError> DriverFailure(MYSQL_STMT* statement) {
  return tl::unexpected<DriverError>(DriverError{
      mysql_stmt_errno(statement), mysql_stmt_sqlstate(statement), mysql_stmt_error(statement)});
}

tl::unexpected<DriverError> ClientFailure(std::string detail) {
  return tl::unexpected<DriverError>(DriverError{0, "HY000", std::move(detail)});
}

tl::unexpected<DriverError> TransactionLost() {
  return tl::unexpected<DriverError>(
      DriverError{0, "40001", "the server no longer has the transaction open", true});
}

std::string_view AbortReason(const DriverError& error) {
  if (error.transaction_lost) return "transaction_lost";
  if (error.code == code::kLockWaitTimeout) return "lock_wait_timeout";
  return "deadlock";
}

bool IsConnectionLost(unsigned error_code) {
  switch (error_code) {
    case code::kServerGone:
    case code::kServerLost:
    case code::kServerLostExtended:
    case code::kConnectionKilled:
    case code::kMysqlIdleDisconnect:
      return true;
    default:
      return false;
  }
}

Error ToError(const DriverError& error) {
  if (error.transaction_lost) {
    return Error::Aborted("the database ended the transaction (a conflicting write); retry it");
  }
  switch (error.code) {
    case code::kDuplicateEntry:
      return Error::AlreadyExists("a record with the same key already exists");
    case code::kRowIsReferenced:
    case code::kRowIsReferencedOld:
      return Error::FailedPrecondition("the record is still referenced by other records");
    case code::kNoReferencedRow:
    case code::kNoReferencedRowOld:
      return Error::FailedPrecondition("the record refers to a record that does not exist");
    case code::kMysqlCheckViolated:
    case code::kMariadbCheckViolated:
      return Error::FailedPrecondition("the record breaks a rule of the schema");
    case code::kBadNull:
    case code::kNoDefaultForField:
      return Error::FailedPrecondition("a required value is missing");
    case code::kDataTooLong:
    case code::kDataTruncated:
    case code::kTruncatedWrongValue:
    case code::kTruncatedWrongValueForField:
      return Error::FailedPrecondition("a value does not fit its column");
    case code::kDeadlock:
    case code::kLockWaitTimeout:
      return Error::Aborted("the transaction conflicted with a concurrent one; retry it");
    default:
      break;
  }
  if (IsUnavailable(error.code)) return Error::Unavailable("the database is unavailable");
  return Error::Internal("unexpected database error");
}

}  // namespace clinic::storage::mysql
