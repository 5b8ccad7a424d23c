#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "clinic/common/clock.hpp"
#include "clinic/domain/enums.hpp"
#include "clinic/domain/ids.hpp"

namespace clinic::domain {

// Plain records of the relational core, one per seed table, field for field. They carry no
// behaviour and no I/O; the rules that govern them live in the services. `id`, `created_at` and
// `updated_at` are set by the store; a record built for insertion leaves them at their defaults.

struct Location {
  Id id = 0;
  std::string name;
  std::string address_line1;
  std::optional<std::string> address_line2;
  std::string city;
  std::optional<std::string> state_region;
  std::optional<std::string> postal_code;
  std::string country;
  std::optional<std::string> phone;
  std::string timezone = "UTC";  // an IANA zone name
  Instant created_at{};
  Instant updated_at{};
};

struct Patient {
  Id id = 0;
  std::string first_name;
  std::string last_name;
  std::string email;
  std::optional<std::string> phone;
  std::optional<std::chrono::year_month_day> date_of_birth;
  std::optional<Gender> gender;
  std::optional<std::string> notes;
  std::optional<std::string> password_hash;  // absent until the patient has a portal login
  Instant created_at{};
  Instant updated_at{};
  std::optional<Instant> deleted_at;
};

struct Doctor {
  Id id = 0;
  std::string first_name;
  std::string last_name;
  std::string email;
  std::optional<std::string> phone;
  std::string specialization;
  std::optional<std::string> bio;
  std::optional<Id> location_id;
  std::string password_hash;
  bool is_active = true;
  Instant created_at{};
  Instant updated_at{};
  std::optional<Instant> deleted_at;
};

struct Admin {
  Id id = 0;
  std::string username;
  std::string email;
  std::string password_hash;
  std::optional<Instant> last_login_at;
  Instant created_at{};
  Instant updated_at{};
  std::optional<Instant> deleted_at;
};

// A bookable (or blocked) period of one doctor: the source of truth for booking.
struct Slot {
  Id id = 0;
  Id doctor_id = 0;
  std::optional<Id> location_id;
  Instant start_time_utc{};
  Instant end_time_utc{};
  bool is_available = true;
  Instant created_at{};
  Instant updated_at{};
};

struct Appointment {
  Id id = 0;
  Id slot_id = 0;
  Id doctor_id = 0;
  Id patient_id = 0;
  std::optional<Id> location_id;
  AppointmentStatus status = AppointmentStatus::kScheduled;
  std::optional<std::string> reason;
  std::optional<std::string> notes;
  std::optional<std::string> cancellation_reason;
  // Set when a reschedule to another doctor ended this appointment: the one booked in its place.
  std::optional<Id> rescheduled_to_id;
  Instant created_at{};
  Instant updated_at{};
};

struct Payment {
  Id id = 0;
  Id appointment_id = 0;
  std::int64_t amount_cents = 0;
  std::string currency = "USD";
  PaymentMethod method = PaymentMethod::kCash;
  PaymentStatus status = PaymentStatus::kPending;
  std::optional<std::string> transaction_ref;
  // Set on a refund: the payment it gives money back from.
  std::optional<Id> refund_of_id;
  std::optional<Instant> paid_at;
  Instant created_at{};
  Instant updated_at{};
};

struct Prescription {
  Id id = 0;
  Id appointment_id = 0;
  Id doctor_id = 0;
  Id patient_id = 0;
  std::string instructions;
  // Set on a correction: the prescription it replaces.
  std::optional<Id> supersedes_id;
  Instant issued_at{};
  Instant created_at{};
  Instant updated_at{};
};

// A login. Only the SHA-256 of the bearer token is stored, so a leaked table grants nothing.
struct Session {
  Id id = 0;
  std::string token_hash;
  Role role = Role::kPatient;
  Id user_id = 0;
  Instant created_at{};
  Instant expires_at{};
  Instant last_seen_at{};
  std::optional<Instant> revoked_at;
  std::optional<std::string> client_addr;
};

// One append-only line of the audit trail. `hash` = SHA-256 over `prev_hash` and the row's
// canonical text (domain/audit.hpp), so editing or removing any row breaks every later hash of
// its chain. The trail is several independent chains; `chain_seq` numbers a chain's rows 1, 2, …
// in the order they chained (ids need not be in that order on a cluster).
struct AuditEntry {
  Id id = 0;
  Instant occurred_at{};
  Role actor_role = Role::kSystem;
  std::optional<Id> actor_id;
  std::string action;
  std::string entity;
  std::optional<Id> entity_id;
  std::optional<std::string> client_addr;
  std::optional<std::string> request_id;         // the server's own
  std::optional<std::string> client_request_id;  // the client's X-Request-Id, when it sent one
  std::optional<std::string> details;
  std::string prev_hash;
  std::string hash;
  int chain = 0;
  std::int64_t chain_seq = 0;
};

}  // namespace clinic::domain
