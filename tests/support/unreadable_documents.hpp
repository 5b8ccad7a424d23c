#pragma once

// Stored documents that cannot be read, as an older Clinic (before text was checked as strict
// UTF-8) or another tool could have left them in either document store. MongoDB itself does not
// check that strings are UTF-8, so such documents exist there as well as in SQLite.

#include <string>
#include <string_view>

#include "clinic/common/result.hpp"

namespace clinic::testing {

// What a test writes where the bad bytes are to go ("Device @@@").
inline constexpr std::string_view kSpoiledMark = "@@@";
// The bytes that replace it: a UTF-16 surrogate (U+D800) encoded as if it were a character, which
// UTF-8 excludes and which older versions accepted.
inline constexpr std::string_view kSurrogateBytes = "\xED\xA0\x80";

// Which store a document is in.
enum class StoredDocument { kMessage, kUploadRecord };

// Replaces the first kSpoiledMark in the stored message (24 hex digits) or upload record (its
// file id) `id` of the document store at `docs_uri` (sqlite://… or mongodb://…) by
// kSurrogateBytes, bypassing the stores' own checks: the SQLite row is updated in SQL, the MongoDB
// document replaced through libmongoc with the client's validation off.
Status SpoilStoredDocument(const std::string& docs_uri, StoredDocument kind, const std::string& id);

}  // namespace clinic::testing
