#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace clinic {

// Strict UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates (U+D800..U+DFFF), nothing
// above U+10FFFF. Every byte string the server stores or echoes passes through one of these, so a
// stored value can always be read back and serialized.

// The length in bytes of the well-formed sequence starting at text[at], or 0 when there is none.
std::size_t Utf8SequenceLength(std::string_view text, std::size_t at);

// Characters (code points) in text, or nullopt when it is not strict UTF-8.
std::optional<std::size_t> Utf8Length(std::string_view text);

// Text that is safe to keep from a source nobody validated (request headers, rows stored before
// input was checked strictly): every byte that does not start a well-formed sequence becomes
// U+FFFD, and the result is cut at a character boundary to at most max_bytes. (Control characters
// never reach here from a header: the HTTP parser refuses them.)
std::string SanitizeUtf8(std::string_view text, std::size_t max_bytes);

}  // namespace clinic
