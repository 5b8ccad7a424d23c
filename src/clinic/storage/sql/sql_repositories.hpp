#pragma once

#include "clinic/storage/repositories.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::sql {

// The repository ports over one SQL connection that is inside an open transaction. Statements are
// portable between SQLite and MySQL except where a method says otherwise.

class SqlLocationRepository final : public LocationRepository {
 public:
  explicit SqlLocationRepository(Connection& c) : c_(c) {}
  Result<domain::Location> Create(const domain::Location& location) override;
  Result<domain::Location> Get(Id id) override;
  Result<Page<domain::Location>> List(const PageRequest& page) override;
  Result<domain::Location> Update(const domain::Location& location) override;

 private:
  Connection& c_;
};

class SqlPatientRepository final : public PatientRepository {
 public:
  explicit SqlPatientRepository(Connection& c) : c_(c) {}
  Result<domain::Patient> Create(const domain::Patient& patient) override;
  Result<domain::Patient> Get(Id id) override;
  Result<std::optional<domain::Patient>> FindByEmail(const std::string& email) override;
  Result<Page<domain::Patient>> List(const PersonFilter& filter, const PageRequest& page) override;
  Result<domain::Patient> Update(const domain::Patient& patient) override;
  Status SetDeletedAt(Id id, std::optional<Instant> deleted_at) override;
  Result<domain::Patient> GetForUpdate(Id id) override;

 private:
  Connection& c_;
};

class SqlDoctorRepository final : public DoctorRepository {
 public:
  explicit SqlDoctorRepository(Connection& c) : c_(c) {}
  Result<domain::Doctor> Create(const domain::Doctor& doctor) override;
  Result<domain::Doctor> Get(Id id) override;
  Result<std::optional<domain::Doctor>> FindByEmail(const std::string& email) override;
  Result<Page<domain::Doctor>> List(const DoctorFilter& filter, const PageRequest& page) override;
  Result<domain::Doctor> Update(const domain::Doctor& doctor) override;
  Status SetDeletedAt(Id id, std::optional<Instant> deleted_at) override;
  Result<domain::Doctor> GetForUpdate(Id id) override;

 private:
  Connection& c_;
};

class SqlAdminRepository final : public AdminRepository {
 public:
  explicit SqlAdminRepository(Connection& c) : c_(c) {}
  Result<domain::Admin> Create(const domain::Admin& admin) override;
  Result<domain::Admin> Get(Id id) override;
  Result<std::optional<domain::Admin>> FindByLogin(const std::string& login) override;
  Result<Page<domain::Admin>> List(const PersonFilter& filter, const PageRequest& page) override;
  Result<domain::Admin> Update(const domain::Admin& admin) override;
  Status SetDeletedAt(Id id, std::optional<Instant> deleted_at) override;
  Status RecordLogin(Id id, Instant at) override;

 private:
  Connection& c_;
};

class SqlSlotRepository final : public SlotRepository {
 public:
  explicit SqlSlotRepository(Connection& c) : c_(c) {}
  Result<domain::Slot> Create(const domain::Slot& slot) override;
  Result<domain::Slot> Get(Id id) override;
  Result<std::vector<DoctorSlotListing>> ListForDoctor(Id doctor_id, Instant from,
                                                       Instant to) override;
  Result<bool> Overlaps(Id doctor_id, Instant start, Instant end) override;
  Status SetAvailable(Id id, bool is_available) override;
  Result<std::int64_t> SetAvailableInRange(Id doctor_id, Instant from, Instant to,
                                           bool is_available) override;
  Status Delete(Id id) override;
  Result<std::vector<SlotListing>> Search(const SlotSearch& search) override;

 private:
  Connection& c_;
};

class SqlWorkingHoursRepository final : public WorkingHoursRepository {
 public:
  explicit SqlWorkingHoursRepository(Connection& c) : c_(c) {}
  Result<std::optional<domain::WorkingHours>> Get(Id doctor_id) override;
  Status Replace(const domain::WorkingHours& hours) override;
  Result<std::vector<Id>> ListDoctorIds() override;

 private:
  Connection& c_;
};

class SqlAppointmentRepository final : public AppointmentRepository {
 public:
  explicit SqlAppointmentRepository(Connection& c) : c_(c) {}
  Result<domain::Appointment> Create(const domain::Appointment& appointment) override;
  Result<domain::Appointment> Get(Id id) override;
  Result<domain::Appointment> GetForUpdate(Id id) override;
  Result<AppointmentListing> GetListing(Id id) override;
  Result<std::optional<domain::Appointment>> FindActiveBySlot(Id slot_id) override;
  Result<std::vector<AppointmentListing>> List(const AppointmentFilter& filter) override;
  Status SetStatus(Id id, domain::AppointmentStatus status) override;
  Status SetNotes(Id id, const std::optional<std::string>& notes) override;
  Status Cancel(Id id, const std::optional<std::string>& reason) override;
  Status MoveToSlot(Id id, const domain::Slot& slot) override;
  Result<bool> PatientHasOverlap(Id patient_id, Instant start, Instant end,
                                 std::optional<Id> except) override;
  Result<bool> ExistsBetween(Id doctor_id, Id patient_id) override;

 private:
  Connection& c_;
};

class SqlIdempotencyRepository final : public IdempotencyRepository {
 public:
  explicit SqlIdempotencyRepository(Connection& c) : c_(c) {}
  Result<std::optional<IdempotencyRecord>> Find(domain::Role actor_role, Id actor_id,
                                                std::string_view operation,
                                                std::string_view key) override;
  Status Reserve(const IdempotencyRecord& record) override;
  Status Attach(domain::Role actor_role, Id actor_id, std::string_view operation,
                std::string_view key, Id resource_id) override;
  Result<std::int64_t> Prune(Instant before) override;

 private:
  Connection& c_;
};

class SqlPaymentRepository final : public PaymentRepository {
 public:
  explicit SqlPaymentRepository(Connection& c) : c_(c) {}
  Result<domain::Payment> Create(const domain::Payment& payment) override;
  Result<domain::Payment> Get(Id id) override;
  Result<domain::Payment> GetForUpdate(Id id) override;
  Result<std::optional<domain::Payment>> FindByTransactionRef(const std::string& ref) override;
  Result<std::vector<domain::Payment>> ListForAppointment(Id appointment_id) override;
  Result<Page<domain::Payment>> List(const PaymentFilter& filter, const PageRequest& page) override;
  Status SetStatus(Id id, domain::PaymentStatus status, std::optional<Instant> paid_at) override;
  Result<std::int64_t> RefundedCents(Id payment_id) override;
  Result<std::vector<CurrencyBalance>> BalanceFor(Id appointment_id) override;

 private:
  Connection& c_;
};

class SqlPrescriptionRepository final : public PrescriptionRepository {
 public:
  explicit SqlPrescriptionRepository(Connection& c) : c_(c) {}
  Result<domain::Prescription> Create(const domain::Prescription& prescription) override;
  Result<domain::Prescription> Get(Id id) override;
  Result<PrescriptionListing> GetListing(Id id) override;
  Result<std::vector<PrescriptionListing>> ListForPatient(Id patient_id) override;
  Result<std::vector<PrescriptionListing>> ListForAppointment(Id appointment_id) override;

 private:
  Connection& c_;
};

class SqlReportRepository final : public ReportRepository {
 public:
  explicit SqlReportRepository(Connection& c) : c_(c) {}
  Result<std::vector<SlotFact>> Slots(Instant from, Instant to) override;
  Result<std::vector<AppointmentFact>> Appointments(Instant from, Instant to) override;
  Result<std::vector<MoneyFact>> Money(Instant from, Instant to) override;

 private:
  Connection& c_;
};

class SqlSessionRepository final : public SessionRepository {
 public:
  explicit SqlSessionRepository(Connection& c) : c_(c) {}
  Result<domain::Session> Create(const domain::Session& session) override;
  Result<std::optional<domain::Session>> FindByTokenHash(const std::string& token_hash) override;
  Status Touch(Id id, Instant last_seen_at, Instant expires_at) override;
  Status Revoke(Id id, Instant at) override;
  Status RevokeAllForUser(domain::Role role, Id user_id, Instant at) override;
  Result<std::int64_t> PruneExpired(Instant before) override;

 private:
  Connection& c_;
};

// Append locks the chain head with SELECT ... FOR UPDATE on MySQL; on SQLite the write
// transaction (BEGIN IMMEDIATE) already holds the database's only write lock.
// How many audit chains there are: the rows of audit_chain_head (migration 0009).
constexpr int kAuditChains = 16;

class SqlAuditRepository final : public AuditRepository {
 public:
  // Appends to `chain`, one of 1..kAuditChains.
  SqlAuditRepository(Connection& c, int chain) : c_(c), chain_(chain) {}
  Result<domain::AuditEntry> Append(const domain::AuditEntry& entry) override;
  Result<Page<domain::AuditEntry>> List(const AuditFilter& filter,
                                        const PageRequest& page) override;
  Result<std::vector<domain::AuditEntry>> ListChain(int chain, std::int64_t after_seq,
                                                    int limit) override;
  Result<std::vector<AuditChainHead>> Heads() override;
  Result<std::optional<Id>> FirstRowOutsideTheChains() override;

 private:
  Connection& c_;
  int chain_;
};

class SqlAuthThrottleRepository final : public AuthThrottleRepository {
 public:
  explicit SqlAuthThrottleRepository(Connection& c) : c_(c) {}
  Result<domain::ThrottleCounter> Lock(ThrottleSubject kind, const std::string& subject,
                                       Instant now) override;
  Status Save(ThrottleSubject kind, const std::string& subject,
              const domain::ThrottleCounter& counter, Instant now) override;
  Result<bool> IsKnownAddress(const std::string& account, const std::string& address,
                              Instant since) override;
  Status RememberAddress(const std::string& account, const std::string& address,
                         Instant at) override;
  Result<std::int64_t> Prune(Instant idle_before, Instant known_before) override;

 private:
  Connection& c_;
};

}  // namespace clinic::storage::sql
