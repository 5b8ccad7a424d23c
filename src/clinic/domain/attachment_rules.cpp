#include "clinic/domain/attachment_rules.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "clinic/common/utf8.hpp"

namespace clinic::domain {
namespace {

constexpr MediaType kPdf{"application/pdf", ".pdf"};
constexpr MediaType kPng{"image/png", ".png"};
constexpr MediaType kJpeg{"image/jpeg", ".jpg"};
constexpr MediaType kText{"text/plain", ".txt"};
constexpr std::array kAllowed{kPdf, kPng, kJpeg, kText};

constexpr std::size_t kMaxNameCharacters = 120;

bool IsPlainText(std::string_view content) {
  if (!Utf8Length(content)) return false;
  return std::none_of(content.begin(), content.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || u == 0x7F;
  });
}

std::string Lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

bool IsUnsafeCharacter(char c) {
  const auto u = static_cast<unsigned char>(c);
  static constexpr std::string_view kRefused = "\"\\/:*?<>|";
  return u < 0x20 || u == 0x7F || kRefused.find(c) != std::string_view::npos;
}

}  // namespace

std::optional<MediaType> DetectMediaType(std::string_view content) {
  if (content.starts_with("%PDF-")) return kPdf;
  if (content.starts_with("\x89PNG\r\n\x1a\n")) return kPng;
  if (content.starts_with("\xFF\xD8\xFF")) return kJpeg;
  if (!content.empty() && IsPlainText(content)) return kText;
  return std::nullopt;
}

bool IsAllowedMediaType(std::string_view content_type) {
  const auto essence = Lower(content_type.substr(0, content_type.find(';')));
  const auto trimmed_end = essence.find_last_not_of(" \t");
  const std::string_view type = trimmed_end == std::string::npos
                                    ? std::string_view()
                                    : std::string_view(essence).substr(0, trimmed_end + 1);
  return std::any_of(kAllowed.begin(), kAllowed.end(),
                     [&](const MediaType& allowed) { return allowed.mime_type == type; });
}

std::string SanitizeFileName(std::string_view name, const MediaType& type) {
  // Only the last component of either kind of path.
  if (const auto slash = name.find_last_of("/\\"); slash != std::string_view::npos) {
    name.remove_prefix(slash + 1);
  }
  std::string clean;
  std::size_t characters = 0;
  for (std::size_t i = 0; i < name.size() && characters < kMaxNameCharacters;) {
    const std::size_t length = Utf8SequenceLength(name, i);
    if (length == 0) {
      ++i;
      continue;
    }
    if (length > 1 || !IsUnsafeCharacter(name[i])) {
      clean.append(name.substr(i, length));
      ++characters;
    }
    i += length;
  }
  const auto first = clean.find_first_not_of(". ");
  clean = first == std::string::npos ? std::string() : clean.substr(first);
  while (!clean.empty() && (clean.back() == ' ' || clean.back() == '.')) clean.pop_back();
  // Any other extension goes: the stored type decides how the file opens.
  if (const auto dot = clean.rfind('.'); dot != std::string::npos) {
    const auto extension = Lower(std::string_view(clean).substr(dot));
    const bool same =
        extension == type.extension || (type.extension == ".jpg" && extension == ".jpeg");
    if (same) return clean;
    clean.erase(dot);
  }
  if (clean.empty()) clean = "attachment";
  clean += type.extension;
  return clean;
}

}  // namespace clinic::domain
