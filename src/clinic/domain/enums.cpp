#include "clinic/domain/enums.hpp"

#include <array>
#include <utility>

namespace clinic::domain {
namespace {

// One table per enum serves both directions, so a spelling is written once.
template <typename E, std::size_t N>
using Spellings = std::array<std::pair<E, std::string_view>, N>;

constexpr Spellings<Gender, 4> kGender{{{Gender::kMale, "male"},
                                        {Gender::kFemale, "female"},
                                        {Gender::kOther, "other"},
                                        {Gender::kPreferNotToSay, "prefer_not_to_say"}}};
constexpr Spellings<AppointmentStatus, 4> kAppointmentStatus{
    {{AppointmentStatus::kScheduled, "scheduled"},
     {AppointmentStatus::kCompleted, "completed"},
     {AppointmentStatus::kCancelled, "cancelled"},
     {AppointmentStatus::kNoShow, "no_show"}}};
constexpr Spellings<PaymentMethod, 4> kPaymentMethod{{{PaymentMethod::kCash, "cash"},
                                                      {PaymentMethod::kCard, "card"},
                                                      {PaymentMethod::kTransfer, "transfer"},
                                                      {PaymentMethod::kOther, "other"}}};
constexpr Spellings<PaymentStatus, 4> kPaymentStatus{{{PaymentStatus::kPending, "pending"},
                                                      {PaymentStatus::kPaid, "paid"},
                                                      {PaymentStatus::kRefunded, "refunded"},
                                                      {PaymentStatus::kFailed, "failed"}}};
constexpr Spellings<Role, 4> kRole{{{Role::kPatient, "patient"},
                                    {Role::kDoctor, "doctor"},
                                    {Role::kAdmin, "admin"},
                                    {Role::kSystem, "system"}}};

template <typename E, std::size_t N>
std::string_view NameIn(const Spellings<E, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return {};
}

template <typename E, std::size_t N>
std::vector<std::string_view> NamesIn(const Spellings<E, N>& table) {
  std::vector<std::string_view> names;
  names.reserve(N);
  for (const auto& entry : table) names.push_back(entry.second);
  return names;
}

template <typename E, std::size_t N>
std::optional<E> ParseIn(const Spellings<E, N>& table, std::string_view s) {
  for (const auto& [v, name] : table) {
    if (name == s) return v;
  }
  return std::nullopt;
}

}  // namespace

std::string_view Name(Gender v) { return NameIn(kGender, v); }
std::string_view Name(AppointmentStatus v) { return NameIn(kAppointmentStatus, v); }
std::string_view Name(PaymentMethod v) { return NameIn(kPaymentMethod, v); }
std::string_view Name(PaymentStatus v) { return NameIn(kPaymentStatus, v); }
std::string_view Name(Role v) { return NameIn(kRole, v); }

std::optional<Gender> ParseGender(std::string_view s) { return ParseIn(kGender, s); }
std::optional<AppointmentStatus> ParseAppointmentStatus(std::string_view s) {
  return ParseIn(kAppointmentStatus, s);
}
std::optional<PaymentMethod> ParsePaymentMethod(std::string_view s) {
  return ParseIn(kPaymentMethod, s);
}
std::optional<PaymentStatus> ParsePaymentStatus(std::string_view s) {
  return ParseIn(kPaymentStatus, s);
}
std::optional<Role> ParseRole(std::string_view s) { return ParseIn(kRole, s); }

std::vector<std::string_view> GenderNames() { return NamesIn(kGender); }
std::vector<std::string_view> AppointmentStatusNames() { return NamesIn(kAppointmentStatus); }
std::vector<std::string_view> PaymentMethodNames() { return NamesIn(kPaymentMethod); }
std::vector<std::string_view> PaymentStatusNames() { return NamesIn(kPaymentStatus); }
std::vector<std::string_view> RoleNames() { return NamesIn(kRole); }

}  // namespace clinic::domain
