#include "clinic/service/record_update.hpp"

#include <fmt/format.h>

namespace clinic::service {

void CheckRequiredText(domain::Validator& check, std::string_view field,
                       std::optional<std::string>& value, std::size_t max_chars, bool creating) {
  if (value) {
    *value = check.Text(field, *value, max_chars);
  } else if (creating) {
    check.Add(field, "is required");
  }
}

void CheckNullableText(domain::Validator& check, std::string_view field,
                       NullableUpdate<std::string>& value, std::size_t max_chars, bool multiline) {
  if (value) *value = check.OptionalText(field, *value, max_chars, multiline);
}

Result<std::optional<std::string>> CheckSearchText(const std::optional<std::string>& q) {
  domain::Validator check;
  auto cleaned = check.OptionalText("q", q, kSearchTextMaxChars);
  CLINIC_TRY_STATUS(check.Finish("the search is not valid"));
  return cleaned;
}

Error EmailTaken() {
  return Error{ErrorCode::kAlreadyExists,
               "an account with this email already exists",
               {{"email", "is already in use"}}};
}

std::string ChangedFieldsDetails(std::initializer_list<std::pair<std::string_view, bool>> fields) {
  std::vector<std::string_view> names;
  for (const auto& [name, present] : fields) {
    if (present) names.push_back(name);
  }
  if (names.empty()) return "fields: none";
  return fmt::format("fields: {}", fmt::join(names, ", "));
}

}  // namespace clinic::service
