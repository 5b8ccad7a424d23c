#include "clinic/storage/sql/sql_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "clinic/storage/sql/audit_chain_leases.hpp"
#include "clinic/storage/sql/connection_pool.hpp"
#include "clinic/storage/sql/sql_admin_repository.hpp"
#include "clinic/storage/sql/sql_appointment_repository.hpp"
#include "clinic/storage/sql/sql_audit_repository.hpp"
#include "clinic/storage/sql/sql_auth_throttle_repository.hpp"
#include "clinic/storage/sql/sql_doctor_repository.hpp"
#include "clinic/storage/sql/sql_idempotency_repository.hpp"
#include "clinic/storage/sql/sql_location_repository.hpp"
#include "clinic/storage/sql/sql_outbox_repository.hpp"
#include "clinic/storage/sql/sql_patient_repository.hpp"
#include "clinic/storage/sql/sql_payment_repository.hpp"
#include "clinic/storage/sql/sql_prescription_repository.hpp"
#include "clinic/storage/sql/sql_report_repository.hpp"
#include "clinic/storage/sql/sql_session_repository.hpp"
#include "clinic/storage/sql/sql_slot_repository.hpp"
#include "clinic/storage/sql/sql_working_hours_repository.hpp"

namespace clinic::storage::sql {
namespace {

// How often a write transaction that lost a race (deadlock, busy, a Galera certification
// failure) is run before the caller sees kAborted. On a cluster a booking's audit chain and
// doctor row can be written on two nodes at once, and the loser learns it only at COMMIT.
constexpr int kMaxAttempts = 8;

// The pause before attempt `attempt` + 1: random within a window that grows with each attempt,
// so racers that collided do not run again in lock step and collide again.
std::chrono::milliseconds RetryBackoff(int attempt) {
  thread_local std::minstd_rand random{std::random_device{}()};
  return std::chrono::milliseconds(
      std::uniform_int_distribution<int>(1, 4 * attempt * attempt)(random));
}

constexpr std::array<std::string_view, 5> kRetryReasons = {"deadlock", "lock_wait_timeout",
                                                           "transaction_lost", "busy", "conflict"};
constexpr std::size_t kConflictReason = kRetryReasons.size() - 1;

std::size_t RetryReasonIndex(std::string_view reason) {
  const auto* found = std::find(kRetryReasons.begin(), kRetryReasons.end(), reason);
  return found == kRetryReasons.end() ? kConflictReason
                                      : static_cast<std::size_t>(found - kRetryReasons.begin());
}

class SqlTransaction final : public Transaction {
 public:
  SqlTransaction(Connection& c, AuditChainLease& audit_chain)
      : locations_(c),
        patients_(c),
        doctors_(c),
        admins_(c),
        slots_(c),
        appointments_(c),
        payments_(c),
        prescriptions_(c),
        sessions_(c),
        audit_(c, audit_chain),
        auth_throttle_(c),
        working_hours_(c),
        idempotency_(c),
        reports_(c),
        outbox_(c) {}

  LocationRepository& locations() override { return locations_; }
  PatientRepository& patients() override { return patients_; }
  DoctorRepository& doctors() override { return doctors_; }
  AdminRepository& admins() override { return admins_; }
  SlotRepository& slots() override { return slots_; }
  AppointmentRepository& appointments() override { return appointments_; }
  PaymentRepository& payments() override { return payments_; }
  PrescriptionRepository& prescriptions() override { return prescriptions_; }
  SessionRepository& sessions() override { return sessions_; }
  AuditRepository& audit() override { return audit_; }
  AuthThrottleRepository& auth_throttle() override { return auth_throttle_; }
  WorkingHoursRepository& working_hours() override { return working_hours_; }
  IdempotencyRepository& idempotency() override { return idempotency_; }
  ReportRepository& reports() override { return reports_; }
  OutboxRepository& outbox() override { return outbox_; }

 private:
  SqlLocationRepository locations_;
  SqlPatientRepository patients_;
  SqlDoctorRepository doctors_;
  SqlAdminRepository admins_;
  SqlSlotRepository slots_;
  SqlAppointmentRepository appointments_;
  SqlPaymentRepository payments_;
  SqlPrescriptionRepository prescriptions_;
  SqlSessionRepository sessions_;
  SqlAuditRepository audit_;
  SqlAuthThrottleRepository auth_throttle_;
  SqlWorkingHoursRepository working_hours_;
  SqlIdempotencyRepository idempotency_;
  SqlReportRepository reports_;
  SqlOutboxRepository outbox_;
};

class SqlStore final : public Store {
 public:
  SqlStore(std::unique_ptr<ConnectionFactory> factory, std::size_t pool_size)
      : pool_(std::move(factory), pool_size), audit_chains_(clock_) {}

  std::string_view backend() const override {
    return pool_.dialect() == Dialect::kSqlite ? "sqlite" : "mysql";
  }

  Status Run(TxMode mode, const std::function<Status(Transaction&)>& body) override {
    for (int attempt = 1;; ++attempt) {
      std::string_view abort_reason;
      auto outcome = RunOnce(mode, body, abort_reason);
      if (outcome || outcome.error().code != ErrorCode::kAborted) return outcome;
      if (attempt == kMaxAttempts) {
        spdlog::warn("transaction aborted ({}) {} times; giving up: {}", ReasonName(abort_reason),
                     attempt, outcome.error().message);
        return outcome;
      }
      const std::size_t reason = RetryReasonIndex(abort_reason);
      retries_[reason].fetch_add(1);
      spdlog::warn("transaction aborted ({}), running it again (attempt {} of {})",
                   kRetryReasons[reason], attempt + 1, kMaxAttempts);
      std::this_thread::sleep_for(RetryBackoff(attempt));
    }
  }

  std::uint64_t committed_writes() const override { return committed_writes_.load(); }

  std::vector<Retries> retries() const override {
    std::vector<Retries> counts;
    for (std::size_t i = 0; i < kRetryReasons.size(); ++i) {
      counts.push_back({kRetryReasons[i], retries_[i].load()});
    }
    return counts;
  }

  Status Ping() override {
    CLINIC_ASSIGN_OR_RETURN(auto lease, pool_.Acquire());
    CLINIC_TRY_STATUS(lease->Query("SELECT 1"));
    return Ok();
  }

 private:
  static std::string_view ReasonName(std::string_view reason) {
    return kRetryReasons[RetryReasonIndex(reason)];
  }

  // One attempt; `abort_reason` says what an aborted attempt lost to, as the connection saw it.
  Status RunOnce(TxMode mode, const std::function<Status(Transaction&)>& body,
                 std::string_view& abort_reason) {
    CLINIC_ASSIGN_OR_RETURN(auto lease, pool_.Acquire());
    Connection& connection = *lease;
    (void)connection.TakeAbortReason();
    // Read-only transactions never append to the audit trail, so they need no chain.
    AuditChainLease no_chain;
    if (mode == TxMode::kSingleRead) {
      SqlTransaction statement(connection, no_chain);
      auto outcome = body(statement);
      abort_reason = connection.TakeAbortReason();
      return outcome;
    }
    AuditChainLease* chain = &no_chain;
    if (mode == TxMode::kWrite) {
      auto leased = audit_chains_.ForWrite(connection);
      if (!leased) {
        abort_reason = connection.TakeAbortReason();
        return Fail(std::move(leased).error());
      }
      chain = *leased;
    }
    const Instant began = clock_.Now();
    CLINIC_TRY_STATUS(connection.Begin(mode));
    SqlTransaction tx(connection, *chain);
    auto outcome = body(tx);
    if (outcome) outcome = connection.Commit();
    if (outcome && mode == TxMode::kWrite) {
      committed_writes_.fetch_add(1);
      audit_chains_.Committed(*chain, began);
    }
    if (!outcome) {
      // Also after a failed COMMIT, so the connection goes back to the pool with no transaction.
      if (auto rolled_back = connection.Rollback(); !rolled_back) {
        // A deadlock reported only now means the database had already aborted the transaction
        // (Galera does this to the loser of a conflict): what the body concluded (a row not
        // found, say) came from a transaction that no longer counts, so it runs again.
        if (rolled_back.error().code == ErrorCode::kAborted) {
          outcome = Fail(std::move(rolled_back).error());
        } else {
          spdlog::warn("rollback failed: {}", rolled_back.error().message);
        }
      }
    }
    abort_reason = connection.TakeAbortReason();
    return outcome;
  }

  SystemClock clock_;
  ConnectionPool pool_;
  AuditChainLeases audit_chains_;
  std::atomic<std::uint64_t> committed_writes_{0};
  std::array<std::atomic<std::uint64_t>, kRetryReasons.size()> retries_{};
};

}  // namespace

std::unique_ptr<Store> MakeSqlStore(std::unique_ptr<ConnectionFactory> factory,
                                    std::size_t pool_size) {
  return std::make_unique<SqlStore>(std::move(factory), pool_size);
}

}  // namespace clinic::storage::sql
