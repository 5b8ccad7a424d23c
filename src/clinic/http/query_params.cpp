#include "clinic/http/query_params.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

#include "clinic/common/time.hpp"
#include "clinic/common/utf8.hpp"

namespace clinic::http {

QueryFields::QueryFields(const Request& request) : params_(request.query) {}

void QueryFields::AddError(std::string_view name, std::string message) {
  errors_.push_back({std::string(name), std::move(message)});
}

std::optional<std::string_view> QueryFields::Find(std::string_view name, bool required) {
  read_names_.emplace_back(name);
  std::optional<std::string_view> found;
  std::size_t occurrences = 0;
  for (const auto& [key, value] : params_) {
    if (key != name) continue;
    ++occurrences;
    if (!value.empty()) found = value;
  }
  if (occurrences > 1) {
    AddError(name, "must be given at most once");
    return std::nullopt;
  }
  if (!found && required) AddError(name, "is required");
  return found;
}

std::optional<std::string> QueryFields::OptionalString(std::string_view name) {
  auto value = Find(name, false);
  if (!value) return std::nullopt;
  if (!Utf8Length(*value)) {
    AddError(name, "must be valid UTF-8");
    return std::nullopt;
  }
  return std::string(*value);
}

std::optional<std::int64_t> QueryFields::OptionalInt(std::string_view name, const IntRule& rule) {
  auto value = Find(name, false);
  if (!value) return std::nullopt;
  std::int64_t number = 0;
  const char* end = value->data() + value->size();
  auto [stop, error] = std::from_chars(value->data(), end, number);
  if (error == std::errc::result_out_of_range) {
    AddError(name, "is out of range");
    return std::nullopt;
  }
  if (error != std::errc() || stop != end) {
    AddError(name, "must be an integer");
    return std::nullopt;
  }
  if (auto problem = CheckInt(number, rule)) {
    AddError(name, std::move(*problem));
    return std::nullopt;
  }
  return number;
}

std::optional<bool> QueryFields::OptionalBool(std::string_view name) {
  auto value = Find(name, false);
  if (!value) return std::nullopt;
  if (*value == "true" || *value == "1") return true;
  if (*value == "false" || *value == "0") return false;
  AddError(name, "must be true or false");
  return std::nullopt;
}

std::optional<Instant> QueryFields::OptionalInstant(std::string_view name) {
  auto value = Find(name, false);
  if (!value) return std::nullopt;
  auto instant = ParseRfc3339(*value);
  if (!instant) AddError(name, std::string(kInstantFormatMessage));
  return instant;
}

Instant QueryFields::RequiredInstant(std::string_view name) {
  auto value = Find(name, true);
  if (!value) return Instant{};
  auto instant = ParseRfc3339(*value);
  if (!instant) AddError(name, std::string(kInstantFormatMessage));
  return instant.value_or(Instant{});
}

std::optional<std::chrono::year_month_day> QueryFields::OptionalDate(std::string_view name) {
  auto value = Find(name, false);
  if (!value) return std::nullopt;
  auto date = ParseDate(*value);
  if (!date) AddError(name, std::string(kDateFormatMessage));
  return date;
}

std::optional<std::string> QueryFields::OptionalEnum(std::string_view name,
                                                     const std::vector<std::string_view>& allowed) {
  auto value = Find(name, false);
  if (!value) return std::nullopt;
  if (auto problem = CheckOneOf(*value, allowed)) {
    AddError(name, std::move(*problem));
    return std::nullopt;
  }
  return std::string(*value);
}

PageParams QueryFields::Page(std::int64_t default_limit, std::int64_t max_limit) {
  PageParams page;
  page.limit = OptionalInt("limit", {.min = 1, .max = max_limit}).value_or(default_limit);
  page.cursor = OptionalString("cursor");
  return page;
}

Status QueryFields::Finish() {
  for (const auto& param : params_) {
    const auto& key = param.first;
    bool read = std::find(read_names_.begin(), read_names_.end(), key) != read_names_.end();
    bool reported = std::any_of(errors_.begin(), errors_.end(),
                                [&key](const FieldError& error) { return error.field == key; });
    if (!read && !reported) AddError(key, "is not a known query parameter");
  }
  if (errors_.empty()) return Ok();
  return Fail(InvalidFields(errors_));
}

}  // namespace clinic::http
