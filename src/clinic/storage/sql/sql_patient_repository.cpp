#include "clinic/storage/sql/sql_patient_repository.hpp"

#include "clinic/storage/sql/sql_queries.hpp"

namespace clinic::storage::sql {
namespace {

using domain::Patient;

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

std::optional<std::string> DateText(const std::optional<std::chrono::year_month_day>& d) {
  if (!d) return std::nullopt;
  return FormatDate(*d);
}

std::optional<std::string> GenderText(const std::optional<domain::Gender>& g) {
  if (!g) return std::nullopt;
  return std::string(domain::Name(*g));
}

}  // namespace

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

Result<Patient> SqlPatientRepository::GetForUpdate(Id id) {
  CLINIC_TRY_STATUS(BumpLockVersion(c_, PatientTable::kTable, id));
  return GetById<PatientTable>(c_, id, RowLockSuffix(c_));
}

Result<std::optional<Patient>> SqlPatientRepository::FindByEmail(const std::string& email) {
  return QueryOne<PatientTable>(c_, Select<PatientTable>("WHERE email = ?"), {Value{email}});
}

Result<domain::Page<Patient>> SqlPatientRepository::List(const PersonFilter& filter,
                                                         const domain::PageRequest& page) {
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

}  // namespace clinic::storage::sql
