#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "clinic/common/result.hpp"
#include "clinic/storage/repositories.hpp"

namespace clinic::storage {

enum class TxMode {
  kRead,   // a consistent read
  kWrite,  // takes the backend's write lock up front where it has one (SQLite BEGIN IMMEDIATE)
  // A body that runs exactly one statement, a read: a single statement is a consistent read on
  // its own, so no transaction is opened around it (on MySQL, two round trips fewer). A body
  // that runs more than one statement must use kRead, or its reads may see different moments.
  kSingleRead,
};

// The repositories of one open transaction. Valid only inside the Store::Run body it was handed
// to; everything done through it commits or rolls back together.
class Transaction {
 public:
  virtual ~Transaction() = default;
  virtual LocationRepository& locations() = 0;
  virtual PatientRepository& patients() = 0;
  virtual DoctorRepository& doctors() = 0;
  virtual AdminRepository& admins() = 0;
  virtual SlotRepository& slots() = 0;
  virtual AppointmentRepository& appointments() = 0;
  virtual PaymentRepository& payments() = 0;
  virtual PrescriptionRepository& prescriptions() = 0;
  virtual SessionRepository& sessions() = 0;
  virtual AuditRepository& audit() = 0;
  virtual AuthThrottleRepository& auth_throttle() = 0;
  virtual WorkingHoursRepository& working_hours() = 0;
  virtual IdempotencyRepository& idempotency() = 0;
  virtual ReportRepository& reports() = 0;
  virtual OutboxRepository& outbox() = 0;
};

// The relational store (SQLite or MySQL behind it; services cannot tell which). Thread-safe.
class Store {
 public:
  virtual ~Store() = default;

  // "sqlite" or "mysql", for health reports and logs.
  virtual std::string_view backend() const = 0;

  // Runs `body` in one transaction: commits when it succeeds, rolls back when it fails. A write
  // transaction that loses to a concurrent one (deadlock, busy) is retried from the start a few
  // times, so `body` must have no effects outside the transaction.
  virtual Status Run(TxMode mode, const std::function<Status(Transaction&)>& body) = 0;

  // Cheap reachability check for /health.
  virtual Status Ping() = 0;

  // How many write transactions have committed through this object so far. A reader that kept
  // what it read while this was N knows that nothing written through this object changed it as
  // long as this is still N (other processes sharing the database are not counted).
  virtual std::uint64_t committed_writes() const = 0;

  // How many transactions Run started again, by what the failed attempt lost to: "deadlock",
  // "lock_wait_timeout", "transaction_lost" (the database ended it, e.g. a Galera conflict),
  // "busy" (SQLite's lock) or "conflict" (a rule of the transaction itself asked for a retry).
  struct Retries {
    std::string_view reason;
    std::uint64_t count = 0;
  };
  virtual std::vector<Retries> retries() const = 0;
};

// Runs `body(Transaction&) -> Result<T>` in one transaction and returns its result.
template <typename Body>
auto InTransaction(Store& store, TxMode mode, Body&& body)
    -> std::invoke_result_t<Body&, Transaction&> {
  using R = std::invoke_result_t<Body&, Transaction&>;
  std::optional<R> outcome;
  auto status = store.Run(mode, [&](Transaction& tx) -> Status {
    outcome.emplace(body(tx));
    if (!*outcome) return Fail(outcome->error());
    return Ok();
  });
  if (!status) return Fail(std::move(status).error());
  return std::move(*outcome);
}

}  // namespace clinic::storage
