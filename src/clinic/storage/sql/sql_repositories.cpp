#include "clinic/storage/sql/sql_repositories.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>

#include "clinic/domain/audit.hpp"
#include "clinic/storage/sql/sql_values.hpp"

namespace clinic::storage::sql {

std::string ContainsPattern(const std::string& text) {
  std::string pattern = "%";
  for (const char ch : text) {
    if (ch == '%' || ch == '_' || ch == '!') pattern.push_back('!');
    pattern.push_back(ch);
  }
  pattern.push_back('%');
  return pattern;
}

namespace {

using domain::Admin;
using domain::Appointment;
using domain::AuditEntry;
using domain::Doctor;
using domain::Location;
using domain::Patient;
using domain::Payment;
using domain::Prescription;
using domain::Session;
using domain::Slot;

// Per-entity table name, column list and row mapping; the generic helpers below use them so each
// SELECT shape is written once.
struct LocationTable {
  using Record = Location;
  static constexpr std::string_view kTable = "clinic_locations";
  static constexpr std::string_view kNoun = "location";
  static constexpr std::string_view kColumns =
      "id, name, address_line1, address_line2, city, state_region, postal_code, country, phone, "
      "timezone, created_at, updated_at";
  static Location FromRow(const Row& r) {
    return Location{r.Int(0),     r.Text(1),    r.Text(2),        r.OptText(3),
                    r.Text(4),    r.OptText(5), r.OptText(6),     r.Text(7),
                    r.OptText(8), r.Text(9),    InstantAt(r, 10), InstantAt(r, 11)};
  }
};

struct PatientTable {
  using Record = Patient;
  static constexpr std::string_view kTable = "patients";
  static constexpr std::string_view kNoun = "patient";
  static constexpr std::string_view kColumns =
      "id, first_name, last_name, email, phone, date_of_birth, gender, notes, password_hash, "
      "created_at, updated_at, deleted_at";
  static Patient FromRow(const Row& r) {
    Patient p;
    p.id = r.Int(0);
    p.first_name = r.Text(1);
    p.last_name = r.Text(2);
    p.email = r.Text(3);
    p.phone = r.OptText(4);
    if (auto dob = r.OptText(5)) p.date_of_birth = ParseDate(*dob);
    if (auto gender = r.OptText(6)) p.gender = domain::ParseGender(*gender);
    p.notes = r.OptText(7);
    p.password_hash = r.OptText(8);
    p.created_at = InstantAt(r, 9);
    p.updated_at = InstantAt(r, 10);
    p.deleted_at = OptInstantAt(r, 11);
    return p;
  }
};

struct DoctorTable {
  using Record = Doctor;
  static constexpr std::string_view kTable = "doctors";
  static constexpr std::string_view kNoun = "doctor";
  static constexpr std::string_view kColumns =
      "id, first_name, last_name, email, phone, specialization, bio, location_id, password_hash, "
      "is_active, created_at, updated_at, deleted_at";
  static Doctor FromRow(const Row& r) {
    return Doctor{r.Int(0),         r.Text(1),        r.Text(2),          r.Text(3), r.OptText(4),
                  r.Text(5),        r.OptText(6),     r.OptInt(7),        r.Text(8), r.Bool(9),
                  InstantAt(r, 10), InstantAt(r, 11), OptInstantAt(r, 12)};
  }
};

struct AdminTable {
  using Record = Admin;
  static constexpr std::string_view kTable = "admins";
  static constexpr std::string_view kNoun = "admin";
  static constexpr std::string_view kColumns =
      "id, username, email, password_hash, last_login_at, created_at, updated_at, deleted_at";
  static Admin FromRow(const Row& r) {
    return Admin{r.Int(0),           r.Text(1),       r.Text(2),       r.Text(3),
                 OptInstantAt(r, 4), InstantAt(r, 5), InstantAt(r, 6), OptInstantAt(r, 7)};
  }
};

struct SlotTable {
  using Record = Slot;
  static constexpr std::string_view kTable = "doctor_time_slots";
  static constexpr std::string_view kNoun = "slot";
  static constexpr std::string_view kColumns =
      "id, doctor_id, location_id, start_time_utc, end_time_utc, is_available, created_at, "
      "updated_at";
  static Slot FromRow(const Row& r) {
    return Slot{r.Int(0),        r.Int(1),  r.OptInt(2),     InstantAt(r, 3),
                InstantAt(r, 4), r.Bool(5), InstantAt(r, 6), InstantAt(r, 7)};
  }
};

struct AppointmentTable {
  using Record = Appointment;
  static constexpr std::string_view kTable = "appointments";
  static constexpr std::string_view kNoun = "appointment";
  static constexpr std::string_view kColumns =
      "id, slot_id, doctor_id, patient_id, location_id, status, reason, notes, "
      "cancellation_reason, created_at, updated_at";
  static Appointment FromRow(const Row& r) {
    return Appointment{
        r.Int(0),
        r.Int(1),
        r.Int(2),
        r.Int(3),
        r.OptInt(4),
        domain::ParseAppointmentStatus(r.Text(5)).value_or(domain::AppointmentStatus::kScheduled),
        r.OptText(6),
        r.OptText(7),
        r.OptText(8),
        InstantAt(r, 9),
        InstantAt(r, 10)};
  }
};

struct PaymentTable {
  using Record = Payment;
  static constexpr std::string_view kTable = "payments";
  static constexpr std::string_view kNoun = "payment";
  static constexpr std::string_view kColumns =
      "id, appointment_id, amount_cents, currency, method, status, transaction_ref, refund_of_id, "
      "paid_at, created_at, updated_at";
  static Payment FromRow(const Row& r) {
    return Payment{r.Int(0),
                   r.Int(1),
                   r.Int(2),
                   r.Text(3),
                   domain::ParsePaymentMethod(r.Text(4)).value_or(domain::PaymentMethod::kOther),
                   domain::ParsePaymentStatus(r.Text(5)).value_or(domain::PaymentStatus::kPending),
                   r.OptText(6),
                   r.OptInt(7),
                   OptInstantAt(r, 8),
                   InstantAt(r, 9),
                   InstantAt(r, 10)};
  }
};

struct PrescriptionTable {
  using Record = Prescription;
  static constexpr std::string_view kTable = "prescriptions";
  static constexpr std::string_view kNoun = "prescription";
  static constexpr std::string_view kColumns =
      "id, appointment_id, doctor_id, patient_id, instructions, supersedes_id, issued_at, "
      "created_at, updated_at";
  static Prescription FromRow(const Row& r) {
    return Prescription{r.Int(0),    r.Int(1),        r.Int(2),        r.Int(3),       r.Text(4),
                        r.OptInt(5), InstantAt(r, 6), InstantAt(r, 7), InstantAt(r, 8)};
  }
};

struct SessionTable {
  using Record = Session;
  static constexpr std::string_view kTable = "sessions";
  static constexpr std::string_view kNoun = "session";
  static constexpr std::string_view kColumns =
      "id, token_hash, role, user_id, created_at, expires_at, last_seen_at, revoked_at, "
      "client_addr";
  static Session FromRow(const Row& r) {
    return Session{r.Int(0),
                   r.Text(1),
                   domain::ParseRole(r.Text(2)).value_or(domain::Role::kPatient),
                   r.Int(3),
                   InstantAt(r, 4),
                   InstantAt(r, 5),
                   InstantAt(r, 6),
                   OptInstantAt(r, 7),
                   r.OptText(8)};
  }
};

struct AuditTable {
  using Record = AuditEntry;
  static constexpr std::string_view kTable = "audit_log";
  static constexpr std::string_view kNoun = "audit row";
  static constexpr std::string_view kColumns =
      "id, occurred_at, actor_role, actor_id, action, entity, entity_id, client_addr, request_id, "
      "details, prev_hash, hash, client_request_id, chain, chain_seq";
  static AuditEntry FromRow(const Row& r) {
    AuditEntry e;
    e.id = r.Int(0);
    e.occurred_at = InstantAt(r, 1);
    e.actor_role = domain::ParseRole(r.Text(2)).value_or(domain::Role::kSystem);
    e.actor_id = r.OptInt(3);
    e.action = r.Text(4);
    e.entity = r.Text(5);
    e.entity_id = r.OptInt(6);
    e.client_addr = r.OptText(7);
    e.request_id = r.OptText(8);
    e.details = r.OptText(9);
    e.prev_hash = r.Text(10);
    e.hash = r.Text(11);
    e.client_request_id = r.OptText(12);
    e.chain = static_cast<int>(r.Int(13));
    e.chain_seq = r.Int(14);
    return e;
  }
};

// Appended to a SELECT that must lock its rows until the transaction ends. Only MySQL needs it:
// SQLite has no row locks, and its write transactions (BEGIN IMMEDIATE) already exclude each
// other.
std::string_view RowLockSuffix(const Connection& c) {
  return c.dialect() == Dialect::kMysql ? " FOR UPDATE" : "";
}

template <typename Table>
std::string Select(std::string_view where) {
  return fmt::format("SELECT {} FROM {} {}", Table::kColumns, Table::kTable, where);
}

template <typename Table>
Result<std::vector<typename Table::Record>> QueryAll(Connection& c, const std::string& sql,
                                                     std::span<const Value> params) {
  CLINIC_ASSIGN_OR_RETURN(auto rows, c.Query(sql, params));
  std::vector<typename Table::Record> records;
  records.reserve(rows.size());
  for (const auto& row : rows) records.push_back(Table::FromRow(row));
  return records;
}

template <typename Table>
Result<std::optional<typename Table::Record>> QueryOne(Connection& c, const std::string& sql,
                                                       std::initializer_list<Value> params) {
  CLINIC_ASSIGN_OR_RETURN(auto records,
                          QueryAll<Table>(c, sql, std::span(params.begin(), params.size())));
  if (records.empty()) return std::optional<typename Table::Record>{};
  return std::optional<typename Table::Record>{std::move(records.front())};
}

template <typename Table>
Result<typename Table::Record> GetById(Connection& c, Id id, std::string_view suffix = "") {
  CLINIC_ASSIGN_OR_RETURN(
      auto found,
      QueryOne<Table>(c, Select<Table>(fmt::format("WHERE id = ?{}", suffix)), {Value{id}}));
  if (!found) return Fail(Error::NotFound(fmt::format("{} {} not found", Table::kNoun, id)));
  return std::move(*found);
}

// Runs `where` (which must start with "WHERE") plus keyset pagination on id.
template <typename Table>
Result<Page<typename Table::Record>> QueryPage(Connection& c, std::string where,
                                               std::vector<Value> params, const PageRequest& page) {
  const int limit = page.limit < 1 ? 1 : page.limit;
  where += " AND id > ? ORDER BY id LIMIT ?";
  params.emplace_back(page.after_id.value_or(0));
  params.emplace_back(static_cast<std::int64_t>(limit) + 1);
  CLINIC_ASSIGN_OR_RETURN(auto records, QueryAll<Table>(c, Select<Table>(where), params));
  Page<typename Table::Record> out;
  if (records.size() > static_cast<std::size_t>(limit)) {
    records.resize(static_cast<std::size_t>(limit));
    out.next_after_id = records.back().id;
  }
  out.items = std::move(records);
  return out;
}

template <typename Table>
Status SetDeleted(Connection& c, Id id, std::optional<Instant> deleted_at) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c.Execute(fmt::format("UPDATE {} SET deleted_at = ? WHERE id = ?", Table::kTable),
                {ToValue(deleted_at), Value{id}}));
  if (result.affected_rows == 0) CLINIC_TRY_STATUS(GetById<Table>(c, id));
  return Ok();
}

// Appends the soft-delete filter and the substring search shared by the people tables.
void AddPersonFilter(const PersonFilter& filter,
                     std::initializer_list<std::string_view> search_columns, std::string& where,
                     std::vector<Value>& params) {
  if (!filter.include_deleted) where += " AND deleted_at IS NULL";
  if (!filter.q || filter.q->empty()) return;
  const std::string pattern = ContainsPattern(*filter.q);
  std::vector<std::string> terms;
  for (const auto column : search_columns) {
    terms.push_back(fmt::format("{} LIKE ? ESCAPE '!'", column));
    params.emplace_back(pattern);
  }
  where += fmt::format(" AND ({})", fmt::join(terms, " OR "));
}

std::optional<std::string> DateText(const std::optional<std::chrono::year_month_day>& d) {
  if (!d) return std::nullopt;
  return FormatDate(*d);
}

std::optional<std::string> GenderText(const std::optional<domain::Gender>& g) {
  if (!g) return std::nullopt;
  return std::string(domain::Name(*g));
}

// The end of a list query ordered by (start time, id): the [from, to) window on the start, the
// keyset position `after`, the order and `limit` + 1 rows (the extra one tells the caller that
// another page follows).
void AppendStartOrderedPage(std::string_view start_column, std::string_view id_column,
                            const std::optional<Instant>& from, const std::optional<Instant>& to,
                            const std::optional<std::pair<Instant, Id>>& after, int limit,
                            std::string& sql, std::vector<Value>& params) {
  if (from) {
    sql += fmt::format(" AND {} >= ?", start_column);
    params.push_back(ToValue(*from));
  }
  if (to) {
    sql += fmt::format(" AND {} < ?", start_column);
    params.push_back(ToValue(*to));
  }
  if (after) {
    sql += fmt::format(" AND ({0} > ? OR ({0} = ? AND {1} > ?))", start_column, id_column);
    params.push_back(ToValue(after->first));
    params.push_back(ToValue(after->first));
    params.emplace_back(after->second);
  }
  sql += fmt::format(" ORDER BY {}, {} LIMIT ?", start_column, id_column);
  params.emplace_back(static_cast<std::int64_t>(limit < 1 ? 1 : limit) + 1);
}

Value RoleValue(domain::Role role) { return Value{std::string(domain::Name(role))}; }

// The auth_throttle.subject_kind spelling.
Value SubjectKindValue(ThrottleSubject kind) {
  switch (kind) {
    case ThrottleSubject::kAccount:
      return Value{std::string("account")};
    case ThrottleSubject::kAddress:
      return Value{std::string("address")};
    case ThrottleSubject::kAccountAtAddress:
      return Value{std::string("account_address")};
    case ThrottleSubject::kRegistration:
      return Value{std::string("registration")};
  }
  return Value{std::string("account")};
}

}  // namespace

// --- locations ---

Result<Location> SqlLocationRepository::Create(const Location& l) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute("INSERT INTO clinic_locations (name, address_line1, address_line2, city, "
                 "state_region, postal_code, country, phone, timezone) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 {Value{l.name}, Value{l.address_line1}, ToValue(l.address_line2), Value{l.city},
                  ToValue(l.state_region), ToValue(l.postal_code), Value{l.country},
                  ToValue(l.phone), Value{l.timezone}}));
  return Get(result.last_insert_id);
}

Result<Location> SqlLocationRepository::Get(Id id) { return GetById<LocationTable>(c_, id); }

Result<Page<Location>> SqlLocationRepository::List(const PageRequest& page) {
  return QueryPage<LocationTable>(c_, "WHERE 1 = 1", {}, page);
}

Result<Location> SqlLocationRepository::Update(const Location& l) {
  CLINIC_TRY_STATUS(
      c_.Execute("UPDATE clinic_locations SET name = ?, address_line1 = ?, address_line2 = ?, "
                 "city = ?, state_region = ?, postal_code = ?, country = ?, phone = ?, "
                 "timezone = ? WHERE id = ?",
                 {Value{l.name}, Value{l.address_line1}, ToValue(l.address_line2), Value{l.city},
                  ToValue(l.state_region), ToValue(l.postal_code), Value{l.country},
                  ToValue(l.phone), Value{l.timezone}, Value{l.id}}));
  return Get(l.id);
}

// --- patients ---

Result<Patient> SqlPatientRepository::Create(const Patient& p) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute("INSERT INTO patients (first_name, last_name, email, phone, date_of_birth, "
                 "gender, notes, password_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 {Value{p.first_name}, Value{p.last_name}, Value{p.email}, ToValue(p.phone),
                  ToValue(DateText(p.date_of_birth)), ToValue(GenderText(p.gender)),
                  ToValue(p.notes), ToValue(p.password_hash)}));
  return Get(result.last_insert_id);
}

Result<Patient> SqlPatientRepository::Get(Id id) { return GetById<PatientTable>(c_, id); }

// Locks a doctor's or patient's row for a rule that spans other rows. On MySQL the row is also
// written (its lock_version bumped; updated_at set to itself so it keeps its value): a Galera
// node's row lock does not reach other nodes, but certification refuses the second of two
// transactions that wrote the same row. SQLite's write transactions exclude each other already.
Status BumpLockVersion(Connection& c, std::string_view table, Id id) {
  if (c.dialect() != Dialect::kMysql) return Ok();
  CLINIC_TRY_STATUS(c.Execute(fmt::format("UPDATE {} SET lock_version = lock_version + 1, "
                                          "updated_at = updated_at WHERE id = ?",
                                          table),
                              {Value{id}}));
  return Ok();
}

Result<Patient> SqlPatientRepository::GetForUpdate(Id id) {
  CLINIC_TRY_STATUS(BumpLockVersion(c_, PatientTable::kTable, id));
  return GetById<PatientTable>(c_, id, RowLockSuffix(c_));
}

Result<std::optional<Patient>> SqlPatientRepository::FindByEmail(const std::string& email) {
  return QueryOne<PatientTable>(c_, Select<PatientTable>("WHERE email = ?"), {Value{email}});
}

Result<Page<Patient>> SqlPatientRepository::List(const PersonFilter& filter,
                                                 const PageRequest& page) {
  std::string where = "WHERE 1 = 1";
  std::vector<Value> params;
  AddPersonFilter(filter, {"first_name", "last_name", "email"}, where, params);
  if (filter.with_doctor_id) {
    where += " AND id IN (SELECT patient_id FROM appointments WHERE doctor_id = ?)";
    params.emplace_back(*filter.with_doctor_id);
  }
  return QueryPage<PatientTable>(c_, std::move(where), std::move(params), page);
}

Result<Patient> SqlPatientRepository::Update(const Patient& p) {
  CLINIC_TRY_STATUS(
      c_.Execute("UPDATE patients SET first_name = ?, last_name = ?, email = ?, phone = ?, "
                 "date_of_birth = ?, gender = ?, notes = ?, password_hash = ? WHERE id = ?",
                 {Value{p.first_name}, Value{p.last_name}, Value{p.email}, ToValue(p.phone),
                  ToValue(DateText(p.date_of_birth)), ToValue(GenderText(p.gender)),
                  ToValue(p.notes), ToValue(p.password_hash), Value{p.id}}));
  return Get(p.id);
}

Status SqlPatientRepository::SetDeletedAt(Id id, std::optional<Instant> deleted_at) {
  return SetDeleted<PatientTable>(c_, id, deleted_at);
}

// --- doctors ---

Result<Doctor> SqlDoctorRepository::Create(const Doctor& d) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute("INSERT INTO doctors (first_name, last_name, email, phone, specialization, bio, "
                 "location_id, password_hash, is_active) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 {Value{d.first_name}, Value{d.last_name}, Value{d.email}, ToValue(d.phone),
                  Value{d.specialization}, ToValue(d.bio), ToValue(d.location_id),
                  Value{d.password_hash}, ToValue(d.is_active)}));
  return Get(result.last_insert_id);
}

Result<Doctor> SqlDoctorRepository::Get(Id id) { return GetById<DoctorTable>(c_, id); }

Result<Doctor> SqlDoctorRepository::GetForUpdate(Id id) {
  CLINIC_TRY_STATUS(BumpLockVersion(c_, DoctorTable::kTable, id));
  return GetById<DoctorTable>(c_, id, RowLockSuffix(c_));
}

Result<std::optional<Doctor>> SqlDoctorRepository::FindByEmail(const std::string& email) {
  return QueryOne<DoctorTable>(c_, Select<DoctorTable>("WHERE email = ?"), {Value{email}});
}

Result<Page<Doctor>> SqlDoctorRepository::List(const DoctorFilter& filter,
                                               const PageRequest& page) {
  std::string where = "WHERE 1 = 1";
  std::vector<Value> params;
  const PersonFilter person{.q = filter.q, .include_deleted = filter.include_deleted};
  if (filter.q_matches_contact_details) {
    AddPersonFilter(person, {"first_name", "last_name", "email", "specialization"}, where, params);
  } else {
    AddPersonFilter(person, {"first_name", "last_name", "specialization"}, where, params);
  }
  if (!filter.include_inactive) where += " AND is_active = 1";
  if (filter.specialization) {
    // Case-insensitive on both backends: MySQL's collation already is, SQLite's column is not.
    where += c_.dialect() == Dialect::kSqlite ? " AND specialization = ? COLLATE NOCASE"
                                              : " AND specialization = ?";
    params.emplace_back(*filter.specialization);
  }
  if (filter.location_id) {
    where += " AND location_id = ?";
    params.emplace_back(*filter.location_id);
  }
  return QueryPage<DoctorTable>(c_, std::move(where), std::move(params), page);
}

Result<Doctor> SqlDoctorRepository::Update(const Doctor& d) {
  CLINIC_TRY_STATUS(
      c_.Execute("UPDATE doctors SET first_name = ?, last_name = ?, email = ?, phone = ?, "
                 "specialization = ?, bio = ?, location_id = ?, password_hash = ?, is_active = ? "
                 "WHERE id = ?",
                 {Value{d.first_name}, Value{d.last_name}, Value{d.email}, ToValue(d.phone),
                  Value{d.specialization}, ToValue(d.bio), ToValue(d.location_id),
                  Value{d.password_hash}, ToValue(d.is_active), Value{d.id}}));
  return Get(d.id);
}

Status SqlDoctorRepository::SetDeletedAt(Id id, std::optional<Instant> deleted_at) {
  return SetDeleted<DoctorTable>(c_, id, deleted_at);
}

// --- admins ---

Result<Admin> SqlAdminRepository::Create(const Admin& a) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute("INSERT INTO admins (username, email, password_hash) VALUES (?, ?, ?)",
                 {Value{a.username}, Value{a.email}, Value{a.password_hash}}));
  return Get(result.last_insert_id);
}

Result<Admin> SqlAdminRepository::Get(Id id) { return GetById<AdminTable>(c_, id); }

Result<std::optional<Admin>> SqlAdminRepository::FindByLogin(const std::string& login) {
  return QueryOne<AdminTable>(c_, Select<AdminTable>("WHERE username = ? OR email = ?"),
                              {Value{login}, Value{login}});
}

Result<Page<Admin>> SqlAdminRepository::List(const PersonFilter& filter, const PageRequest& page) {
  std::string where = "WHERE 1 = 1";
  std::vector<Value> params;
  AddPersonFilter(filter, {"username", "email"}, where, params);
  return QueryPage<AdminTable>(c_, std::move(where), std::move(params), page);
}

Result<Admin> SqlAdminRepository::Update(const Admin& a) {
  CLINIC_TRY_STATUS(
      c_.Execute("UPDATE admins SET username = ?, email = ?, password_hash = ? WHERE id = ?",
                 {Value{a.username}, Value{a.email}, Value{a.password_hash}, Value{a.id}}));
  return Get(a.id);
}

Status SqlAdminRepository::SetDeletedAt(Id id, std::optional<Instant> deleted_at) {
  return SetDeleted<AdminTable>(c_, id, deleted_at);
}

Status SqlAdminRepository::RecordLogin(Id id, Instant at) {
  CLINIC_TRY_STATUS(
      c_.Execute("UPDATE admins SET last_login_at = ? WHERE id = ?", {ToValue(at), Value{id}}));
  return Ok();
}

// --- slots ---

Result<Slot> SqlSlotRepository::Create(const Slot& s) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute("INSERT INTO doctor_time_slots (doctor_id, location_id, start_time_utc, "
                 "end_time_utc, is_available) VALUES (?, ?, ?, ?, ?)",
                 {Value{s.doctor_id}, ToValue(s.location_id), ToValue(s.start_time_utc),
                  ToValue(s.end_time_utc), ToValue(s.is_available)}));
  return Get(result.last_insert_id);
}

Result<Slot> SqlSlotRepository::Get(Id id) { return GetById<SlotTable>(c_, id); }

Result<std::vector<DoctorSlotListing>> SqlSlotRepository::ListForDoctor(Id doctor_id, Instant from,
                                                                        Instant to) {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows,
      c_.Query("SELECT s.id, s.doctor_id, s.location_id, s.start_time_utc, s.end_time_utc, "
               "s.is_available, s.created_at, s.updated_at, l.timezone, a.id "
               "FROM doctor_time_slots s "
               "LEFT JOIN clinic_locations l ON l.id = s.location_id "
               "LEFT JOIN appointments a ON a.slot_id = s.id AND a.status <> 'cancelled' "
               "WHERE s.doctor_id = ? AND s.start_time_utc >= ? AND s.start_time_utc < ? "
               "ORDER BY s.start_time_utc, s.id",
               {Value{doctor_id}, ToValue(from), ToValue(to)}));
  std::vector<DoctorSlotListing> listings;
  listings.reserve(rows.size());
  for (const auto& row : rows) {
    listings.push_back({.slot = SlotTable::FromRow(row),
                        .timezone = row.OptText(8),
                        .appointment_id = row.OptInt(9)});
  }
  return listings;
}

Result<bool> SqlSlotRepository::Overlaps(Id doctor_id, Instant start, Instant end) {
  CLINIC_ASSIGN_OR_RETURN(auto rows,
                          c_.Query("SELECT 1 FROM doctor_time_slots WHERE doctor_id = ? AND "
                                   "start_time_utc < ? AND end_time_utc > ? LIMIT 1",
                                   {Value{doctor_id}, ToValue(end), ToValue(start)}));
  return !rows.empty();
}

Status SqlSlotRepository::SetAvailable(Id id, bool is_available) {
  CLINIC_ASSIGN_OR_RETURN(auto result,
                          c_.Execute("UPDATE doctor_time_slots SET is_available = ? WHERE id = ?",
                                     {ToValue(is_available), Value{id}}));
  if (result.affected_rows == 0) CLINIC_TRY_STATUS(Get(id));
  return Ok();
}

Result<std::int64_t> SqlSlotRepository::SetAvailableInRange(Id doctor_id, Instant from, Instant to,
                                                            bool is_available) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result, c_.Execute("UPDATE doctor_time_slots SET is_available = ? "
                              "WHERE doctor_id = ? AND start_time_utc >= ? AND start_time_utc < ? "
                              "AND is_available <> ? AND NOT EXISTS (SELECT 1 FROM appointments a "
                              "WHERE a.slot_id = doctor_time_slots.id AND a.status <> 'cancelled')",
                              {ToValue(is_available), Value{doctor_id}, ToValue(from), ToValue(to),
                               ToValue(is_available)}));
  return static_cast<std::int64_t>(result.affected_rows);
}

Status SqlSlotRepository::Delete(Id id) {
  CLINIC_ASSIGN_OR_RETURN(auto result,
                          c_.Execute("DELETE FROM doctor_time_slots WHERE id = ?", {Value{id}}));
  if (result.affected_rows == 0) {
    return Fail(Error::NotFound(fmt::format("slot {} not found", id)));
  }
  return Ok();
}

Result<std::vector<SlotListing>> SqlSlotRepository::Search(const SlotSearch& search) {
  // One statement: the doctor's state and the location's zone come from joins, and "free" is a
  // NOT EXISTS on the active appointments (idx_appt_slot), so a page costs one round trip. The
  // (start_time_utc, id) keyset walks idx_slot_start, or idx_slot_doctor_start for one doctor.
  std::string sql =
      "SELECT s.id, s.doctor_id, s.location_id, s.start_time_utc, s.end_time_utc, "
      "s.is_available, s.created_at, s.updated_at, l.timezone "
      "FROM doctor_time_slots s "
      "JOIN doctors d ON d.id = s.doctor_id "
      "LEFT JOIN clinic_locations l ON l.id = s.location_id "
      "WHERE s.is_available = 1 AND d.is_active = 1 AND d.deleted_at IS NULL "
      "AND NOT EXISTS (SELECT 1 FROM appointments a "
      "WHERE a.slot_id = s.id AND a.status <> 'cancelled')";
  std::vector<Value> params;
  if (search.doctor_id) {
    sql += " AND s.doctor_id = ?";
    params.emplace_back(*search.doctor_id);
  }
  if (search.specialization) {
    sql += " AND d.specialization = ?";
    params.emplace_back(*search.specialization);
  }
  if (search.location_id) {
    sql += " AND s.location_id = ?";
    params.emplace_back(*search.location_id);
  }
  // One lower bound, the later of "now" and `from`: with two, the planner may seek the index to
  // the earlier one and filter its way through every slot in between.
  const Instant from = search.from ? std::max(*search.from, search.not_before) : search.not_before;
  AppendStartOrderedPage("s.start_time_utc", "s.id", from, search.to, search.after, search.limit,
                         sql, params);
  CLINIC_ASSIGN_OR_RETURN(auto rows, c_.Query(sql, params));
  std::vector<SlotListing> listings;
  listings.reserve(rows.size());
  for (const auto& row : rows) {
    listings.push_back({SlotTable::FromRow(row), row.OptText(8)});
  }
  return listings;
}

// --- working hours ---

Result<std::optional<domain::WorkingHours>> SqlWorkingHoursRepository::Get(Id doctor_id) {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows,
      c_.Query("SELECT location_id, slot_minutes, horizon_days, weekday, start_minute, end_minute "
               "FROM working_hours WHERE doctor_id = ? ORDER BY weekday, start_minute, id",
               {Value{doctor_id}}));
  if (rows.empty()) return std::optional<domain::WorkingHours>{};
  domain::WorkingHours hours{.doctor_id = doctor_id,
                             .location_id = rows.front().Int(0),
                             .slot_minutes = static_cast<int>(rows.front().Int(1)),
                             .horizon_days = static_cast<int>(rows.front().Int(2))};
  for (const auto& row : rows) {
    hours.weekly.push_back({.weekday = static_cast<int>(row.Int(3)),
                            .start = std::chrono::minutes(row.Int(4)),
                            .end = std::chrono::minutes(row.Int(5))});
  }
  return std::optional<domain::WorkingHours>{std::move(hours)};
}

Result<std::vector<Id>> SqlWorkingHoursRepository::ListDoctorIds() {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows, c_.Query("SELECT DISTINCT doctor_id FROM working_hours ORDER BY doctor_id", {}));
  std::vector<Id> ids;
  ids.reserve(rows.size());
  for (const auto& row : rows) ids.push_back(row.Int(0));
  return ids;
}

Status SqlWorkingHoursRepository::Replace(const domain::WorkingHours& hours) {
  CLINIC_TRY_STATUS(
      c_.Execute("DELETE FROM working_hours WHERE doctor_id = ?", {Value{hours.doctor_id}}));
  for (const auto& interval : hours.weekly) {
    CLINIC_TRY_STATUS(c_.Execute(
        "INSERT INTO working_hours (doctor_id, location_id, slot_minutes, horizon_days, weekday, "
        "start_minute, end_minute) VALUES (?, ?, ?, ?, ?, ?, ?)",
        {Value{hours.doctor_id}, Value{hours.location_id}, Value{std::int64_t{hours.slot_minutes}},
         Value{std::int64_t{hours.horizon_days}}, Value{std::int64_t{interval.weekday}},
         Value{std::int64_t{interval.start.count()}}, Value{std::int64_t{interval.end.count()}}}));
  }
  return Ok();
}

// --- appointments ---

namespace {

// The appointment columns (AppointmentTable order) plus the slot's times, the location's zone
// and name, and the patient's and the doctor's names.
constexpr std::string_view kAppointmentListingSelect =
    "SELECT a.id, a.slot_id, a.doctor_id, a.patient_id, a.location_id, a.status, a.reason, "
    "a.notes, a.cancellation_reason, a.created_at, a.updated_at, s.start_time_utc, "
    "s.end_time_utc, l.timezone, p.first_name, p.last_name, d.first_name, d.last_name, "
    "d.specialization, l.name "
    "FROM appointments a "
    "JOIN doctor_time_slots s ON s.id = a.slot_id "
    "JOIN patients p ON p.id = a.patient_id "
    "JOIN doctors d ON d.id = a.doctor_id "
    "LEFT JOIN clinic_locations l ON l.id = a.location_id";

AppointmentListing ListingFromRow(const Row& row) {
  return {.appointment = AppointmentTable::FromRow(row),
          .start_time_utc = InstantAt(row, 11),
          .end_time_utc = InstantAt(row, 12),
          .timezone = row.OptText(13),
          .patient = {.first_name = row.Text(14), .last_name = row.Text(15)},
          .doctor = {.first_name = row.Text(16), .last_name = row.Text(17)},
          .doctor_specialization = row.Text(18),
          .location_name = row.OptText(19)};
}

}  // namespace

Result<Appointment> SqlAppointmentRepository::Create(const Appointment& a) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute(
          "INSERT INTO appointments (slot_id, doctor_id, patient_id, location_id, status, "
          "reason, notes) VALUES (?, ?, ?, ?, ?, ?, ?)",
          {Value{a.slot_id}, Value{a.doctor_id}, Value{a.patient_id}, ToValue(a.location_id),
           Value{std::string(domain::Name(a.status))}, ToValue(a.reason), ToValue(a.notes)}));
  return Get(result.last_insert_id);
}

Result<Appointment> SqlAppointmentRepository::Get(Id id) {
  return GetById<AppointmentTable>(c_, id);
}

Result<Appointment> SqlAppointmentRepository::GetForUpdate(Id id) {
  return GetById<AppointmentTable>(c_, id, RowLockSuffix(c_));
}

Result<AppointmentListing> SqlAppointmentRepository::GetListing(Id id) {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows,
      c_.Query(fmt::format("{} WHERE a.id = ?", kAppointmentListingSelect), {Value{id}}));
  if (rows.empty()) return Fail(Error::NotFound(fmt::format("appointment {} not found", id)));
  return ListingFromRow(rows.front());
}

Result<std::optional<Appointment>> SqlAppointmentRepository::FindActiveBySlot(Id slot_id) {
  return QueryOne<AppointmentTable>(
      c_, Select<AppointmentTable>("WHERE slot_id = ? AND status <> 'cancelled'"),
      {Value{slot_id}});
}

Result<std::vector<AppointmentListing>> SqlAppointmentRepository::List(
    const AppointmentFilter& filter) {
  std::string sql = fmt::format("{} WHERE 1 = 1", kAppointmentListingSelect);
  std::vector<Value> params;
  const auto match = [&](std::string_view column, const std::optional<Id>& value) {
    if (!value) return;
    sql += fmt::format(" AND {} = ?", column);
    params.emplace_back(*value);
  };
  match("a.patient_id", filter.patient_id);
  match("a.doctor_id", filter.doctor_id);
  match("a.location_id", filter.location_id);
  if (filter.status) {
    sql += " AND a.status = ?";
    params.emplace_back(std::string(domain::Name(*filter.status)));
  }
  AppendStartOrderedPage("s.start_time_utc", "a.id", filter.from, filter.to, filter.after,
                         filter.limit, sql, params);
  CLINIC_ASSIGN_OR_RETURN(auto rows, c_.Query(sql, params));
  std::vector<AppointmentListing> listings;
  listings.reserve(rows.size());
  for (const auto& row : rows) listings.push_back(ListingFromRow(row));
  return listings;
}

Status SqlAppointmentRepository::SetStatus(Id id, domain::AppointmentStatus status) {
  CLINIC_ASSIGN_OR_RETURN(auto result,
                          c_.Execute("UPDATE appointments SET status = ? WHERE id = ?",
                                     {Value{std::string(domain::Name(status))}, Value{id}}));
  if (result.affected_rows == 0) CLINIC_TRY_STATUS(Get(id));
  return Ok();
}

Status SqlAppointmentRepository::SetNotes(Id id, const std::optional<std::string>& notes) {
  CLINIC_ASSIGN_OR_RETURN(auto result, c_.Execute("UPDATE appointments SET notes = ? WHERE id = ?",
                                                  {ToValue(notes), Value{id}}));
  if (result.affected_rows == 0) CLINIC_TRY_STATUS(Get(id));
  return Ok();
}

Status SqlAppointmentRepository::Cancel(Id id, const std::optional<std::string>& reason) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute(
          "UPDATE appointments SET status = 'cancelled', cancellation_reason = ? WHERE id = ?",
          {ToValue(reason), Value{id}}));
  if (result.affected_rows == 0) CLINIC_TRY_STATUS(Get(id));
  return Ok();
}

Status SqlAppointmentRepository::MoveToSlot(Id id, const domain::Slot& slot) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute("UPDATE appointments SET slot_id = ?, doctor_id = ?, location_id = ? WHERE id = ?",
                 {Value{slot.id}, Value{slot.doctor_id}, ToValue(slot.location_id), Value{id}}));
  if (result.affected_rows == 0) CLINIC_TRY_STATUS(Get(id));
  return Ok();
}

Result<bool> SqlAppointmentRepository::PatientHasOverlap(Id patient_id, Instant start, Instant end,
                                                         std::optional<Id> except) {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows,
      c_.Query("SELECT 1 FROM appointments a JOIN doctor_time_slots s ON s.id = a.slot_id "
               "WHERE a.patient_id = ? AND a.status <> 'cancelled' AND a.id <> ? "
               "AND s.start_time_utc < ? AND s.end_time_utc > ? LIMIT 1",
               {Value{patient_id}, Value{except.value_or(0)}, ToValue(end), ToValue(start)}));
  return !rows.empty();
}

Result<bool> SqlAppointmentRepository::ExistsBetween(Id doctor_id, Id patient_id) {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows,
      c_.Query("SELECT 1 FROM appointments WHERE doctor_id = ? AND patient_id = ? LIMIT 1",
               {Value{doctor_id}, Value{patient_id}}));
  return !rows.empty();
}

// --- payments ---

Result<Payment> SqlPaymentRepository::Create(const Payment& p) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute(
          "INSERT INTO payments (appointment_id, amount_cents, currency, method, status, "
          "transaction_ref, refund_of_id, paid_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
          {Value{p.appointment_id}, Value{p.amount_cents}, Value{p.currency},
           Value{std::string(domain::Name(p.method))}, Value{std::string(domain::Name(p.status))},
           ToValue(p.transaction_ref), ToValue(p.refund_of_id), ToValue(p.paid_at)}));
  return Get(result.last_insert_id);
}

Result<Payment> SqlPaymentRepository::Get(Id id) { return GetById<PaymentTable>(c_, id); }

Result<Payment> SqlPaymentRepository::GetForUpdate(Id id) {
  return GetById<PaymentTable>(c_, id, RowLockSuffix(c_));
}

Result<std::optional<Payment>> SqlPaymentRepository::FindByTransactionRef(const std::string& ref) {
  return QueryOne<PaymentTable>(c_, Select<PaymentTable>("WHERE transaction_ref = ?"),
                                {Value{ref}});
}

Result<std::vector<Payment>> SqlPaymentRepository::ListForAppointment(Id appointment_id) {
  const std::vector<Value> params{Value{appointment_id}};
  return QueryAll<PaymentTable>(c_, Select<PaymentTable>("WHERE appointment_id = ? ORDER BY id"),
                                params);
}

Result<Page<Payment>> SqlPaymentRepository::List(const PaymentFilter& filter,
                                                 const PageRequest& page) {
  std::string where = "WHERE 1 = 1";
  std::vector<Value> params;
  if (filter.appointment_id) {
    where += " AND appointment_id = ?";
    params.emplace_back(*filter.appointment_id);
  }
  if (filter.patient_id) {
    where += " AND appointment_id IN (SELECT id FROM appointments WHERE patient_id = ?)";
    params.emplace_back(*filter.patient_id);
  }
  if (filter.status) {
    where += " AND status = ?";
    params.emplace_back(std::string(domain::Name(*filter.status)));
  }
  return QueryPage<PaymentTable>(c_, std::move(where), std::move(params), page);
}

Status SqlPaymentRepository::SetStatus(Id id, domain::PaymentStatus status,
                                       std::optional<Instant> paid_at) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute("UPDATE payments SET status = ?, paid_at = COALESCE(?, paid_at) WHERE id = ?",
                 {Value{std::string(domain::Name(status))}, ToValue(paid_at), Value{id}}));
  if (result.affected_rows == 0) CLINIC_TRY_STATUS(Get(id));
  return Ok();
}

Result<std::int64_t> SqlPaymentRepository::RefundedCents(Id payment_id) {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows,
      c_.Query("SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE refund_of_id = ?",
               {Value{payment_id}}));
  return rows.empty() ? 0 : rows.front().Int(0);
}

Result<std::vector<CurrencyBalance>> SqlPaymentRepository::BalanceFor(Id appointment_id) {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows,
      c_.Query("SELECT currency, "
               "COALESCE(SUM(CASE WHEN refund_of_id IS NULL AND paid_at IS NOT NULL "
               "THEN amount_cents ELSE 0 END), 0), "
               "COALESCE(SUM(CASE WHEN refund_of_id IS NOT NULL THEN amount_cents ELSE 0 END), 0) "
               "FROM payments WHERE appointment_id = ? GROUP BY currency ORDER BY currency",
               {Value{appointment_id}}));
  std::vector<CurrencyBalance> balances;
  balances.reserve(rows.size());
  for (const auto& row : rows) balances.push_back({row.Text(0), row.Int(1), row.Int(2)});
  return balances;
}

// --- prescriptions ---

namespace {

// The prescription columns (PrescriptionTable order) plus the id of the one that replaced it.
constexpr std::string_view kPrescriptionListingSelect =
    "SELECT p.id, p.appointment_id, p.doctor_id, p.patient_id, p.instructions, p.supersedes_id, "
    "p.issued_at, p.created_at, p.updated_at, n.id "
    "FROM prescriptions p LEFT JOIN prescriptions n ON n.supersedes_id = p.id";

Result<std::vector<PrescriptionListing>> QueryPrescriptionListings(Connection& c,
                                                                   std::string_view where, Id id) {
  CLINIC_ASSIGN_OR_RETURN(auto rows, c.Query(fmt::format("{} WHERE {} ORDER BY p.issued_at, p.id",
                                                         kPrescriptionListingSelect, where),
                                             {Value{id}}));
  std::vector<PrescriptionListing> listings;
  listings.reserve(rows.size());
  for (const auto& row : rows) listings.push_back({PrescriptionTable::FromRow(row), row.OptInt(9)});
  return listings;
}

}  // namespace

Result<Prescription> SqlPrescriptionRepository::Create(const Prescription& p) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute("INSERT INTO prescriptions (appointment_id, doctor_id, patient_id, instructions, "
                 "supersedes_id, issued_at) VALUES (?, ?, ?, ?, ?, ?)",
                 {Value{p.appointment_id}, Value{p.doctor_id}, Value{p.patient_id},
                  Value{p.instructions}, ToValue(p.supersedes_id), ToValue(p.issued_at)}));
  return Get(result.last_insert_id);
}

Result<Prescription> SqlPrescriptionRepository::Get(Id id) {
  return GetById<PrescriptionTable>(c_, id);
}

Result<PrescriptionListing> SqlPrescriptionRepository::GetListing(Id id) {
  CLINIC_ASSIGN_OR_RETURN(auto listings, QueryPrescriptionListings(c_, "p.id = ?", id));
  if (listings.empty()) return Fail(Error::NotFound(fmt::format("prescription {} not found", id)));
  return std::move(listings.front());
}

Result<std::vector<PrescriptionListing>> SqlPrescriptionRepository::ListForPatient(Id patient_id) {
  return QueryPrescriptionListings(c_, "p.patient_id = ?", patient_id);
}

Result<std::vector<PrescriptionListing>> SqlPrescriptionRepository::ListForAppointment(
    Id appointment_id) {
  return QueryPrescriptionListings(c_, "p.appointment_id = ?", appointment_id);
}

// --- reports ---

namespace {

// The dimensions of a report row, from the columns a report query selects after its own:
// timezone, doctor id, first and last name, specialization, location id, location name.
ReportDimensions DimensionsAt(const Row& row, std::size_t first) {
  return {.timezone = row.OptText(first),
          .doctor_id = row.Int(first + 1),
          .doctor_name = fmt::format("{} {}", row.Text(first + 2), row.Text(first + 3)),
          .specialization = row.Text(first + 4),
          .location_id = row.OptInt(first + 5),
          .location_name = row.OptText(first + 6)};
}

// The dimension columns (see DimensionsAt) for a row whose doctor is `d` and location `l`.
constexpr std::string_view kDimensionColumns =
    "l.timezone, d.id, d.first_name, d.last_name, d.specialization, l.id, l.name";

}  // namespace

Result<std::vector<SlotFact>> SqlReportRepository::Slots(Instant from, Instant to) {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows,
      c_.Query(fmt::format("SELECT s.start_time_utc, s.is_available, "
                           "EXISTS (SELECT 1 FROM appointments a WHERE a.slot_id = s.id "
                           "AND a.status <> 'cancelled'), {} "
                           "FROM doctor_time_slots s JOIN doctors d ON d.id = s.doctor_id "
                           "LEFT JOIN clinic_locations l ON l.id = s.location_id "
                           "WHERE s.start_time_utc >= ? AND s.start_time_utc < ?",
                           kDimensionColumns),
               {ToValue(from), ToValue(to)}));
  std::vector<SlotFact> facts;
  facts.reserve(rows.size());
  for (const auto& row : rows) {
    facts.push_back({InstantAt(row, 0), row.Bool(1), row.Int(2) != 0, DimensionsAt(row, 3)});
  }
  return facts;
}

Result<std::vector<AppointmentFact>> SqlReportRepository::Appointments(Instant from, Instant to) {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows,
      c_.Query(fmt::format("SELECT s.start_time_utc, a.status, {} "
                           "FROM appointments a JOIN doctor_time_slots s ON s.id = a.slot_id "
                           "JOIN doctors d ON d.id = a.doctor_id "
                           "LEFT JOIN clinic_locations l ON l.id = a.location_id "
                           "WHERE s.start_time_utc >= ? AND s.start_time_utc < ?",
                           kDimensionColumns),
               {ToValue(from), ToValue(to)}));
  std::vector<AppointmentFact> facts;
  facts.reserve(rows.size());
  for (const auto& row : rows) {
    facts.push_back({InstantAt(row, 0),
                     domain::ParseAppointmentStatus(row.Text(1))
                         .value_or(domain::AppointmentStatus::kScheduled),
                     DimensionsAt(row, 2)});
  }
  return facts;
}

Result<std::vector<MoneyFact>> SqlReportRepository::Money(Instant from, Instant to) {
  // A payment counts when it was paid, a refund when it was recorded.
  CLINIC_ASSIGN_OR_RETURN(
      auto rows,
      c_.Query(fmt::format(
                   "SELECT CASE WHEN p.refund_of_id IS NULL THEN p.paid_at ELSE p.created_at END, "
                   "p.amount_cents, p.currency, p.refund_of_id IS NOT NULL, {} "
                   "FROM payments p JOIN appointments a ON a.id = p.appointment_id "
                   "JOIN doctors d ON d.id = a.doctor_id "
                   "LEFT JOIN clinic_locations l ON l.id = a.location_id "
                   "WHERE (p.refund_of_id IS NULL AND p.paid_at >= ? AND p.paid_at < ?) "
                   "OR (p.refund_of_id IS NOT NULL AND p.created_at >= ? AND p.created_at < ?)",
                   kDimensionColumns),
               {ToValue(from), ToValue(to), ToValue(from), ToValue(to)}));
  std::vector<MoneyFact> facts;
  facts.reserve(rows.size());
  for (const auto& row : rows) {
    facts.push_back(
        {InstantAt(row, 0), row.Int(1), row.Text(2), row.Int(3) != 0, DimensionsAt(row, 4)});
  }
  return facts;
}

// --- sessions ---

Result<Session> SqlSessionRepository::Create(const Session& s) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute("INSERT INTO sessions (token_hash, role, user_id, expires_at, last_seen_at, "
                 "revoked_at, client_addr) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 {Value{s.token_hash}, RoleValue(s.role), Value{s.user_id}, ToValue(s.expires_at),
                  ToValue(s.last_seen_at), ToValue(s.revoked_at), ToValue(s.client_addr)}));
  return GetById<SessionTable>(c_, result.last_insert_id);
}

Result<std::optional<Session>> SqlSessionRepository::FindByTokenHash(
    const std::string& token_hash) {
  return QueryOne<SessionTable>(c_, Select<SessionTable>("WHERE token_hash = ?"),
                                {Value{token_hash}});
}

Status SqlSessionRepository::Touch(Id id, Instant last_seen_at, Instant expires_at) {
  CLINIC_ASSIGN_OR_RETURN(
      auto result, c_.Execute("UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?",
                              {ToValue(last_seen_at), ToValue(expires_at), Value{id}}));
  if (result.affected_rows == 0) CLINIC_TRY_STATUS(GetById<SessionTable>(c_, id));
  return Ok();
}

Status SqlSessionRepository::Revoke(Id id, Instant at) {
  // Only an open session changes, so a repeated logout keeps the first revocation time.
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                 {ToValue(at), Value{id}}));
  if (result.affected_rows == 0) CLINIC_TRY_STATUS(GetById<SessionTable>(c_, id));
  return Ok();
}

Status SqlSessionRepository::RevokeAllForUser(domain::Role role, Id user_id, Instant at) {
  CLINIC_TRY_STATUS(c_.Execute(
      "UPDATE sessions SET revoked_at = ? WHERE role = ? AND user_id = ? AND revoked_at IS NULL",
      {ToValue(at), RoleValue(role), Value{user_id}}));
  return Ok();
}

Result<std::int64_t> SqlSessionRepository::PruneExpired(Instant before) {
  CLINIC_ASSIGN_OR_RETURN(
      auto deleted, c_.Execute("DELETE FROM sessions WHERE expires_at < ?", {ToValue(before)}));
  return deleted.affected_rows;
}

// --- audit trail ---

Result<AuditEntry> SqlAuditRepository::Append(const AuditEntry& entry) {
  // The lock on the chain's head row serialises the appenders of one chain on MySQL: the second
  // waits here until the first commits, then chains to the row the first added. Writers on other
  // chains do not wait. On a Galera cluster two nodes appending to one chain both update the head
  // row and insert the same (chain, chain_seq), so certification lets only one commit.
  CLINIC_ASSIGN_OR_RETURN(
      auto head,
      c_.Query(fmt::format("SELECT last_hash, last_seq FROM audit_chain_head WHERE id = ?{}",
                           RowLockSuffix(c_)),
               {Value{std::int64_t{chain_}}}));
  if (head.empty()) return Fail(Error::Internal("an audit chain head row is missing"));
  AuditEntry row = entry;
  row.prev_hash = head.front().Text(0);
  row.chain = chain_;
  row.chain_seq = head.front().Int(1) + 1;
  row.hash = domain::AuditChainHash(row, row.prev_hash);
  CLINIC_ASSIGN_OR_RETURN(
      auto result,
      c_.Execute("INSERT INTO audit_log (occurred_at, actor_role, actor_id, action, entity, "
                 "entity_id, client_addr, request_id, client_request_id, details, prev_hash, hash, "
                 "chain, chain_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 {ToValue(row.occurred_at), RoleValue(row.actor_role), ToValue(row.actor_id),
                  Value{row.action}, Value{row.entity}, ToValue(row.entity_id),
                  ToValue(row.client_addr), ToValue(row.request_id), ToValue(row.client_request_id),
                  ToValue(row.details), Value{row.prev_hash}, Value{row.hash},
                  Value{std::int64_t{row.chain}}, Value{row.chain_seq}}));
  CLINIC_TRY_STATUS(
      c_.Execute("UPDATE audit_chain_head SET last_hash = ?, last_seq = ? WHERE id = ?",
                 {Value{row.hash}, Value{row.chain_seq}, Value{std::int64_t{chain_}}}));
  row.id = result.last_insert_id;
  return row;
}

Result<Page<AuditEntry>> SqlAuditRepository::List(const AuditFilter& filter,
                                                  const PageRequest& page) {
  std::string where = "WHERE 1 = 1";
  std::vector<Value> params;
  const auto add = [&](std::string_view condition, Value value) {
    where += condition;
    params.push_back(std::move(value));
  };
  if (filter.actor_role) add(" AND actor_role = ?", RoleValue(*filter.actor_role));
  if (filter.actor_id) add(" AND actor_id = ?", Value{*filter.actor_id});
  if (filter.entity) add(" AND entity = ?", Value{*filter.entity});
  if (filter.entity_id) add(" AND entity_id = ?", Value{*filter.entity_id});
  if (filter.action) add(" AND action = ?", Value{*filter.action});
  if (filter.from) add(" AND occurred_at >= ?", ToValue(*filter.from));
  if (filter.to) add(" AND occurred_at < ?", ToValue(*filter.to));
  return QueryPage<AuditTable>(c_, std::move(where), std::move(params), page);
}

Result<std::vector<AuditEntry>> SqlAuditRepository::ListChain(int chain, std::int64_t after_seq,
                                                              int limit) {
  const std::array<Value, 3> params{Value{std::int64_t{chain}}, Value{after_seq},
                                    Value{std::int64_t{limit}}};
  return QueryAll<AuditTable>(
      c_, Select<AuditTable>("WHERE chain = ? AND chain_seq > ? ORDER BY chain_seq LIMIT ?"),
      params);
}

Result<std::vector<AuditChainHead>> SqlAuditRepository::Heads() {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows, c_.Query("SELECT id, last_hash, last_seq FROM audit_chain_head ORDER BY id"));
  std::vector<AuditChainHead> heads;
  heads.reserve(rows.size());
  for (const auto& row : rows) {
    heads.push_back({static_cast<int>(row.Int(0)), row.Text(1), row.Int(2)});
  }
  return heads;
}

Result<std::optional<Id>> SqlAuditRepository::FirstRowOutsideTheChains() {
  CLINIC_ASSIGN_OR_RETURN(auto rows,
                          c_.Query("SELECT MIN(id) FROM audit_log "
                                   "WHERE chain NOT IN (SELECT id FROM audit_chain_head)"));
  if (rows.empty() || rows.front().IsNull(0)) return std::optional<Id>();
  return std::optional<Id>(rows.front().Int(0));
}

// --- throttle counters ---

Result<domain::ThrottleCounter> SqlAuthThrottleRepository::Lock(ThrottleSubject kind,
                                                                const std::string& subject,
                                                                Instant now) {
  // The no-op update of a duplicate takes the row's exclusive lock at once (INSERT IGNORE would
  // take a shared one, and two racers upgrading it would deadlock).
  CLINIC_TRY_STATUS(c_.Execute(
      c_.dialect() == Dialect::kMysql
          ? "INSERT INTO auth_throttle (subject_kind, subject, window_started_at, attempts, "
            "strikes, blocked_until, updated_at) VALUES (?, ?, ?, 0, 0, NULL, ?) "
            "ON DUPLICATE KEY UPDATE attempts = attempts"
          : "INSERT INTO auth_throttle (subject_kind, subject, window_started_at, attempts, "
            "strikes, blocked_until, updated_at) VALUES (?, ?, ?, 0, 0, NULL, ?) "
            "ON CONFLICT (subject_kind, subject) DO NOTHING",
      {SubjectKindValue(kind), Value{subject}, ToValue(now), ToValue(now)}));
  CLINIC_ASSIGN_OR_RETURN(
      auto rows, c_.Query(fmt::format("SELECT window_started_at, attempts, strikes, blocked_until "
                                      "FROM auth_throttle WHERE subject_kind = ? AND subject = ?{}",
                                      RowLockSuffix(c_)),
                          {SubjectKindValue(kind), Value{subject}}));
  if (rows.empty()) return Fail(Error::Internal("a throttle counter vanished while locked"));
  const auto& row = rows.front();
  return domain::ThrottleCounter{.attempts = static_cast<int>(row.Int(1)),
                                 .window_started_at = InstantAt(row, 0),
                                 .strikes = static_cast<int>(row.Int(2)),
                                 .blocked_until = OptInstantAt(row, 3)};
}

Status SqlAuthThrottleRepository::Save(ThrottleSubject kind, const std::string& subject,
                                       const domain::ThrottleCounter& counter, Instant now) {
  CLINIC_TRY_STATUS(
      c_.Execute("UPDATE auth_throttle SET window_started_at = ?, attempts = ?, strikes = ?, "
                 "blocked_until = ?, updated_at = ? WHERE subject_kind = ? AND subject = ?",
                 {ToValue(counter.window_started_at), Value{std::int64_t{counter.attempts}},
                  Value{std::int64_t{counter.strikes}}, ToValue(counter.blocked_until),
                  ToValue(now), SubjectKindValue(kind), Value{subject}}));
  return Ok();
}

Result<bool> SqlAuthThrottleRepository::IsKnownAddress(const std::string& account,
                                                       const std::string& address, Instant since) {
  CLINIC_ASSIGN_OR_RETURN(auto rows,
                          c_.Query("SELECT 1 FROM known_login_addresses "
                                   "WHERE account = ? AND address = ? AND last_success_at >= ?",
                                   {Value{account}, Value{address}, ToValue(since)}));
  return !rows.empty();
}

Status SqlAuthThrottleRepository::RememberAddress(const std::string& account,
                                                  const std::string& address, Instant at) {
  CLINIC_TRY_STATUS(c_.Execute(
      c_.dialect() == Dialect::kMysql
          ? "INSERT INTO known_login_addresses (account, address, last_success_at) "
            "VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE last_success_at = VALUES(last_success_at)"
          : "INSERT INTO known_login_addresses (account, address, last_success_at) "
            "VALUES (?, ?, ?) ON CONFLICT (account, address) "
            "DO UPDATE SET last_success_at = excluded.last_success_at",
      {Value{account}, Value{address}, ToValue(at)}));
  return Ok();
}

Result<std::int64_t> SqlAuthThrottleRepository::Prune(Instant idle_before, Instant known_before) {
  CLINIC_ASSIGN_OR_RETURN(auto counters,
                          c_.Execute("DELETE FROM auth_throttle WHERE updated_at < ? AND "
                                     "(blocked_until IS NULL OR blocked_until < ?)",
                                     {ToValue(idle_before), ToValue(idle_before)}));
  CLINIC_ASSIGN_OR_RETURN(auto addresses,
                          c_.Execute("DELETE FROM known_login_addresses WHERE last_success_at < ?",
                                     {ToValue(known_before)}));
  return counters.affected_rows + addresses.affected_rows;
}

// --- idempotency keys ---

Result<std::optional<IdempotencyRecord>> SqlIdempotencyRepository::Find(domain::Role actor_role,
                                                                        Id actor_id,
                                                                        std::string_view operation,
                                                                        std::string_view key) {
  CLINIC_ASSIGN_OR_RETURN(
      auto rows,
      c_.Query("SELECT request_hash, resource_id, created_at FROM idempotency_keys "
               "WHERE actor_role = ? AND actor_id = ? AND operation = ? AND idem_key = ?",
               {RoleValue(actor_role), Value{actor_id}, Value{std::string(operation)},
                Value{std::string(key)}}));
  if (rows.empty()) return std::optional<IdempotencyRecord>{};
  const auto& row = rows.front();
  return std::optional<IdempotencyRecord>{IdempotencyRecord{.actor_role = actor_role,
                                                            .actor_id = actor_id,
                                                            .operation = std::string(operation),
                                                            .key = std::string(key),
                                                            .request_hash = row.Text(0),
                                                            .resource_id = row.Int(1),
                                                            .created_at = InstantAt(row, 2)}};
}

Status SqlIdempotencyRepository::Reserve(const IdempotencyRecord& record) {
  CLINIC_TRY_STATUS(c_.Execute(
      "INSERT INTO idempotency_keys (actor_role, actor_id, operation, idem_key, request_hash, "
      "resource_id, created_at) VALUES (?, ?, ?, ?, ?, 0, ?)",
      {RoleValue(record.actor_role), Value{record.actor_id}, Value{record.operation},
       Value{record.key}, Value{record.request_hash}, ToValue(record.created_at)}));
  return Ok();
}

Status SqlIdempotencyRepository::Attach(domain::Role actor_role, Id actor_id,
                                        std::string_view operation, std::string_view key,
                                        Id resource_id) {
  CLINIC_TRY_STATUS(
      c_.Execute("UPDATE idempotency_keys SET resource_id = ? "
                 "WHERE actor_role = ? AND actor_id = ? AND operation = ? AND idem_key = ?",
                 {Value{resource_id}, RoleValue(actor_role), Value{actor_id},
                  Value{std::string(operation)}, Value{std::string(key)}}));
  return Ok();
}

Result<std::int64_t> SqlIdempotencyRepository::Prune(Instant before) {
  CLINIC_ASSIGN_OR_RETURN(
      auto deleted,
      c_.Execute("DELETE FROM idempotency_keys WHERE created_at < ?", {ToValue(before)}));
  return deleted.affected_rows;
}

}  // namespace clinic::storage::sql
