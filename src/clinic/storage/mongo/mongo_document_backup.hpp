#pragma once

#include <memory>
#include <string>

#include "clinic/common/result.hpp"
#include "clinic/storage/backup.hpp"

namespace clinic::storage::mongo {

// The DocumentBackup of the MongoDB document store at `uri`: every collection of its database
// but the server's own (system.*) and the attachment bucket's (GridFS: the contents travel as
// attachment files), each document in canonical Extended JSON, which keeps every BSON type.
// Messages are read first, then attachment records, then any other collection by name; each
// collection is read with one cursor, so a document is as it was at some moment of the export.
// kUnavailable when the server cannot be reached.
Result<std::unique_ptr<DocumentBackup>> OpenMongoDocumentBackup(const std::string& uri);

}  // namespace clinic::storage::mongo
