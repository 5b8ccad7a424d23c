#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clinic/common/error.hpp"

namespace clinic::http {

// Rules shared by the JSON body reader (json_body.hpp) and the query reader (query_params.hpp), so
// a field breaks the same rule with the same words wherever it comes from. They judge shapes and
// types only (a string, an integer in its type's range, an array of a sane size); what text may
// say (its length, its characters, blank or not) is the service's rule, checked once there with
// domain::Validator.

// An integer field, inclusive bounds.
struct IntRule {
  std::int64_t min = std::numeric_limits<std::int64_t>::min();
  std::int64_t max = std::numeric_limits<std::int64_t>::max();
};

// An array field. Absent or null is an error only when `required`.
struct ArrayRule {
  bool required = false;
  std::size_t min_items = 0;
  std::size_t max_items = 100;
};

// Why `value` breaks `rule`, or nothing when it complies.
std::optional<std::string> CheckInt(std::int64_t value, const IntRule& rule);

// "must be one of: a, b, c" when `value` is not in `allowed`, or nothing.
std::optional<std::string> CheckOneOf(std::string_view value,
                                      const std::vector<std::string_view>& allowed);

inline constexpr std::string_view kInstantFormatMessage =
    "must be an RFC 3339 timestamp such as 2026-12-01T09:00:00Z";
inline constexpr std::string_view kDateFormatMessage = "must be a date such as 2026-12-01";

// The InvalidArgument error carrying all `errors`; its message names the first one and how many
// more there are, for clients that only show the problem's detail.
Error InvalidFields(std::vector<FieldError> errors);

}  // namespace clinic::http
