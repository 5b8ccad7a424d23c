#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "clinic/common/result.hpp"
#include "clinic/storage/attachment_store.hpp"

namespace clinic::storage::sqlite {

// The embedded attachment store: upload records in an `attachments` table of the document store's
// SQLite file (created when missing), the bytes in `folder` as `<first two hex digits>/<sha256>`.
// A file is written under a temporary name, flushed and renamed into place, so a crash never
// leaves a partial file under a content address; the same content is written once.
Result<std::unique_ptr<AttachmentStore>> OpenLocalAttachmentStore(const std::string& sqlite_path,
                                                                  const std::string& folder);

// The message store and the attachment store of one embedded SQLite document file.
Result<DocumentStores> OpenSqliteDocumentStores(const std::string& sqlite_path,
                                                std::size_t pool_size, const std::string& folder);

}  // namespace clinic::storage::sqlite
