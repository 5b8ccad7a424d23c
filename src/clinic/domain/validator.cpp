#include "clinic/domain/validator.hpp"

#include <algorithm>
#include <cctype>

#include "clinic/common/utf8.hpp"
#include "clinic/domain/time_zone.hpp"
#include "clinic/domain/validation.hpp"

namespace clinic::domain {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

bool HasControlCharacters(std::string_view s, bool multiline) {
  return std::any_of(s.begin(), s.end(), [multiline](char c) {
    const auto u = static_cast<unsigned char>(c);
    if (multiline && (c == '\n' || c == '\r' || c == '\t')) return false;
    return u < 0x20 || u == 0x7f;
  });
}

}  // namespace

std::string Validator::Text(std::string_view field, std::string_view value, std::size_t max_chars) {
  const std::string_view trimmed = Trim(value);
  if (trimmed.empty()) {
    Add(field, "is required");
    return std::string(value);
  }
  return OptionalText(field, std::string(trimmed), max_chars).value_or(std::string(value));
}

std::optional<std::string> Validator::OptionalText(std::string_view field,
                                                   const std::optional<std::string>& value,
                                                   std::size_t max_chars, bool multiline) {
  if (!value) return std::nullopt;
  const std::string_view trimmed = Trim(*value);
  if (trimmed.empty()) return std::nullopt;
  const auto length = Utf8Length(trimmed);
  if (!length) {
    Add(field, "must be valid UTF-8");
  } else if (*length > max_chars) {
    Add(field, "must be at most " + std::to_string(max_chars) + " characters");
  } else if (HasControlCharacters(trimmed, multiline)) {
    Add(field, "must not contain control characters");
  }
  return std::string(trimmed);
}

std::string Validator::Email(std::string_view field, std::string_view value) {
  std::string email = NormalizeEmail(value);
  if (email.empty()) {
    Add(field, "is required");
  } else if (!IsValidEmail(email)) {
    Add(field, "is not a valid email address");
  }
  return email;
}

std::optional<std::string> Validator::Phone(std::string_view field,
                                            const std::optional<std::string>& value) {
  if (!value || Trim(*value).empty()) return std::nullopt;
  std::string digits;
  bool plus = false;
  bool valid = true;
  for (const char c : Trim(*value)) {
    if (c == '+' && digits.empty() && !plus) {
      plus = true;
    } else if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      digits.push_back(c);
    } else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') {
      valid = false;
    }
  }
  if (!valid || !plus || digits.size() < 8 || digits.size() > 15 || digits.front() == '0') {
    Add(field, "must be an international number with country code, e.g. +6591234567");
    return value;
  }
  return "+" + digits;
}

void Validator::Password(std::string_view field, std::string_view password,
                         std::string_view email) {
  if (auto problem = PasswordProblem(password, email)) Add(field, *problem);
}

void Validator::BirthDate(std::string_view field,
                          const std::optional<std::chrono::year_month_day>& date, Instant now) {
  if (!date) return;
  const auto today = std::chrono::floor<std::chrono::days>(now);
  if (!date->ok() || std::chrono::sys_days{*date} > today ||
      date->year() < std::chrono::year{1900}) {
    Add(field, "must be a date between 1900-01-01 and today");
  }
}

void Validator::TimeZone(std::string_view field, std::string_view name) {
  if (FindTimeZone(name) == nullptr) {
    Add(field, "must be an IANA time zone name, e.g. America/New_York");
  }
}

void Validator::Add(std::string_view field, std::string message) {
  problems_.push_back({std::string(field), std::move(message)});
}

Status Validator::Finish(std::string_view summary) {
  if (problems_.empty()) return Ok();
  return Fail(Error::InvalidArgument(std::string(summary), std::move(problems_)));
}

}  // namespace clinic::domain
