#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "clinic/common/result.hpp"
#include "clinic/domain/entities.hpp"
#include "clinic/domain/read_models.hpp"
#include "clinic/domain/slot_generation.hpp"
#include "clinic/domain/throttle.hpp"

namespace clinic::storage {

// The repository ports. Each works inside the transaction it came from (storage/store.hpp).
// Conventions: Create inserts and returns the stored row (id and timestamps filled); Get answers
// kNotFound for a missing id (soft-deleted rows are still returned — callers decide who may see
// them); Update writes every mutable column of the given record; unique keys answer
// kAlreadyExists and broken references kFailedPrecondition.

class LocationRepository {
 public:
  virtual ~LocationRepository() = default;
  virtual Result<domain::Location> Create(const domain::Location& location) = 0;
  virtual Result<domain::Location> Get(Id id) = 0;
  virtual Result<domain::Page<domain::Location>> List(const domain::PageRequest& page) = 0;
  virtual Result<domain::Location> Update(const domain::Location& location) = 0;
};

struct PersonFilter {
  std::optional<std::string> q;  // substring of first name, last name or email
  bool include_deleted = false;
  // Patients only: just those with at least one appointment (any status) with this doctor.
  std::optional<Id> with_doctor_id;
};

class PatientRepository {
 public:
  virtual ~PatientRepository() = default;
  virtual Result<domain::Patient> Create(const domain::Patient& patient) = 0;
  virtual Result<domain::Patient> Get(Id id) = 0;
  // Case-insensitive; includes soft-deleted rows, because emails stay unique across them.
  virtual Result<std::optional<domain::Patient>> FindByEmail(const std::string& email) = 0;
  virtual Result<domain::Page<domain::Patient>> List(const PersonFilter& filter,
                                                     const domain::PageRequest& page) = 0;
  virtual Result<domain::Patient> Update(const domain::Patient& patient) = 0;
  // Soft delete (an instant) or restore (nullopt).
  virtual Status SetDeletedAt(Id id, std::optional<Instant> deleted_at) = 0;
  // Get, row-locked until the transaction ends (MySQL; with a write, so also across the nodes of
  // a Galera cluster), so that one patient's bookings queue and the no-overlap check sees every
  // earlier one.
  virtual Result<domain::Patient> GetForUpdate(Id id) = 0;
};

struct DoctorFilter {
  std::optional<std::string> specialization;
  std::optional<Id> location_id;
  // Matches names and specialization; also the email when `q_matches_contact_details`.
  std::optional<std::string> q;
  bool q_matches_contact_details = false;
  bool include_inactive = false;
  bool include_deleted = false;
};

class DoctorRepository {
 public:
  virtual ~DoctorRepository() = default;
  virtual Result<domain::Doctor> Create(const domain::Doctor& doctor) = 0;
  virtual Result<domain::Doctor> Get(Id id) = 0;
  virtual Result<std::optional<domain::Doctor>> FindByEmail(const std::string& email) = 0;
  virtual Result<domain::Page<domain::Doctor>> List(const DoctorFilter& filter,
                                                    const domain::PageRequest& page) = 0;
  virtual Result<domain::Doctor> Update(const domain::Doctor& doctor) = 0;
  virtual Status SetDeletedAt(Id id, std::optional<Instant> deleted_at) = 0;
  // Locks the doctor's row until the transaction ends, so writers of that doctor's slots queue
  // (MySQL SELECT ... FOR UPDATE plus a write, which a Galera cluster certifies across nodes;
  // SQLite's write transaction already excludes other writers).
  virtual Result<domain::Doctor> GetForUpdate(Id id) = 0;
  // Takes GetForUpdate's lock without reading the row (MySQL: the write alone, which locks the
  // row as FOR UPDATE does). Reads that follow in the transaction see the row as it is now.
  virtual Status Lock(Id id) = 0;
};

class AdminRepository {
 public:
  virtual ~AdminRepository() = default;
  virtual Result<domain::Admin> Create(const domain::Admin& admin) = 0;
  virtual Result<domain::Admin> Get(Id id) = 0;
  // Matches the username or the email, case-insensitively.
  virtual Result<std::optional<domain::Admin>> FindByLogin(const std::string& login) = 0;
  virtual Result<domain::Page<domain::Admin>> List(const PersonFilter& filter,
                                                   const domain::PageRequest& page) = 0;
  virtual Result<domain::Admin> Update(const domain::Admin& admin) = 0;
  virtual Status SetDeletedAt(Id id, std::optional<Instant> deleted_at) = 0;
  virtual Status RecordLogin(Id id, Instant at) = 0;
};

// Which slots a search returns: free (is_available, no active appointment), starting at or after
// `not_before`, of active, non-deleted doctors, ordered by (start_time_utc, id).
struct SlotSearch {
  std::optional<Id> doctor_id;
  std::optional<std::string> specialization;  // the doctor's, exact
  std::optional<Id> location_id;              // the slot's
  Instant not_before{};                       // start_time_utc >= not_before
  std::optional<Instant> from;                // start_time_utc >= from
  std::optional<Instant> to;                  // start_time_utc < to
  // Keyset: only slots after this (start_time_utc, id) position.
  std::optional<std::pair<Instant, Id>> after;
  int limit = 50;
};

class SlotRepository {
 public:
  virtual ~SlotRepository() = default;
  virtual Result<domain::Slot> Create(const domain::Slot& slot) = 0;
  virtual Result<domain::Slot> Get(Id id) = 0;
  // The slot and its doctor, read together (one statement).
  virtual Result<std::pair<domain::Slot, domain::Doctor>> GetWithDoctor(Id id) = 0;
  // The doctor's slots that start in [from, to) — free, blocked and booked — by start time,
  // each with its active appointment, if any; without `include_deleted_patients` an appointment of
  // a deleted patient is left out (the slot reads as if it had none).
  virtual Result<std::vector<domain::DoctorSlotListing>> ListForDoctor(
      Id doctor_id, Instant from, Instant to, bool include_deleted_patients) = 0;
  // Whether any slot of the doctor overlaps [start, end) (touching ends do not overlap).
  virtual Result<bool> Overlaps(Id doctor_id, Instant start, Instant end) = 0;
  virtual Status SetAvailable(Id id, bool is_available) = 0;
  // Sets every slot of the doctor that starts in [from, to) and has no active appointment to
  // `is_available`, in one statement; returns how many changed.
  virtual Result<std::int64_t> SetAvailableInRange(Id doctor_id, Instant from, Instant to,
                                                   bool is_available) = 0;
  // Fails with kFailedPrecondition when an appointment (of any status) references the slot.
  virtual Status Delete(Id id) = 0;
  // Up to `search.limit` + 1 matching slots (the extra one tells the caller another page follows).
  virtual Result<std::vector<domain::SlotListing>> Search(const SlotSearch& search) = 0;
};

// Doctors' weekly working hours (domain/slot_generation.hpp), stored one row per interval.
class WorkingHoursRepository {
 public:
  virtual ~WorkingHoursRepository() = default;
  // The doctor's working hours, or nullopt when none are set (or the set is empty).
  virtual Result<std::optional<domain::WorkingHours>> Get(Id doctor_id) = 0;
  // Replaces the doctor's whole set with `hours` (no intervals: the doctor has none).
  virtual Status Replace(const domain::WorkingHours& hours) = 0;
  // The doctors who have working hours, by id.
  virtual Result<std::vector<Id>> ListDoctorIds() = 0;
};

// Which appointments a list shows: every field that is set must match. `from`/`to` bound the
// slot's start time; results are ordered by (slot start, appointment id).
struct AppointmentFilter {
  std::optional<Id> patient_id;
  std::optional<Id> doctor_id;
  std::optional<Id> location_id;
  std::optional<domain::AppointmentStatus> status;
  std::optional<Instant> from;  // slot start >= from
  std::optional<Instant> to;    // slot start < to
  // Keyset: only appointments after this (slot start, appointment id) position.
  std::optional<std::pair<Instant, Id>> after;
  int limit = 50;
  // False: leave out the appointments of patients whose record is deleted.
  bool include_deleted_patients = true;
};

class AppointmentRepository {
 public:
  virtual ~AppointmentRepository() = default;
  // kAlreadyExists when the slot already has an active (not cancelled) appointment.
  virtual Result<domain::Appointment> Create(const domain::Appointment& appointment) = 0;
  virtual Result<domain::Appointment> Get(Id id) = 0;
  // Get, row-locked until the transaction ends (MySQL), so that changes to one appointment queue.
  virtual Result<domain::Appointment> GetForUpdate(Id id) = 0;
  virtual Result<domain::AppointmentListing> GetListing(Id id) = 0;
  virtual Result<std::optional<domain::Appointment>> FindActiveBySlot(Id slot_id) = 0;
  // Up to `filter.limit` + 1 matching appointments (the extra one tells the caller another page
  // follows).
  virtual Result<std::vector<domain::AppointmentListing>> List(const AppointmentFilter& filter) = 0;
  virtual Status SetStatus(Id id, domain::AppointmentStatus status) = 0;
  virtual Status SetNotes(Id id, const std::optional<std::string>& notes) = 0;
  // Sets the status to cancelled and records why.
  virtual Status Cancel(Id id, const std::optional<std::string>& reason) = 0;
  // Cancels the appointment with `reason` and links the appointment booked in its place
  // (rescheduled_to_id), for a reschedule to another doctor.
  virtual Status CancelAsRescheduled(Id id, Id rescheduled_to_id, const std::string& reason) = 0;
  // Moves the appointment to `slot`, another slot of the same doctor, taking the slot's location
  // with it. kAlreadyExists when the slot already has an active appointment; kFailedPrecondition
  // when the slot is another doctor's: an appointment never changes doctor.
  virtual Status MoveToSlot(Id id, const domain::Slot& slot) = 0;
  // Whether the patient holds an active appointment whose slot overlaps [start, end), leaving
  // out the appointment `except` (the one being rescheduled).
  virtual Result<bool> PatientHasOverlap(Id patient_id, Instant start, Instant end,
                                         std::optional<Id> except) = 0;
  // Whether the doctor and the patient share at least one appointment, of any status.
  virtual Result<bool> ExistsBetween(Id doctor_id, Id patient_id) = 0;
};

// What a create made: a row of the relational store, or a document of the document store (an
// attachment, named by its file_id).
using CreatedResource = std::variant<Id, std::string>;

// What a create with an Idempotency-Key made: per caller, operation and key, a hash of the
// request and the id of the created resource (0 while the create's transaction runs), or for a
// document its name in `document_id` (resource_id 0).
struct IdempotencyRecord {
  domain::Role actor_role = domain::Role::kSystem;
  Id actor_id = 0;
  std::string operation;
  std::string key;
  std::string request_hash;
  Id resource_id = 0;
  std::optional<std::string> document_id;
  Instant created_at{};
};

class IdempotencyRepository {
 public:
  virtual ~IdempotencyRepository() = default;
  virtual Result<std::optional<IdempotencyRecord>> Find(domain::Role actor_role, Id actor_id,
                                                        std::string_view operation,
                                                        std::string_view key) = 0;
  // Takes the key for a create about to run (resource_id is ignored). kAlreadyExists when the
  // caller already used the key for the operation; on MySQL an insert racing one not yet
  // committed waits for it first.
  virtual Status Reserve(const IdempotencyRecord& record) = 0;
  // Records what the create that reserved the key made.
  virtual Status Attach(domain::Role actor_role, Id actor_id, std::string_view operation,
                        std::string_view key, const CreatedResource& made) = 0;
  // Forgets keys recorded before `before`; returns how many.
  virtual Result<std::int64_t> Prune(Instant before) = 0;
};

// A committed relational change, recorded in its own transaction, and what must follow it
// outside the relational store (docs/decisions.md "Outbox"): a system message to post on the
// appointment's thread, and live events for the connections of every instance.
struct OutboxEntry {
  Id id = 0;
  // "booked", "cancelled", "rescheduled", "completed", "no_show" or "read" (a read receipt).
  std::string event;
  Id appointment_id = 0;
  std::string origin;  // the instance that made the change
  domain::Role actor_role = domain::Role::kSystem;
  Id actor_id = 0;
  std::optional<std::string> system_message;  // to post on the thread; none: nothing to apply
  std::optional<std::string> read_up_to;      // a read receipt's last message read
  Instant created_at{};
  int attempts = 0;  // failed attempts to apply it so far
};

class OutboxRepository {
 public:
  virtual ~OutboxRepository() = default;
  // Records an entry; one without a system message has nothing to apply and is applied as
  // written.
  virtual Result<Id> Append(const OutboxEntry& entry) = 0;
  // Up to `limit` entries still to apply whose next attempt is due at `now`, oldest first, each
  // leased to the caller until `lease_until` (no claim returns it again before then). On MySQL a
  // row another transaction is claiming is skipped, not waited for (FOR UPDATE SKIP LOCKED).
  virtual Result<std::vector<OutboxEntry>> Claim(Instant now, Instant lease_until, int limit) = 0;
  virtual Status MarkApplied(Id id, Instant at) = 0;
  // An attempt to apply the entry failed: counted, and due again at `retry_at`.
  virtual Status Postpone(Id id, Instant retry_at) = 0;
  // Entries created at or after `since`, by id, at most `limit`: what live delivery relays.
  virtual Result<std::vector<OutboxEntry>> ListCreatedSince(Instant since, int limit) = 0;
  // Entries not applied yet.
  virtual Result<std::int64_t> CountPending() = 0;
  // Deletes applied entries created before `before`; returns how many.
  virtual Result<std::int64_t> Prune(Instant before) = 0;
};

// Which payments a list shows: every field that is set must match.
struct PaymentFilter {
  std::optional<Id> appointment_id;
  std::optional<Id> patient_id;  // the patient of the payment's appointment
  std::optional<domain::PaymentStatus> status;
};

class PaymentRepository {
 public:
  virtual ~PaymentRepository() = default;
  // kAlreadyExists when the transaction_ref is already recorded.
  virtual Result<domain::Payment> Create(const domain::Payment& payment) = 0;
  virtual Result<domain::Payment> Get(Id id) = 0;
  // Get, row-locked until the transaction ends (MySQL), so that changes and refunds of one
  // payment queue.
  virtual Result<domain::Payment> GetForUpdate(Id id) = 0;
  virtual Result<std::optional<domain::Payment>> FindByTransactionRef(const std::string& ref) = 0;
  // The appointment's payments and refunds, by id.
  virtual Result<std::vector<domain::Payment>> ListForAppointment(Id appointment_id) = 0;
  virtual Result<domain::Page<domain::Payment>> List(const PaymentFilter& filter,
                                                     const domain::PageRequest& page) = 0;
  // Sets the status, and paid_at when given.
  virtual Status SetStatus(Id id, domain::PaymentStatus status, std::optional<Instant> paid_at) = 0;
  // The sum of the refunds recorded against the payment.
  virtual Result<std::int64_t> RefundedCents(Id payment_id) = 0;
  // The appointment's balance per currency, by currency code.
  virtual Result<std::vector<domain::CurrencyBalance>> BalanceFor(Id appointment_id) = 0;
};

class PrescriptionRepository {
 public:
  virtual ~PrescriptionRepository() = default;
  // kAlreadyExists when the prescription it supersedes already has a successor.
  virtual Result<domain::Prescription> Create(const domain::Prescription& prescription) = 0;
  virtual Result<domain::Prescription> Get(Id id) = 0;
  virtual Result<domain::PrescriptionListing> GetListing(Id id) = 0;
  // By issue time, then id.
  virtual Result<std::vector<domain::PrescriptionListing>> ListForPatient(Id patient_id) = 0;
  virtual Result<std::vector<domain::PrescriptionListing>> ListForAppointment(
      Id appointment_id) = 0;
};

// Who and where a report row is about: what a row can be grouped by.
struct ReportDimensions {
  std::optional<std::string> timezone;  // the location's IANA zone; absent without a location
  Id doctor_id = 0;
  std::string doctor_name;
  std::string specialization;
  std::optional<Id> location_id;
  std::optional<std::string> location_name;
};

// A slot in a report window, and whether an active appointment holds it.
struct SlotFact {
  Instant start{};
  bool is_available = true;
  bool booked = false;
  ReportDimensions where;
};

// An appointment in a report window, at its slot's start.
struct AppointmentFact {
  Instant start{};
  domain::AppointmentStatus status = domain::AppointmentStatus::kScheduled;
  ReportDimensions where;
};

// Money that moved: a payment when it was paid, or a refund when it was recorded.
struct MoneyFact {
  Instant at{};
  std::int64_t amount_cents = 0;
  std::string currency;
  bool refund = false;
  ReportDimensions where;
};

// The raw facts reports are computed from; the service turns them into local days and groups.
class ReportRepository {
 public:
  virtual ~ReportRepository() = default;
  // Slots and appointments whose slot starts in [from, to).
  virtual Result<std::vector<SlotFact>> Slots(Instant from, Instant to) = 0;
  virtual Result<std::vector<AppointmentFact>> Appointments(Instant from, Instant to) = 0;
  // Payments paid in [from, to) and refunds recorded in [from, to).
  virtual Result<std::vector<MoneyFact>> Money(Instant from, Instant to) = 0;
};

// What the account behind a session is now: whether its row exists, is deleted, and (a doctor's
// only; always true for the other roles) is active.
struct AccountStanding {
  bool exists = false;
  bool deleted = false;
  bool active = false;
};

// A session with its account's standing, read together.
struct SessionWithAccount {
  domain::Session session;
  AccountStanding account;
};

class SessionRepository {
 public:
  virtual ~SessionRepository() = default;
  virtual Result<domain::Session> Create(const domain::Session& session) = 0;
  virtual Result<std::optional<domain::Session>> FindByTokenHash(const std::string& token_hash) = 0;
  // As FindByTokenHash, with the standing of the session's account, in one statement (every
  // authenticated request asks this, so it is one round trip and needs no transaction).
  virtual Result<std::optional<SessionWithAccount>> FindWithAccountByTokenHash(
      const std::string& token_hash) = 0;
  // Slides the expiry of a session that is still in use.
  virtual Status Touch(Id id, Instant last_seen_at, Instant expires_at) = 0;
  virtual Status Revoke(Id id, Instant at) = 0;
  // Revokes every open session of one account (logout everywhere, password change, deletion).
  virtual Status RevokeAllForUser(domain::Role role, Id user_id, Instant at) = 0;
  // Deletes sessions that expired before `before` (revoked ones included: a revoked session
  // keeps its expiry); returns how many.
  virtual Result<std::int64_t> PruneExpired(Instant before) = 0;
};

struct AuditFilter {
  std::optional<domain::Role> actor_role;
  std::optional<Id> actor_id;
  std::optional<std::string> entity;
  std::optional<Id> entity_id;
  std::optional<std::string> action;
  std::optional<Instant> from;  // occurred_at >= from
  std::optional<Instant> to;    // occurred_at < to
};

struct AuditChainHead {
  int chain = 0;
  std::string last_hash;
  std::int64_t last_seq = 0;
};

class AuditRepository {
 public:
  virtual ~AuditRepository() = default;
  // Appends `entry` as the newest row of this transaction's chain (the store gives each
  // connection one of the chains): sets prev_hash and chain_seq from that chain's head (locking
  // it until the transaction ends, so writers on one chain chain one after another), computes
  // hash (domain/audit.hpp), inserts the row and advances the head. Returns the stored row.
  virtual Result<domain::AuditEntry> Append(const domain::AuditEntry& entry) = 0;
  // Matching rows by id, oldest first, keyset-paginated.
  virtual Result<domain::Page<domain::AuditEntry>> List(const AuditFilter& filter,
                                                        const domain::PageRequest& page) = 0;
  // One chain's rows with chain_seq > after_seq, in chain order, at most `limit`.
  virtual Result<std::vector<domain::AuditEntry>> ListChain(int chain, std::int64_t after_seq,
                                                            int limit) = 0;
  // Every chain's head: the hash and chain_seq of its newest row (domain::kAuditGenesisHash and
  // 0 while it is empty), by chain. Read without a lock: for verification.
  virtual Result<std::vector<AuditChainHead>> Heads() = 0;
  // The first row (by id) that belongs to no chain, if any: for verification.
  virtual Result<std::optional<Id>> FirstRowOutsideTheChains() = 0;
};

// What a throttle counter counts (docs/decisions.md "Throttle model"): password checks per
// account, per client address and per account at one address, and registrations per address.
enum class ThrottleSubject { kAccount, kAddress, kAccountAtAddress, kRegistration };

// The throttle counters and the addresses each account logged in from.
class AuthThrottleRepository {
 public:
  virtual ~AuthThrottleRepository() = default;
  // The counter of `subject` (up to 320 bytes), created empty at `now` when there is none, and
  // row-locked until the transaction ends (MySQL; SQLite has one writer), so attempts on one
  // subject queue here and each sees the count the one before left.
  virtual Result<domain::ThrottleCounter> Lock(ThrottleSubject kind, const std::string& subject,
                                               Instant now) = 0;
  virtual Status Save(ThrottleSubject kind, const std::string& subject,
                      const domain::ThrottleCounter& counter, Instant now) = 0;
  // Whether `account` logged in from `address` at or after `since`.
  virtual Result<bool> IsKnownAddress(const std::string& account, const std::string& address,
                                      Instant since) = 0;
  virtual Status RememberAddress(const std::string& account, const std::string& address,
                                 Instant at) = 0;
  // Forgets counters untouched before `idle_before` and addresses last used before
  // `known_before`; returns how many rows went.
  virtual Result<std::int64_t> Prune(Instant idle_before, Instant known_before) = 0;
};

}  // namespace clinic::storage
