#include "clinic/http/field_rules.hpp"

#include <fmt/format.h>

#include <utility>

#include "clinic/common/utf8.hpp"

namespace clinic::http {
namespace {

std::string Characters(std::size_t n) {
  return fmt::format("{} character{}", n, n == 1 ? "" : "s");
}

}  // namespace

std::optional<std::string> CheckText(std::string_view text, const TextRule& rule) {
  const auto characters = Utf8Length(text);
  if (!characters) return "must be valid UTF-8";
  const std::size_t length = *characters;
  if (length < rule.min_length) {
    if (rule.min_length == 1) return "must not be empty";
    return "must be at least " + Characters(rule.min_length);
  }
  if (length > rule.max_length) return "must be at most " + Characters(rule.max_length);
  for (unsigned char c : text) {
    if (c == '\0') return "must not contain NUL characters";
    bool allowed_in_multiline = c == '\n' || c == '\r' || c == '\t';
    if ((c < 0x20 || c == 0x7F) && !(rule.multiline && allowed_in_multiline)) {
      return "must not contain control characters";
    }
  }
  return std::nullopt;
}

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
