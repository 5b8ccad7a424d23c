#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "clinic/domain/entities.hpp"
#include "clinic/domain/policy.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/http/field_rules.hpp"

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

// The wire rule for text fields whose content the service validates (length per column, control
// characters, emptiness): only a sanity bound here, so that one answer lists every problem the
// service finds instead of stopping at the JSON layer's default 255-character cap.
inline constexpr TextRule kServiceCheckedText{
    .min_length = 0, .max_length = 65535, .multiline = true};

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

}  // namespace clinic::http
