#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>

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

}  // namespace clinic::storage
