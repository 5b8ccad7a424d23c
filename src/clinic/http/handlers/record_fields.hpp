#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "clinic/common/result.hpp"
#include "clinic/domain/enums.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/http/json_body.hpp"
#include "clinic/http/request.hpp"
#include "clinic/service/auth_service.hpp"
#include "clinic/service/record_update.hpp"

namespace clinic::http {

// Readers for the bodies of creates and PATCHes of records (locations, doctors, patients,
// admins), where every field is optional on the wire and the service decides what is required.
// Text is read as any string: the service's rules judge its length and characters, so each field
// breaks one rule with one message.

// A field that may be set but never cleared (a NOT NULL column): null is refused, "must not be
// null".
std::optional<std::string> SettableText(JsonFields& fields, std::string_view name);
std::optional<bool> SettableBool(JsonFields& fields, std::string_view name);

// A nullable column: absent leaves it, null clears it, a value sets it.
service::NullableUpdate<std::string> ClearableText(JsonFields& fields, std::string_view name);
service::NullableUpdate<Id> ClearableId(JsonFields& fields, std::string_view name);
service::NullableUpdate<std::chrono::year_month_day> ClearableDate(JsonFields& fields,
                                                                   std::string_view name);
service::NullableUpdate<domain::Gender> ClearableGender(JsonFields& fields, std::string_view name);

// For actions that take no fields (restore, complete, pay): no body or an empty JSON object;
// 400 naming each field sent.
Status NoFields(const Request& request);

}  // namespace clinic::http
