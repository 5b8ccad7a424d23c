#pragma once

#include "clinic/storage/repositories.hpp"
#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::sql {

// The locations port over `clinic_locations`.
// Runs on a connection that is inside an open transaction; the SQL is portable between SQLite
// and MySQL except where a method says otherwise.
class SqlLocationRepository final : public LocationRepository {
 public:
  explicit SqlLocationRepository(Connection& c) : c_(c) {}
  Result<domain::Location> Create(const domain::Location& location) override;
  Result<domain::Location> Get(Id id) override;
  Result<domain::Page<domain::Location>> List(const domain::PageRequest& page) override;
  Result<domain::Location> Update(const domain::Location& location) override;

 private:
  Connection& c_;
};

}  // namespace clinic::storage::sql
