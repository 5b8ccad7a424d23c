// libFuzzer target: attachment sniffing and file-name cleaning. The first byte splits the input
// into a name and content. A detected type is one of the allowed ones; a cleaned name is valid
// UTF-8, at most 120 characters plus its extension, with no path, control or reserved character,
// and ends with the type's extension (in any case).

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>

#include "clinic/domain/attachment_rules.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using clinic::fuzz::Require;
  if (size == 0) return 0;
  const std::size_t split = std::min<std::size_t>(data[0], size - 1);
  const std::string_view name(reinterpret_cast<const char*>(data) + 1, split);
  const std::string_view content(reinterpret_cast<const char*>(data) + 1 + split, size - 1 - split);
  const auto type = clinic::domain::DetectMediaType(content);
  if (!type) return 0;
  Require(clinic::domain::IsAllowedMediaType(type->mime_type));
  const std::string clean = clinic::domain::SanitizeFileName(name, *type);
  clinic::fuzz::RequireUtf8(clean);
  // The extension agrees with the type in any case (".JPG", and ".jpeg" for JPEG).
  std::string lower = clean;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  Require(lower.ends_with(type->extension) ||
          (type->extension == ".jpg" && lower.ends_with(".jpeg")));
  Require(clinic::Utf8Length(clean).value_or(0) <= 120 + type->extension.size());
  for (const char c : clean) {
    const auto byte = static_cast<unsigned char>(c);
    Require(byte >= 0x20 && byte != 0x7F &&
            std::string_view("\"\\/:*?<>|").find(c) == std::string_view::npos);
  }
  return 0;
}
