#pragma once

#include "clinic/storage/repositories.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::sql {

// The admins port over `admins`; FindByLogin matches the username or the email.
// Runs on a connection that is inside an open transaction; the SQL is portable between SQLite
// and MySQL except where a method says otherwise.
class SqlAdminRepository final : public AdminRepository {
 public:
  explicit SqlAdminRepository(Connection& c) : c_(c) {}
  Result<domain::Admin> Create(const domain::Admin& admin) override;
  Result<domain::Admin> Get(Id id) override;
  Result<std::optional<domain::Admin>> FindByLogin(const std::string& login) override;
  Result<domain::Page<domain::Admin>> List(const PersonFilter& filter,
                                           const domain::PageRequest& page) override;
  Result<domain::Admin> Update(const domain::Admin& admin) override;
  Status SetDeletedAt(Id id, std::optional<Instant> deleted_at) override;
  Status RecordLogin(Id id, Instant at) override;

 private:
  Connection& c_;
};

}  // namespace clinic::storage::sql
