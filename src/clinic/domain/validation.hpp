#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace clinic::domain {

// Shape rules for people's identifiers, shared by every service that accepts them.

// Trimmed and lower-cased; emails compare case-insensitively everywhere (the schema's collation
// agrees).
std::string NormalizeEmail(std::string_view email);

// A pragmatic address check: one '@', a non-empty local part, a dotted domain of letters, digits
// and hyphens, no spaces or control characters, at most 255 characters.
bool IsValidEmail(std::string_view email);

// The password policy: at least 10 characters, at most 1024 bytes, and not the email itself.
// Answers why it is refused, or nullopt when it is acceptable.
std::optional<std::string> PasswordProblem(std::string_view password, std::string_view email);

// An admin's login name: 3–100 ASCII letters, digits, '.', '_' or '-'. No '@', so a login is never
// both a username and an email.
bool IsValidUsername(std::string_view username);

}  // namespace clinic::domain
