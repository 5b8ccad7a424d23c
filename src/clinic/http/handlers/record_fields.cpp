#include "clinic/http/handlers/record_fields.hpp"

#include <utility>
#include <vector>

#include "clinic/http/handlers/authentication.hpp"
#include "clinic/http/handlers/json_codecs.hpp"
#include "clinic/http/query_params.hpp"

namespace clinic::http {
namespace {

// Null clears; otherwise whatever `read` makes of a present value (nullopt when it is absent or
// was refused, which `read` has reported).
template <typename T, typename Read>
service::NullableUpdate<T> Clearable(JsonFields& fields, std::string_view name, Read read) {
  if (fields.IsNull(name)) return service::NullableUpdate<T>(std::in_place);
  if (std::optional<T> value = read()) {
    return service::NullableUpdate<T>(std::in_place, std::move(*value));
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> SettableText(JsonFields& fields, std::string_view name) {
  if (fields.IsNull(name)) {
    fields.AddError(name, "must not be null");
    return std::nullopt;
  }
  return fields.OptionalString(name);
}

std::optional<bool> SettableBool(JsonFields& fields, std::string_view name) {
  if (fields.IsNull(name)) {
    fields.AddError(name, "must not be null");
    return std::nullopt;
  }
  return fields.OptionalBool(name);
}

service::NullableUpdate<std::string> ClearableText(JsonFields& fields, std::string_view name) {
  return Clearable<std::string>(fields, name, [&] { return fields.OptionalString(name); });
}

service::NullableUpdate<Id> ClearableId(JsonFields& fields, std::string_view name) {
  return Clearable<Id>(fields, name, [&] { return fields.OptionalInt(name, {.min = 1}); });
}

service::NullableUpdate<std::chrono::year_month_day> ClearableDate(JsonFields& fields,
                                                                   std::string_view name) {
  return Clearable<std::chrono::year_month_day>(fields, name,
                                                [&] { return fields.OptionalDate(name); });
}

service::NullableUpdate<domain::Gender> ClearableGender(JsonFields& fields, std::string_view name) {
  return Clearable<domain::Gender>(fields, name, [&]() -> std::optional<domain::Gender> {
    auto spelling = fields.OptionalEnum(name, domain::GenderNames());
    if (!spelling) return std::nullopt;
    return domain::ParseGender(*spelling);
  });
}

Status NoFields(const Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseOptionalJsonObject(request));
  return JsonFields(body).Finish();
}

}  // namespace clinic::http
