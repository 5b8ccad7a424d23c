#include "clinic/http/field_rules.hpp"

#include <fmt/format.h>

#include <utility>

namespace clinic::http {
std::optional<std::string> CheckInt(std::int64_t value, const IntRule& rule) {
  if (value >= rule.min && value <= rule.max) return std::nullopt;
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  if (rule.max == kMax) return fmt::format("must be at least {}", rule.min);
  if (rule.min == kMin) return fmt::format("must be at most {}", rule.max);
  return fmt::format("must be between {} and {}", rule.min, rule.max);
}

std::optional<std::string> CheckOneOf(std::string_view value,
                                      const std::vector<std::string_view>& allowed) {
  for (std::string_view candidate : allowed) {
    if (candidate == value) return std::nullopt;
  }
  return fmt::format("must be one of: {}", fmt::join(allowed, ", "));
}

Error InvalidFields(std::vector<FieldError> errors) {
  std::string message = "The request has invalid input.";
  if (!errors.empty()) {
    message = errors.front().field + ": " + errors.front().message;
    if (errors.size() > 1) {
      message +=
          fmt::format(" (and {} more problem{})", errors.size() - 1, errors.size() == 2 ? "" : "s");
    }
  }
  return Error::InvalidArgument(std::move(message), std::move(errors));
}

}  // namespace clinic::http
