#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clinic/common/result.hpp"
#include "clinic/domain/validator.hpp"

namespace clinic::service {

// Pieces shared by the services that create and update records field by field (locations,
// doctors, patients, admins).

// One nullable column in a create or an update (PATCH): nullopt leaves the column as it is, an
// empty inner optional clears it (stores NULL), a value sets it.
template <typename T>
using NullableUpdate = std::optional<std::optional<T>>;

// Column sizes of the schema that several tables share (characters, as VARCHAR(n) counts them).
inline constexpr std::size_t kPersonNameMaxChars = 100;  // first_name, last_name
// notes and bio are TEXT: 65,535 bytes, which 10,000 characters fit even at 4 bytes each.
inline constexpr std::size_t kLongTextMaxChars = 10'000;
inline constexpr std::size_t kSpecializationMaxChars = 120;  // doctors.specialization
// The search text (`q`) of the people lists: longer than any name or email it could match.
inline constexpr std::size_t kSearchTextMaxChars = 100;

// Checks and cleans (trims) a column that cannot be NULL: when `value` is present it must be
// 1..max_chars characters of single-line text; when absent it is reported as required if
// `creating`, and otherwise left alone.
void CheckRequiredText(domain::Validator& check, std::string_view field,
                       std::optional<std::string>& value, std::size_t max_chars, bool creating);

// Checks and cleans a nullable text column being set; blank text clears it like null does.
void CheckNullableText(domain::Validator& check, std::string_view field,
                       NullableUpdate<std::string>& value, std::size_t max_chars,
                       bool multiline = false);

// The search text `q` of a list, trimmed (blank counts as absent), or InvalidArgument naming `q`
// when it is longer than kSearchTextMaxChars or holds control characters.
Result<std::optional<std::string>> CheckSearchText(const std::optional<std::string>& q);

// The answer when a unique email is taken, also by a soft-deleted account (409, field "email").
Error EmailTaken();

// `result` with the store's kAlreadyExists replaced by EmailTaken(), for the tables whose only
// unique column is the email (patients, doctors).
template <typename T>
Result<T> EmailTakenIfDuplicate(Result<T> result) {
  if (!result && result.error().code == ErrorCode::kAlreadyExists) return Fail(EmailTaken());
  return result;
}

// The audit row's details for an update: the names of the fields it was given, e.g.
// "fields: email, phone" (never their values, which may be personal data).
std::string ChangedFieldsDetails(std::initializer_list<std::pair<std::string_view, bool>> fields);

}  // namespace clinic::service
