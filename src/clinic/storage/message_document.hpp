#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

#include "clinic/common/result.hpp"
#include "clinic/domain/message.hpp"

namespace clinic::storage {

// How a document spells ids and instants.
enum class DocumentDialect {
  // `_id` a hex string, instants RFC 3339 UTC strings: the SQLite store and the HTTP API.
  kPlain,
  // MongoDB canonical extended JSON: `_id` {"$oid": …}, instants {"$date": {"$numberLong": …}}.
  kExtended,
};

// An integer as plain JSON or canonical extended JSON ({"$numberInt": "…"},
// {"$numberLong": "…"}) spells it; nullopt for anything else.
std::optional<std::int64_t> ExtendedJsonInt(const boost::json::value& number);

// The message as the seed's document, every field present (absent optional values are null,
// absent lists are empty), in the seed's field order.
boost::json::object MessageToDocument(const domain::Message& message, DocumentDialect dialect);

// The message a stored document describes; kInternal when the document is not one this server
// wrote (a missing field, a wrong type), since documents are only ever written by it.
Result<domain::Message> MessageFromDocument(const boost::json::value& document,
                                            DocumentDialect dialect);

// The message document stored as `text` with every string's bytes that are not strict UTF-8
// replaced by U+FFFD, when that makes it a readable message; nullopt when it is not one anyway.
std::optional<boost::json::value> RepairedDocument(std::string_view text, DocumentDialect dialect);

// Logs a stored message a listing leaves out because it cannot be read: one bad row must not fail
// the whole thread for everyone, and the operator learns of it (`clinicctl repair-messages`). One
// line naming the message's id and why; never its content, which is a patient's health record.
void LogUnreadableMessage(std::string_view id, const Error& error);

}  // namespace clinic::storage
