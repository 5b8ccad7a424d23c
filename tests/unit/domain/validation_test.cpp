#include "clinic/domain/validation.hpp"

#include <gtest/gtest.h>

#include "clinic/domain/enums.hpp"

namespace clinic::domain {
namespace {

TEST(Email, NormalizesCaseAndSurroundingSpace) {
  EXPECT_EQ(NormalizeEmail("  Ann.Lee@Example.COM "), "ann.lee@example.com");
}

TEST(Email, AcceptsOrdinaryAddresses) {
  for (const char* good : {"a@b.co", "ann.lee+clinic@example.com", "x_y-z@sub.example.org"}) {
    EXPECT_TRUE(IsValidEmail(good)) << good;
  }
}

TEST(Email, RejectsMalformedAddresses) {
  const std::string too_long = std::string(250, 'a') + "@b.com";
  for (const std::string& bad :
       {std::string(), std::string("plain"), std::string("@example.com"),
        std::string("a@@example.com"), std::string("a@b"), std::string("a@.com"),
        std::string("a@b..com"), std::string("a b@example.com"), std::string("a@exa mple.com"),
        std::string("a@example.com\n"), std::string("<script>@x.com>"), too_long}) {
    EXPECT_FALSE(IsValidEmail(bad)) << bad;
  }
}

TEST(Password, FollowsThePolicy) {
  EXPECT_EQ(PasswordProblem("correct horse battery", "ann@example.com"), std::nullopt);
  EXPECT_TRUE(PasswordProblem("short", "ann@example.com").has_value());
  EXPECT_TRUE(PasswordProblem("Ann@Example.com", "ann@example.com").has_value());
  EXPECT_TRUE(PasswordProblem(std::string(2000, 'x'), "ann@example.com").has_value());
}

TEST(Enums, RoundTripTheirSpellings) {
  for (auto s : {AppointmentStatus::kScheduled, AppointmentStatus::kCompleted,
                 AppointmentStatus::kCancelled, AppointmentStatus::kNoShow}) {
    EXPECT_EQ(ParseAppointmentStatus(Name(s)), s);
  }
  EXPECT_EQ(Name(AppointmentStatus::kNoShow), "no_show");
  EXPECT_EQ(ParseGender("prefer_not_to_say"), Gender::kPreferNotToSay);
  EXPECT_EQ(ParseGender("Male"), std::nullopt);
  EXPECT_EQ(ParsePaymentMethod("transfer"), PaymentMethod::kTransfer);
  EXPECT_EQ(ParsePaymentStatus("refunded"), PaymentStatus::kRefunded);
  EXPECT_EQ(ParseRole("root"), std::nullopt);
}

}  // namespace
}  // namespace clinic::domain
