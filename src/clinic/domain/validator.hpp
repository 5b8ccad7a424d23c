#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"

namespace clinic::domain {

// Checks the fields of one input and collects every problem, so a single answer names all of them
// (problem+json `errors`). Each reader returns the cleaned value (trimmed text, lower-cased email,
// E.164 phone) to store; after a problem it returns the input unchanged, and Finish() fails, so
// that value is never stored. Text limits count characters (UTF-8 code points), as the schema's
// VARCHAR(n) does; text must be valid UTF-8 and free of control characters.
class Validator {
 public:
  // Required single-line text of 1..max_chars characters after trimming.
  std::string Text(std::string_view field, std::string_view value, std::size_t max_chars);
  // Optional text; an empty string after trimming counts as absent. `multiline` allows newlines
  // and tabs (notes, bios).
  std::optional<std::string> OptionalText(std::string_view field,
                                          const std::optional<std::string>& value,
                                          std::size_t max_chars, bool multiline = false);
  std::string Email(std::string_view field, std::string_view value);
  // E.164 after removing spaces, dashes, dots and parentheses: '+' and 8–15 digits.
  std::optional<std::string> Phone(std::string_view field, const std::optional<std::string>& value);
  void Password(std::string_view field, std::string_view password, std::string_view email);
  // A real date in the past, not before 1900.
  void BirthDate(std::string_view field, const std::optional<std::chrono::year_month_day>& date,
                 Instant now);
  // An IANA zone name the tz database knows.
  void TimeZone(std::string_view field, std::string_view name);

  void Add(std::string_view field, std::string message);
  bool ok() const { return problems_.empty(); }

  // kInvalidArgument listing every problem, or Ok.
  Status Finish(std::string_view summary = "the input is not valid");

 private:
  std::vector<FieldError> problems_;
};

}  // namespace clinic::domain
