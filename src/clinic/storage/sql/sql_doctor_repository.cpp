#include "clinic/storage/sql/sql_doctor_repository.hpp"

#include "clinic/storage/sql/sql_queries.hpp"
#include "clinic/storage/sql/sql_tables.hpp"

namespace clinic::storage::sql {

using domain::Doctor;

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

Status SqlDoctorRepository::Lock(Id id) { return BumpLockVersion(c_, DoctorTable::kTable, id); }

Result<Doctor> SqlDoctorRepository::GetForUpdate(Id id) {
  CLINIC_TRY_STATUS(BumpLockVersion(c_, DoctorTable::kTable, id));
  return GetById<DoctorTable>(c_, id, RowLockSuffix(c_));
}

Result<std::optional<Doctor>> SqlDoctorRepository::FindByEmail(const std::string& email) {
  return QueryOne<DoctorTable>(c_, Select<DoctorTable>("WHERE email = ?"), {Value{email}});
}

Result<domain::Page<Doctor>> SqlDoctorRepository::List(const DoctorFilter& filter,
                                                       const domain::PageRequest& page) {
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

}  // namespace clinic::storage::sql
