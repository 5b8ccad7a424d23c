// What an uploaded file is and what it may be called: the type comes from the bytes, the name is
// cleaned of paths and control characters and made to agree with the type.

#include "clinic/domain/attachment_rules.hpp"

#include <gtest/gtest.h>

namespace clinic::domain {
namespace {

using namespace std::string_literals;

const MediaType kPngType{"image/png", ".png"};
const MediaType kTextType{"text/plain", ".txt"};

TEST(DetectMediaType, ReadsTheTypeFromTheFirstBytes) {
  EXPECT_EQ(DetectMediaType("%PDF-1.4\n")->mime_type, "application/pdf");
  EXPECT_EQ(DetectMediaType("\x89PNG\r\n\x1a\n\0\0"s)->mime_type, "image/png");
  EXPECT_EQ(DetectMediaType("\xFF\xD8\xFF\xDB"s)->mime_type, "image/jpeg");
  EXPECT_EQ(DetectMediaType("Fasting from 8 pm.\r\n\tThanks — Ana\n")->mime_type, "text/plain");
}

TEST(DetectMediaType, RefusesEverythingElse) {
  EXPECT_FALSE(DetectMediaType(""));
  EXPECT_FALSE(DetectMediaType("PK\x03\x04"));
  EXPECT_FALSE(DetectMediaType("GIF89a"s + "\x01\0"s));
  EXPECT_FALSE(DetectMediaType("text with a NUL\0inside"s));
  EXPECT_FALSE(DetectMediaType("escape \x1b[31m"));
  EXPECT_FALSE(DetectMediaType("latin-1 caf\xE9"));
}

TEST(IsAllowedMediaType, IgnoresCaseAndParameters) {
  EXPECT_TRUE(IsAllowedMediaType("application/pdf"));
  EXPECT_TRUE(IsAllowedMediaType("Text/Plain; charset=utf-8"));
  EXPECT_TRUE(IsAllowedMediaType("image/jpeg "));
  EXPECT_FALSE(IsAllowedMediaType("text/html"));
  EXPECT_FALSE(IsAllowedMediaType("image/svg+xml"));
  EXPECT_FALSE(IsAllowedMediaType(""));
}

TEST(SanitizeFileName, KeepsOnlyTheLastPathComponent) {
  EXPECT_EQ(SanitizeFileName("../../etc/passwd.png", kPngType), "passwd.png");
  EXPECT_EQ(SanitizeFileName("C:\\Users\\ana\\scan.png", kPngType), "scan.png");
  EXPECT_EQ(SanitizeFileName("..", kPngType), "attachment.png");
  EXPECT_EQ(SanitizeFileName("", kPngType), "attachment.png");
}

TEST(SanitizeFileName, DropsControlAndReservedCharacters) {
  EXPECT_EQ(SanitizeFileName("a\x01\r\nb\"<>|*?:.png", kPngType), "ab.png");
  EXPECT_EQ(SanitizeFileName("  .hidden.png", kPngType), "hidden.png");
  EXPECT_EQ(SanitizeFileName("bad\xFFutf8.png", kPngType), "badutf8.png");
  EXPECT_EQ(SanitizeFileName("Röntgen 2030.png", kPngType), "Röntgen 2030.png");
}

TEST(SanitizeFileName, MakesTheExtensionAgreeWithTheType) {
  EXPECT_EQ(SanitizeFileName("lab-report.pdf", kPngType), "lab-report.png");
  EXPECT_EQ(SanitizeFileName("notes", kTextType), "notes.txt");
  EXPECT_EQ(SanitizeFileName("NOTES.TXT", kTextType), "NOTES.TXT");
  EXPECT_EQ(SanitizeFileName("photo.jpeg", {"image/jpeg", ".jpg"}), "photo.jpeg");
  EXPECT_EQ(SanitizeFileName("page.html", kTextType), "page.txt");
}

TEST(SanitizeFileName, LimitsTheLength) {
  const auto name = SanitizeFileName(std::string(500, 'a') + ".png", kPngType);
  EXPECT_LE(name.size(), 124u);
  EXPECT_TRUE(name.ends_with(".png"));
}

}  // namespace
}  // namespace clinic::domain
