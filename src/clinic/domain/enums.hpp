#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace clinic::domain {

// The seed's ENUM columns. Each has a Name() giving the stored/JSON spelling and a Parse*()
// that accepts exactly those spellings.

enum class Gender { kMale, kFemale, kOther, kPreferNotToSay };
enum class AppointmentStatus { kScheduled, kCompleted, kCancelled, kNoShow };
enum class PaymentMethod { kCash, kCard, kTransfer, kOther };
enum class PaymentStatus { kPending, kPaid, kRefunded, kFailed };
// Who acts: the three kinds of account, plus the server itself for automatic actions.
enum class Role { kPatient, kDoctor, kAdmin, kSystem };

std::string_view Name(Gender v);
std::string_view Name(AppointmentStatus v);
std::string_view Name(PaymentMethod v);
std::string_view Name(PaymentStatus v);
std::string_view Name(Role v);

std::optional<Gender> ParseGender(std::string_view s);
std::optional<AppointmentStatus> ParseAppointmentStatus(std::string_view s);
std::optional<PaymentMethod> ParsePaymentMethod(std::string_view s);
std::optional<PaymentStatus> ParsePaymentStatus(std::string_view s);
std::optional<Role> ParseRole(std::string_view s);

// Every spelling of an enum, in declaration order: what an input field may say.
std::vector<std::string_view> GenderNames();
std::vector<std::string_view> AppointmentStatusNames();
std::vector<std::string_view> PaymentMethodNames();
std::vector<std::string_view> PaymentStatusNames();
std::vector<std::string_view> RoleNames();

}  // namespace clinic::domain
