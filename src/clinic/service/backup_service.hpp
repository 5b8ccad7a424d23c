#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/storage/attachment_store.hpp"
#include "clinic/storage/backup.hpp"

namespace clinic::service {

// What a backup is taken from or restored into: the relational database and the document side
// (its documents, and the attachment contents its records name).
struct BackupStores {
  storage::RelationalBackup& relational;
  storage::DocumentBackup& documents;
  storage::AttachmentStore& attachments;
};

// Opens the stores when the command is ready for them: after the backup's folder has been
// checked, so that a command refused for its folder has opened (and created) nothing. What it
// returns stays valid as long as the caller needs it.
using OpenBackupStores = std::function<Result<BackupStores>()>;

// What a backup holds, for the operator; after a restore, with the backends restored into.
struct BackupSummary {
  int schema_version = 0;
  std::string relational_backend;
  std::int64_t tables = 0;
  std::int64_t rows = 0;
  std::string documents_backend;
  std::int64_t collections = 0;
  std::int64_t documents = 0;
  std::int64_t attachments = 0;
  std::int64_t attachment_bytes = 0;
};

// `clinicctl backup DIR`: writes everything Clinic stores into `directory` (new, or empty),
// storage/backup_archive.hpp's format. Refuses any other folder before opening a store. Takes
// the documents first, then the attachment contents their records name, then the relational
// rows from one snapshot: every row a document refers to (its appointment, patient, doctor) was
// committed before the document was, so it is in the backup. A failure removes what was written.
Result<BackupSummary> TakeBackup(const std::filesystem::path& directory,
                                 const OpenBackupStores& open, const Clock& clock);

// `clinicctl restore DIR`: checks the whole backup against its manifest (every checksum) before
// opening a store, then refuses a target that holds anything, whose schema is newer than the
// backup's, or whose document store is not of the backup's kind; all of this before writing.
// Then writes the relational rows (in one transaction, after migrating to the backup's schema
// version), the attachment contents and the documents. A failure after the relational rows says
// so: the target then needs emptying before another try.
Result<BackupSummary> RestoreBackup(const std::filesystem::path& directory,
                                    const OpenBackupStores& open);

}  // namespace clinic::service
