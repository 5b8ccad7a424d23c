#include "clinic/storage/sql/sql_location_repository.hpp"

#include "clinic/storage/sql/sql_queries.hpp"

namespace clinic::storage::sql {
namespace {

using domain::Location;

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

}  // namespace

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

Result<domain::Page<Location>> SqlLocationRepository::List(const domain::PageRequest& page) {
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

}  // namespace clinic::storage::sql
