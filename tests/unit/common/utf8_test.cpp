// Strict UTF-8: what the server accepts as text, and how it cleans text nobody validated.

#include "clinic/common/utf8.hpp"

#include <gtest/gtest.h>

#include "clinic/domain/attachment_rules.hpp"
#include "clinic/domain/validator.hpp"

namespace clinic {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

TEST(Utf8Length, CountsCharactersOfWellFormedText) {
  EXPECT_EQ(Utf8Length(""), 0u);
  EXPECT_EQ(Utf8Length("plain"), 5u);
  EXPECT_EQ(Utf8Length("\xE2\x82\xAC 5"), 3u);    // €
  EXPECT_EQ(Utf8Length("\xF0\x9F\x98\x80"), 1u);  // U+1F600
  EXPECT_EQ(Utf8Length("\xED\x9F\xBF"), 1u);      // U+D7FF, just below the surrogates
  EXPECT_EQ(Utf8Length("\xEE\x80\x80"), 1u);      // U+E000, just above them
  EXPECT_EQ(Utf8Length("\xF4\x8F\xBF\xBF"), 1u);  // U+10FFFF, the last code point
  EXPECT_EQ(Utf8Length("\xC2\x80\xDF\xBF"), 2u);  // U+0080, U+07FF
}

TEST(Utf8Length, RefusesSurrogatesOverlongsAndBeyondTheLastCodePoint) {
  for (const std::string_view bad : {
           std::string_view("\xED\xA0\x80"),      // U+D800, a surrogate
           std::string_view("\xED\xBF\xBF"),      // U+DFFF
           std::string_view("\xC0\xAF"),          // overlong '/'
           std::string_view("\xC1\xBF"),          // overlong
           std::string_view("\xE0\x80\xAF"),      // overlong '/'
           std::string_view("\xE0\x9F\xBF"),      // overlong U+07FF
           std::string_view("\xF0\x80\x80\xAF"),  // overlong '/'
           std::string_view("\xF0\x8F\xBF\xBF"),  // overlong U+FFFF
           std::string_view("\xF4\x90\x80\x80"),  // U+110000
           std::string_view("\xF5\x80\x80\x80"),  // no such lead byte
           std::string_view("\xFF"),
           std::string_view("\x80"),            // a continuation byte alone
           std::string_view("\xE2\x82"),        // cut short
           std::string_view("ok\xE2\x28\xA1"),  // a continuation byte missing
       }) {
    EXPECT_FALSE(Utf8Length(bad).has_value()) << testing::PrintToString(bad);
  }
}

TEST(SanitizeUtf8, ReplacesEachBadByteAndKeepsTheRest) {
  EXPECT_EQ(SanitizeUtf8("curl/8.5 \xE2\x82\xAC", 255), "curl/8.5 \xE2\x82\xAC");
  const std::string three =
      std::string(kReplacement) + std::string(kReplacement) + std::string(kReplacement);
  EXPECT_EQ(SanitizeUtf8("bad\xED\xA0\x80ua", 255), "bad" + three + "ua");
  EXPECT_EQ(SanitizeUtf8("\xC0\xAF", 255), std::string(kReplacement) + std::string(kReplacement));
  EXPECT_TRUE(Utf8Length(SanitizeUtf8("\xF4\x90\x80\x80\xFFz", 255)).has_value());
}

TEST(SanitizeUtf8, CutsAtACharacterBoundary) {
  EXPECT_EQ(SanitizeUtf8("ab\xE2\x82\xAC", 4), "ab");
  EXPECT_EQ(SanitizeUtf8("ab\xE2\x82\xAC", 5), "ab\xE2\x82\xAC");
  EXPECT_EQ(SanitizeUtf8("a\xFF", 3), "a");
}

TEST(StrictUtf8, TextFieldsRefuseSurrogatesAndOverlongs) {
  for (const std::string bad : {"x\xED\xA0\x80y", "x\xC0\xAFy", "x\xF4\x90\x80\x80y"}) {
    domain::Validator check;
    check.OptionalText("reason", bad, 500);
    EXPECT_FALSE(check.ok());
  }
}

TEST(StrictUtf8, TextLimitsCountCharactersNotBytes) {
  const std::string name =
      "Zo\xC3\xAB \xC3\x98"
      "deg\xC3\xA5rd";  // 11 characters, 14 bytes
  domain::Validator check;
  EXPECT_EQ(check.Text("name", name, 11), name);
  EXPECT_TRUE(check.ok());
  check.Text("name", name, 10);
  EXPECT_FALSE(check.ok());
}

TEST(StrictUtf8, AttachmentNamesLoseTheBytesThatAreNotText) {
  const auto pdf = domain::DetectMediaType("%PDF-1.7").value();
  EXPECT_EQ(domain::SanitizeFileName("re\xED\xA0\x80port\xC0\xAF.pdf", pdf), "report.pdf");
  EXPECT_FALSE(domain::DetectMediaType("note \xED\xA0\x80").has_value());
}

}  // namespace
}  // namespace clinic
