#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace clinic::domain {

// A file type attachments may have: what is served as Content-Type and the extension its file
// name ends with.
struct MediaType {
  std::string_view mime_type;  // "application/pdf"
  std::string_view extension;  // ".pdf"
};

// The allow-listed type of `content`, read from its first bytes (PDF, PNG, JPEG), or plain text
// for valid UTF-8 without control characters other than tab, line feed, carriage return and form
// feed. nullopt for anything else, also for empty content. The client's Content-Type and file name
// never decide it: a PNG named "x.pdf" is a PNG.
std::optional<MediaType> DetectMediaType(std::string_view content);

// Whether a Content-Type header value names an allow-listed type (parameters such as a charset
// are ignored).
bool IsAllowedMediaType(std::string_view content_type);

// A file name safe to store and to put in a Content-Disposition header: the last path component
// only (no directories, so no traversal), without control characters, quotes, backslashes or
// characters Windows refuses, without leading dots or spaces, at most 120 characters, and ending
// in the extension of `type` (replacing a different one: "scan.pdf" of a PNG becomes "scan.png").
// Invalid UTF-8 is dropped. An empty result becomes "attachment" + the extension.
std::string SanitizeFileName(std::string_view name, const MediaType& type);

}  // namespace clinic::domain
