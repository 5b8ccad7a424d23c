#include "clinic/storage/sql/sql_store.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "clinic/storage/sql/connection_pool.hpp"
#include "clinic/storage/sql/sql_repositories.hpp"

namespace clinic::storage::sql {
namespace {

// How often a write transaction that lost a race (deadlock, busy) is run again before the
// caller sees kAborted.
constexpr int kMaxAttempts = 5;

class SqlTransaction final : public Transaction {
 public:
  explicit SqlTransaction(Connection& c)
      : locations_(c),
        patients_(c),
        doctors_(c),
        admins_(c),
        slots_(c),
        appointments_(c),
        payments_(c),
        prescriptions_(c),
        sessions_(c),
        audit_(c),
        auth_throttle_(c),
        working_hours_(c),
        idempotency_(c),
        reports_(c) {}

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
};

class SqlStore final : public Store {
 public:
  SqlStore(std::unique_ptr<ConnectionFactory> factory, std::size_t pool_size)
      : pool_(std::move(factory), pool_size) {}

  std::string_view backend() const override {
    return pool_.dialect() == Dialect::kSqlite ? "sqlite" : "mysql";
  }

  Status Run(TxMode mode, const std::function<Status(Transaction&)>& body) override {
    for (int attempt = 1;; ++attempt) {
      auto outcome = RunOnce(mode, body);
      if (outcome || outcome.error().code != ErrorCode::kAborted || attempt == kMaxAttempts) {
        return outcome;
      }
      // Back off a little, more each time, so the racers do not collide again in lock step.
      std::this_thread::sleep_for(std::chrono::milliseconds(2 * attempt * attempt));
    }
  }

  std::uint64_t committed_writes() const override { return committed_writes_.load(); }

  Status Ping() override {
    CLINIC_ASSIGN_OR_RETURN(auto lease, pool_.Acquire());
    CLINIC_TRY_STATUS(lease->Query("SELECT 1"));
    return Ok();
  }

 private:
  Status RunOnce(TxMode mode, const std::function<Status(Transaction&)>& body) {
    CLINIC_ASSIGN_OR_RETURN(auto lease, pool_.Acquire());
    Connection& connection = *lease;
    CLINIC_TRY_STATUS(connection.Begin(mode));
    SqlTransaction tx(connection);
    auto outcome = body(tx);
    if (outcome) outcome = connection.Commit();
    if (outcome && mode == TxMode::kWrite) committed_writes_.fetch_add(1);
    if (!outcome) {
      // Also after a failed COMMIT, so the connection goes back to the pool with no transaction.
      if (auto rolled_back = connection.Rollback(); !rolled_back) {
        spdlog::warn("rollback failed: {}", rolled_back.error().message);
      }
    }
    return outcome;
  }

  ConnectionPool pool_;
  std::atomic<std::uint64_t> committed_writes_{0};
};

}  // namespace

std::unique_ptr<Store> MakeSqlStore(std::unique_ptr<ConnectionFactory> factory,
                                    std::size_t pool_size) {
  return std::make_unique<SqlStore>(std::move(factory), pool_size);
}

}  // namespace clinic::storage::sql
