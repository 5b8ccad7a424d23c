#include "clinic/common/time.hpp"

#include <gtest/gtest.h>

#include "clinic/domain/time_zone.hpp"

namespace clinic {
namespace {

using namespace std::chrono;

Instant Utc(int y, unsigned mo, unsigned d, int h, int mi) {
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi};
}

TEST(Rfc3339, FormatsUtcWithZ) {
  EXPECT_EQ(FormatRfc3339(Utc(2026, 12, 1, 9, 0)), "2026-12-01T09:00:00Z");
}

TEST(Rfc3339, ParsesZAndOffsetsToUtc) {
  EXPECT_EQ(ParseRfc3339("2026-12-01T09:00:00Z"), Utc(2026, 12, 1, 9, 0));
  EXPECT_EQ(ParseRfc3339("2026-12-01T17:00:00+08:00"), Utc(2026, 12, 1, 9, 0));
  EXPECT_EQ(ParseRfc3339("2026-12-01T04:00:00-05:00"), Utc(2026, 12, 1, 9, 0));
}

TEST(Rfc3339, AcceptsFractionalSecondsAsJavaScriptSendsThem) {
  EXPECT_EQ(ParseRfc3339("2026-12-01T09:00:00.000Z"), Utc(2026, 12, 1, 9, 0));
  EXPECT_EQ(ParseRfc3339("2026-12-01T09:00:00.999999999Z"), Utc(2026, 12, 1, 9, 0));
  EXPECT_EQ(ParseRfc3339("2026-12-01T17:00:00.5+08:00"), Utc(2026, 12, 1, 9, 0));
  EXPECT_EQ(ParseRfc3339("2026-12-01t09:00:00z"), Utc(2026, 12, 1, 9, 0));
}

TEST(Rfc3339, TakesYearsAndOffsetsOnlyInRange) {
  EXPECT_EQ(ParseRfc3339("0001-01-01T00:00:00Z"),
            Instant{std::chrono::sys_days{std::chrono::year{1} / 1 / 1}});
  EXPECT_TRUE(ParseRfc3339("9999-12-31T23:59:59Z").has_value());
  EXPECT_EQ(ParseRfc3339("2026-12-01T09:00:00+23:59"), Utc(2026, 11, 30, 9, 1));
  for (const char* bad :
       {"0000-12-01T09:00:00Z", "+2026-12-01T09:00:00Z", "12026-12-01T09:00:00Z",
        "2026-12-01T09:00:00+24:00", "2026-12-01T09:00:00-00:60", "2026-12-01T09:00:00+0800",
        "2026-12-01T09:00:60Z", "2026-12-01T09:00:00.Z", "2026-12-01T09:00:00.5",
        "-001-12-01T09:00:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

TEST(Rfc3339, RefusesAnOffsetThatCarriesTheInstantOutsideTheYearsItCanSpell) {
  EXPECT_EQ(ParseRfc3339("0001-01-01T00:00:00Z"), kFirstInstant);
  EXPECT_EQ(ParseRfc3339("9999-12-31T23:59:59Z"), kLastInstant);
  EXPECT_EQ(ParseRfc3339("0001-01-01T01:00:00+01:00"), kFirstInstant);
  EXPECT_EQ(ParseRfc3339("9999-12-31T22:59:59-01:00"), kLastInstant);
  EXPECT_FALSE(ParseRfc3339("0001-01-01T00:00:00+01:00").has_value());
  EXPECT_FALSE(ParseRfc3339("9999-12-31T23:59:59-00:01").has_value());
}

TEST(Rfc3339, RejectsWhatIsNotAnInstant) {
  for (const char* bad :
       {"", "2026-12-01", "2026-12-01T09:00:00", "2026-13-01T09:00:00Z", "2026-12-01T09:00:00Zjunk",
        "tomorrow", "2026-12-01 09:00:00Z", "2026-12-01T25:00:00Z", "2026-02-30T09:00:00Z",
        "2026-1-01T09:00:00Z", "2026-12-01T9:00:00Z"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

TEST(SqlDateTime, RoundTrips) {
  const auto t = Utc(2030, 1, 7, 9, 30);
  EXPECT_EQ(FormatSqlDateTime(t), "2030-01-07 09:30:00");
  EXPECT_EQ(ParseSqlDateTime("2030-01-07 09:30:00"), t);
  EXPECT_FALSE(ParseSqlDateTime("2030-01-07T09:30:00").has_value());
  EXPECT_EQ(FormatSqlDateTime(Utc(1969, 12, 31, 23, 59)), "1969-12-31 23:59:00");
  EXPECT_EQ(ParseSqlDateTime("2028-02-29 23:59:59"), Utc(2028, 2, 29, 23, 59) + 59s);
}

TEST(SqlDateTime, RejectsWhatIsNotADateTime) {
  for (const char* bad :
       {"2030-02-30 09:30:00", "2030-13-07 09:30:00", "2030-01-07 24:00:00", "2030-01-07 09:60:00",
        "2030-01-07 09:30:0x", "2030-01-07 09:30", "2030/01/07 09:30:00", "",
        // found by the fuzzer: read as NaN seconds, whose conversion was undefined behaviour
        "2026-12-02 09:00:i320023:59", "2030-01-07 09:30:00.", "2030-01-07 09:30:00.5x",
        "2030-01-07 09:30:00Z"}) {
    EXPECT_FALSE(ParseSqlDateTime(bad).has_value()) << bad;
  }
  EXPECT_EQ(ParseSqlDateTime("2030-01-07 09:30:00.123456"), ParseSqlDateTime("2030-01-07 09:30:00"))
      << "a DATETIME(6) fraction is dropped";
}

TEST(Date, ParsesOnlyRealCalendarDates) {
  EXPECT_EQ(ParseDate("1990-02-28"), year_month_day(year{1990} / February / 28));
  EXPECT_FALSE(ParseDate("1990-02-30").has_value());
  EXPECT_FALSE(ParseDate("1990-2-3").has_value());
  EXPECT_EQ(FormatDate(year{2000} / March / 5), "2000-03-05");
}

TEST(TimeZone, KnowsIanaNamesOnly) {
  EXPECT_NE(domain::FindTimeZone("America/New_York"), nullptr);
  EXPECT_NE(domain::FindTimeZone("Asia/Kolkata"), nullptr);
  EXPECT_EQ(domain::FindTimeZone("Mars/Olympus_Mons"), nullptr);
  EXPECT_EQ(domain::FindTimeZone(""), nullptr);
  EXPECT_EQ(domain::FindTimeZone("../../etc/passwd"), nullptr);
}

TEST(TimeZone, LocalTimesFollowDaylightSavingRules) {
  const auto& ny = *domain::FindTimeZone("America/New_York");
  auto local = [](int y, unsigned mo, unsigned d, int h, int mi) {
    return date::local_days{date::year{y} / date::month{mo} / date::day{d}} + hours{h} +
           minutes{mi};
  };
  EXPECT_EQ(domain::LocalToUtc(ny, local(2026, 1, 15, 9, 0)), Utc(2026, 1, 15, 14, 0));
  EXPECT_EQ(domain::LocalToUtc(ny, local(2026, 7, 15, 9, 0)), Utc(2026, 7, 15, 13, 0));
  // 2026-03-08 02:30 does not exist in New York; 2026-11-01 01:30 happens twice.
  EXPECT_EQ(domain::LocalToUtc(ny, local(2026, 3, 8, 2, 30)), std::nullopt);
  EXPECT_EQ(domain::LocalToUtc(ny, local(2026, 11, 1, 1, 30)), Utc(2026, 11, 1, 5, 30));
  const auto& kolkata = *domain::FindTimeZone("Asia/Kolkata");
  EXPECT_EQ(domain::LocalToUtc(kolkata, local(2026, 12, 1, 9, 0)), Utc(2026, 12, 1, 3, 30));
  EXPECT_EQ(domain::UtcToLocal(kolkata, Utc(2026, 12, 1, 3, 30)), local(2026, 12, 1, 9, 0));
}

}  // namespace
}  // namespace clinic
