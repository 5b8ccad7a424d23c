#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "clinic/domain/entities.hpp"
#include "clinic/domain/message.hpp"
#include "clinic/domain/policy.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/http/field_rules.hpp"
#include "clinic/storage/repositories.hpp"

namespace clinic::http {

// Records as the API shows them: the seed's column names as field names, instants as RFC 3339
// UTC strings, dates as "YYYY-MM-DD", booleans as booleans, ids as numbers, absent values as null.
// Password hashes never leave the server.

boost::json::object ToJson(const domain::Location& location);
boost::json::object ToJson(const domain::Patient& patient);
boost::json::object ToJson(const domain::Doctor& doctor);
// The doctor as `view` shows it (domain::DoctorViewFor): the public profile leaves out the contact
// details (email, phone) and the account state (is_active, deleted_at).
boost::json::object ToJson(const domain::Doctor& doctor, domain::DoctorView view);
boost::json::object ToJson(const domain::Admin& admin);
boost::json::object ToJson(const domain::Principal& principal);  // {role, id}
boost::json::object ToJson(const domain::Slot& slot);

// `local: {start, end, timezone}` for a period in the IANA zone `timezone` (RFC 3339 with the
// zone's offset at each instant, "2026-12-01T17:00:00+08:00"); null without a known zone.
boost::json::value LocalTimesJson(const std::optional<std::string>& timezone, Instant start,
                                  Instant end);

// A free slot as the search shows it: the slot and `local`.
boost::json::object ToJson(const domain::SlotListing& listing);

// A slot of a doctor's own schedule: the slot, `local` and `appointment_id` (the active
// appointment holding it, or null).
boost::json::object ToJson(const domain::DoctorSlotListing& listing);

// An appointment with its slot's `start_time_utc`, `end_time_utc` and `local`, and
// `patient {id, first_name, last_name}`, `doctor {id, first_name, last_name, specialization}` and
// `location {id, name, timezone}` (null without a location).
boost::json::object ToJson(const domain::AppointmentListing& listing);

boost::json::object ToJson(const domain::Payment& payment);

// A message as the stored document shows it (the seed's shape, `_id` a hex string, instants
// RFC 3339) plus `html`: its markdown rendered safely, or null.
boost::json::object ToJson(const domain::Message& message);
// [{currency, paid_cents, refunded_cents, net_cents}]
boost::json::array BalanceJson(const std::vector<domain::CurrencyBalance>& balance);
// The prescription with `superseded_by` and `status`: "active", or "superseded" once replaced.
boost::json::object ToJson(const domain::PrescriptionListing& listing);

// A list page: {items, next_cursor} with next_cursor null on the last page.
template <typename Page, typename Encode>
boost::json::object PageJson(const Page& page, Encode encode) {
  boost::json::array items;
  items.reserve(page.items.size());
  for (const auto& item : page.items) items.push_back(encode(item));
  boost::json::object out;
  out["items"] = std::move(items);
  out["next_cursor"] = page.next_after_id ? boost::json::value(std::to_string(*page.next_after_id))
                                          : boost::json::value(nullptr);
  return out;
}

// A list page whose cursor the service already encoded: {items, next_cursor}.
template <typename Item, typename Encode>
boost::json::object CursorPageJson(const std::vector<Item>& items,
                                   const std::optional<std::string>& next_cursor, Encode encode) {
  boost::json::array out;
  out.reserve(items.size());
  for (const auto& item : items) out.push_back(encode(item));
  return {{"items", std::move(out)},
          {"next_cursor",
           next_cursor ? boost::json::value(*next_cursor) : boost::json::value(nullptr)}};
}

}  // namespace clinic::http
