#include "clinic/storage/sql/sql_admin_repository.hpp"

#include "clinic/storage/sql/sql_queries.hpp"

namespace clinic::storage::sql {
namespace {

using domain::Admin;

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

}  // namespace

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

Result<domain::Page<Admin>> SqlAdminRepository::List(const PersonFilter& filter,
                                                     const domain::PageRequest& page) {
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

}  // namespace clinic::storage::sql
