#include "clinic/service/location_service.hpp"

#include "clinic/domain/policy.hpp"
#include "clinic/domain/validator.hpp"
#include "clinic/service/audit_trail.hpp"

namespace clinic::service {
namespace {

using domain::Action;
using storage::InTransaction;
using storage::Transaction;
using storage::TxMode;

// Column sizes of clinic_locations.
constexpr std::size_t kNameMaxChars = 120;
constexpr std::size_t kAddressLineMaxChars = 255;
constexpr std::size_t kRegionMaxChars = 100;  // city, state_region, country
constexpr std::size_t kPostalCodeMaxChars = 20;

Status CheckFields(LocationFields& fields, bool creating) {
  domain::Validator check;
  CheckRequiredText(check, "name", fields.name, kNameMaxChars, creating);
  CheckRequiredText(check, "address_line1", fields.address_line1, kAddressLineMaxChars, creating);
  CheckNullableText(check, "address_line2", fields.address_line2, kAddressLineMaxChars);
  CheckRequiredText(check, "city", fields.city, kRegionMaxChars, creating);
  CheckNullableText(check, "state_region", fields.state_region, kRegionMaxChars);
  CheckNullableText(check, "postal_code", fields.postal_code, kPostalCodeMaxChars);
  CheckRequiredText(check, "country", fields.country, kRegionMaxChars, creating);
  if (fields.phone) *fields.phone = check.Phone("phone", *fields.phone);
  // Required on create although the column defaults to UTC: a location's local times (working
  // hours, the slots shown to patients) would silently be wrong with a forgotten zone.
  if (fields.timezone) {
    check.TimeZone("timezone", *fields.timezone);
  } else if (creating) {
    check.Add("timezone", "is required");
  }
  return check.Finish("the location is not valid");
}

void Apply(const LocationFields& fields, domain::Location& location) {
  if (fields.name) location.name = *fields.name;
  if (fields.address_line1) location.address_line1 = *fields.address_line1;
  if (fields.address_line2) location.address_line2 = *fields.address_line2;
  if (fields.city) location.city = *fields.city;
  if (fields.state_region) location.state_region = *fields.state_region;
  if (fields.postal_code) location.postal_code = *fields.postal_code;
  if (fields.country) location.country = *fields.country;
  if (fields.phone) location.phone = *fields.phone;
  if (fields.timezone) location.timezone = *fields.timezone;
}

std::string UpdateDetails(const LocationFields& f) {
  return ChangedFieldsDetails({{"name", f.name.has_value()},
                               {"address_line1", f.address_line1.has_value()},
                               {"address_line2", f.address_line2.has_value()},
                               {"city", f.city.has_value()},
                               {"state_region", f.state_region.has_value()},
                               {"postal_code", f.postal_code.has_value()},
                               {"country", f.country.has_value()},
                               {"phone", f.phone.has_value()},
                               {"timezone", f.timezone.has_value()}});
}

}  // namespace

LocationService::LocationService(storage::Store& store, const Clock& clock)
    : store_(store), clock_(clock) {}

Result<Created<domain::Location>> LocationService::Create(const domain::RequestContext& context,
                                                          LocationFields fields) {
  CLINIC_TRY_STATUS(domain::AuthorizeLocation(context.actor, Action::kCreate));
  CLINIC_TRY_STATUS(CheckFields(fields, /*creating=*/true));
  domain::Location location;
  Apply(fields, location);
  return CreateOnce(
      store_, clock_, context, "location.create",
      [&](Transaction& tx) -> Result<Id> {
        CLINIC_ASSIGN_OR_RETURN(auto created, tx.locations().Create(location));
        CLINIC_TRY_STATUS(Audit(tx, clock_, context, "location.create", "location", created.id));
        return created.id;
      },
      [](Transaction& tx, Id id) { return tx.locations().Get(id); });
}

Result<domain::Location> LocationService::Get(const domain::RequestContext& context, Id id) {
  CLINIC_TRY_STATUS(domain::AuthorizeLocation(context.actor, Action::kRead));
  return InTransaction(store_, TxMode::kRead,
                       [&](Transaction& tx) { return tx.locations().Get(id); });
}

Result<domain::Page<domain::Location>> LocationService::List(const domain::RequestContext& context,
                                                             const domain::PageRequest& page) {
  CLINIC_TRY_STATUS(domain::AuthorizeLocation(context.actor, Action::kList));
  return InTransaction(store_, TxMode::kRead,
                       [&](Transaction& tx) { return tx.locations().List(page); });
}

Result<domain::Location> LocationService::Update(const domain::RequestContext& context, Id id,
                                                 LocationFields fields) {
  CLINIC_TRY_STATUS(domain::AuthorizeLocation(context.actor, Action::kUpdate));
  CLINIC_TRY_STATUS(CheckFields(fields, /*creating=*/false));
  return InTransaction(store_, TxMode::kWrite, [&](Transaction& tx) -> Result<domain::Location> {
    CLINIC_ASSIGN_OR_RETURN(auto location, tx.locations().Get(id));
    Apply(fields, location);
    CLINIC_ASSIGN_OR_RETURN(auto updated, tx.locations().Update(location));
    CLINIC_TRY_STATUS(
        Audit(tx, clock_, context, "location.update", "location", id, UpdateDetails(fields)));
    return updated;
  });
}

}  // namespace clinic::service
