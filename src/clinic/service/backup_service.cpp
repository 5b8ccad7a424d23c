#include "clinic/service/backup_service.hpp"

#include <fmt/format.h>

#include <array>

#include "clinic/common/crypto.hpp"
#include "clinic/storage/backup_archive.hpp"

namespace clinic::service {
namespace {

using storage::BackupManifest;
using storage::BackupPart;
using storage::BackupPartInfo;

std::int64_t RecordCount(const BackupPartInfo& part) {
  std::int64_t records = 0;
  for (const auto& section : part.sections) records += section.records;
  return records;
}

BackupSummary SummaryOf(const BackupManifest& manifest) {
  BackupSummary summary{
      .schema_version = manifest.schema_version,
      .relational_backend = manifest.relational.backend,
      .tables = static_cast<std::int64_t>(manifest.relational.sections.size()),
      .rows = RecordCount(manifest.relational),
      .documents_backend = manifest.documents.backend,
      .collections = static_cast<std::int64_t>(manifest.documents.sections.size()),
      .documents = RecordCount(manifest.documents),
      .attachments = static_cast<std::int64_t>(manifest.attachments.size())};
  for (const auto& content : manifest.attachments) summary.attachment_bytes += content.size_bytes;
  return summary;
}

// The stored bytes with this sha256, read a piece at a time into one string (one attachment is
// at most --max-attachment).
Result<std::string> ReadWhole(storage::AttachmentStore& attachments, const std::string& sha256) {
  CLINIC_ASSIGN_OR_RETURN(auto reader, attachments.OpenContent(sha256));
  std::string content;
  std::array<char, std::size_t{64} * 1024> piece{};
  while (true) {
    CLINIC_ASSIGN_OR_RETURN(const std::size_t n, reader->Read(piece));
    if (n == 0) return content;
    content.append(piece.data(), n);
  }
}

Result<BackupManifest> WriteBackup(storage::BackupWriter& writer, const BackupStores& stores,
                                   const Clock& clock) {
  CLINIC_ASSIGN_OR_RETURN(const auto contents,
                          stores.documents.Export(writer.Part(BackupPart::kDocuments)));
  for (const auto& sha256 : contents) {
    auto content = ReadWhole(stores.attachments, sha256);
    if (!content) {
      return Fail(Error::FailedPrecondition(
          fmt::format("attachment content {}, which a stored record names, cannot be read: {}",
                      sha256, content.error().message)));
    }
    if (Sha256Hex(*content) != sha256) {
      return Fail(Error::FailedPrecondition(fmt::format(
          "the stored attachment content {} does not match its sha256: it is damaged", sha256)));
    }
    CLINIC_TRY_STATUS(writer.AddContent(sha256, *content));
  }
  CLINIC_ASSIGN_OR_RETURN(const int schema_version,
                          stores.relational.Export(writer.Part(BackupPart::kRelational)));
  BackupManifest manifest;
  manifest.created_at = clock.Now();
  manifest.schema_version = schema_version;
  manifest.relational.backend = std::string(stores.relational.backend());
  manifest.documents.backend = std::string(stores.documents.backend());
  return writer.Finish(std::move(manifest));
}

// The attachment contents, then the documents whose records name them.
Status RestoreDocuments(storage::BackupReader& backup, const BackupStores& stores) {
  for (const auto& content : backup.manifest().attachments) {
    CLINIC_ASSIGN_OR_RETURN(const auto bytes, backup.ReadContent(content.sha256));
    CLINIC_TRY_STATUS(stores.attachments.SaveContent(content.sha256, bytes));
  }
  return stores.documents.Import(backup.Part(BackupPart::kDocuments));
}

}  // namespace

Result<BackupSummary> TakeBackup(const std::filesystem::path& directory,
                                 const OpenBackupStores& open, const Clock& clock) {
  CLINIC_ASSIGN_OR_RETURN(auto writer, storage::BackupWriter::Create(directory));
  auto written = [&]() -> Result<BackupManifest> {
    CLINIC_ASSIGN_OR_RETURN(const auto stores, open());
    return WriteBackup(*writer, stores, clock);
  }();
  if (!written) {
    writer->Discard();
    return Fail(std::move(written).error());
  }
  return SummaryOf(*written);
}

Result<BackupSummary> RestoreBackup(const std::filesystem::path& directory,
                                    const OpenBackupStores& open) {
  CLINIC_ASSIGN_OR_RETURN(auto backup, storage::BackupReader::Open(directory));
  const BackupManifest& manifest = backup->manifest();
  CLINIC_ASSIGN_OR_RETURN(const auto stores, open());
  if (stores.documents.backend() != manifest.documents.backend) {
    return Fail(Error::FailedPrecondition(fmt::format(
        "the backup's documents come from a {} document store and cannot be restored into a {} "
        "one: give --docs a {} store",
        manifest.documents.backend, stores.documents.backend(), manifest.documents.backend)));
  }
  CLINIC_TRY_STATUS(
      stores.relational.CheckRestorable(manifest.schema_version, manifest.relational.backend));
  CLINIC_TRY_STATUS(stores.documents.CheckEmpty());
  CLINIC_TRY_STATUS(
      stores.relational.Import(backup->Part(BackupPart::kRelational), manifest.schema_version));
  if (auto restored = RestoreDocuments(*backup, stores); !restored) {
    Error error = std::move(restored).error();
    error.message = fmt::format(
        "the relational rows were restored, but the documents failed: {}; empty the target and "
        "restore again",
        error.message);
    return Fail(std::move(error));
  }
  auto summary = SummaryOf(manifest);
  summary.relational_backend = std::string(stores.relational.backend());
  summary.documents_backend = std::string(stores.documents.backend());
  return summary;
}

}  // namespace clinic::service
