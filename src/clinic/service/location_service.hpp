#pragma once

#include <optional>
#include <string>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/domain/entities.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/service/create_once.hpp"
#include "clinic/service/record_update.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::service {

// A location's columns as a create or an update (PATCH) gives them: present fields are set,
// absent ones left as they are. A create needs name, address_line1, city, country and timezone.
struct LocationFields {
  std::optional<std::string> name;
  std::optional<std::string> address_line1;
  NullableUpdate<std::string> address_line2;
  std::optional<std::string> city;
  NullableUpdate<std::string> state_region;
  NullableUpdate<std::string> postal_code;
  std::optional<std::string> country;
  NullableUpdate<std::string> phone;    // stored in E.164 form
  std::optional<std::string> timezone;  // an IANA zone name the tz database knows
};

// The clinic group's locations. Anyone reads them; admins create and change them
// (domain/policy.hpp). Input errors are kInvalidArgument naming every bad field; each write is
// audited in its own transaction ("location.create", "location.update"). Locations are never
// deleted: slots, appointments and payments keep referring to them. Thread-safe.
class LocationService {
 public:
  LocationService(storage::Store& store, const Clock& clock);

  // Once per Idempotency-Key (CreateOnce).
  Result<Created<domain::Location>> Create(const domain::RequestContext& context,
                                           LocationFields fields);
  // kNotFound for an unknown id.
  Result<domain::Location> Get(const domain::RequestContext& context, Id id);
  // Every location by id, one page at a time.
  Result<domain::Page<domain::Location>> List(const domain::RequestContext& context,
                                              const domain::PageRequest& page);
  Result<domain::Location> Update(const domain::RequestContext& context, Id id,
                                  LocationFields fields);

 private:
  storage::Store& store_;
  const Clock& clock_;
};

}  // namespace clinic::service
