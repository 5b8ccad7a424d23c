#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/storage/backup.hpp"

namespace clinic::storage {

// The backup format, one folder (docs/operations.md, "Backup and restore"):
//
//   manifest.json                 what the folder holds, with a checksum for every other file
//   relational/<table>.jsonl      one row per line, in the order the tables were written
//   documents/<collection>.jsonl  one document per line
//   attachments/<sha256>          one attachment content each, named by its own SHA-256
//
// Every file is created 0600 and every folder 0700: a backup holds medical records. The manifest
// is written last, so a folder without one is a backup that did not finish.

// The version of this layout and of manifest.json; a reader refuses any other.
inline constexpr int kBackupFormatVersion = 1;

enum class BackupPart { kRelational, kDocuments };

// What the manifest records about one section (a table or a collection).
struct BackupSectionInfo {
  std::string name;
  std::int64_t records = 0;
  std::string sha256;  // of the section's file, lower-case hex
};

// One part of a backup: which backend it came from and its sections in the order written.
struct BackupPartInfo {
  std::string backend;
  std::vector<BackupSectionInfo> sections;
};

// One attachment content.
struct BackupContentInfo {
  std::string sha256;
  std::int64_t size_bytes = 0;
};

// manifest.json.
struct BackupManifest {
  int format_version = kBackupFormatVersion;
  Instant created_at{};
  int schema_version = 0;  // of the relational rows
  BackupPartInfo relational;
  BackupPartInfo documents;
  std::vector<BackupContentInfo> attachments;
};

// Writes one backup folder. Not thread-safe. Either Finish it or Discard it.
class BackupWriter {
 public:
  // Creates `directory` (0700), or takes it when it exists and is empty (and makes it 0700).
  // kFailedPrecondition when it holds anything, or is not a folder.
  static Result<std::unique_ptr<BackupWriter>> Create(const std::filesystem::path& directory);

  virtual ~BackupWriter() = default;

  // Where a part's sections go. A section name must be a plain file name (letters, digits, '_',
  // '.', '-'; not starting with '.'): BeginSection refuses any other with kInvalidArgument.
  virtual BackupSink& Part(BackupPart part) = 0;

  // Writes `content` as the attachment named `sha256` (which the caller has checked).
  virtual Status AddContent(const std::string& sha256, std::string_view content) = 0;

  // Closes every file, flushed to disk, and writes manifest.json (fills in what the writer
  // counted: sections, records, checksums, attachments). Returns the manifest written.
  virtual Result<BackupManifest> Finish(BackupManifest manifest) = 0;

  // Removes everything this writer put into the folder (after a failure), and the folder itself
  // when Create made it.
  virtual void Discard() = 0;
};

// Reads one backup folder, whose files are hostile input until checked. Not thread-safe.
class BackupReader {
 public:
  // Reads manifest.json and checks every file it names against it (present, SHA-256, number of
  // records, attachment sizes) before returning: a damaged or altered backup fails here, with
  // kFailedPrecondition naming the file, before anything is restored.
  static Result<std::unique_ptr<BackupReader>> Open(const std::filesystem::path& directory);

  virtual ~BackupReader() = default;

  virtual const BackupManifest& manifest() const = 0;
  virtual BackupSource& Part(BackupPart part) = 0;
  // The content of attachment `sha256`, checked against its name again as it is read.
  virtual Result<std::string> ReadContent(const std::string& sha256) = 0;
};

}  // namespace clinic::storage
