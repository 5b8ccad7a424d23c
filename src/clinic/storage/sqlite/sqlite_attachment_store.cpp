#include "clinic/storage/sqlite/sqlite_attachment_store.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <span>
#include <system_error>
#include <utility>

#include "clinic/common/crypto.hpp"
#include "clinic/common/time.hpp"
#include "clinic/common/utf8.hpp"
#include "clinic/storage/sql/connection_pool.hpp"
#include "clinic/storage/sqlite/sqlite_connection.hpp"
#include "clinic/storage/sqlite/sqlite_message_store.hpp"

namespace clinic::storage::sqlite {
namespace {

namespace fs = std::filesystem;
using sql::Value;

constexpr std::size_t kPoolSize = 2;

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS attachments (
  file_id TEXT PRIMARY KEY,
  file_name TEXT NOT NULL,
  mime_type TEXT NOT NULL,
  size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
  sha256 TEXT NOT NULL,
  uploaded_by_role TEXT NOT NULL,
  uploaded_by_id INTEGER NOT NULL,
  uploaded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attachments_by_uploader
  ON attachments (uploaded_by_role, uploaded_by_id, uploaded_at);
)sql";

Error FileError(std::string_view what, const fs::path& path) {
  return Error::Internal(fmt::format("{} {}: {}", what, path.string(),
                                     std::error_code(errno, std::generic_category()).message()));
}

// Writes `content` to `path` and flushes it to the disk before returning.
Status WriteDurably(const fs::path& path, std::string_view content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Fail(FileError("cannot create", path));
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      auto error = FileError("cannot write", path);
      ::close(fd);
      return Fail(std::move(error));
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto error = FileError("cannot flush", path);
    ::close(fd);
    return Fail(std::move(error));
  }
  if (::close(fd) != 0) return Fail(FileError("cannot close", path));
  return Ok();
}

// A stored file, read where the last read stopped. Owns its descriptor.
class FileReader final : public ByteReader {
 public:
  FileReader(int fd, fs::path path) : fd_(fd), path_(std::move(path)) {}
  ~FileReader() override { ::close(fd_); }
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  Result<std::size_t> Read(std::span<char> buffer) override {
    while (true) {
      const ssize_t n = ::read(fd_, buffer.data(), buffer.size());
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR) return Fail(FileError("cannot read", path_));
    }
  }

 private:
  int fd_;
  fs::path path_;
};

class LocalAttachmentStore final : public AttachmentStore {
 public:
  LocalAttachmentStore(std::unique_ptr<sql::ConnectionFactory> factory, fs::path folder)
      : pool_(std::move(factory), kPoolSize), folder_(std::move(folder)) {}

  Status Open() {
    std::error_code error;
    fs::create_directories(folder_ / "tmp", error);
    if (error) {
      return Fail(Error::Unavailable(fmt::format("cannot create the attachment folder {}: {}",
                                                 folder_.string(), error.message())));
    }
    CLINIC_ASSIGN_OR_RETURN(auto connection, pool_.Acquire());
    return connection->ExecuteScript(kSchema);
  }

  std::string_view bucket() const override { return "local"; }

  Status Save(const StoredAttachment& a, std::string_view content) override {
    CLINIC_TRY_STATUS(SaveContent(a.sha256, content));
    CLINIC_ASSIGN_OR_RETURN(auto connection, pool_.Acquire());
    const std::vector<Value> params{
        Value{a.file_id},        Value{a.file_name},
        Value{a.mime_type},      Value{a.size_bytes},
        Value{a.sha256},         Value{std::string(domain::Name(a.uploaded_by_role))},
        Value{a.uploaded_by_id}, Value{FormatRfc3339(a.uploaded_at)}};
    CLINIC_TRY_STATUS(connection->Execute(
        "INSERT INTO attachments (file_id, file_name, mime_type, size_bytes, sha256, "
        "uploaded_by_role, uploaded_by_id, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        params));
    return Ok();
  }

  Result<std::optional<StoredAttachment>> Find(const std::string& file_id) override {
    CLINIC_ASSIGN_OR_RETURN(auto connection, pool_.Acquire());
    const std::vector<Value> params{Value{file_id}};
    CLINIC_ASSIGN_OR_RETURN(
        auto rows, connection->Query("SELECT file_id, file_name, mime_type, size_bytes, sha256, "
                                     "uploaded_by_role, uploaded_by_id, uploaded_at "
                                     "FROM attachments WHERE file_id = ?",
                                     params));
    if (rows.empty()) return std::optional<StoredAttachment>{};
    const auto& row = rows.front();
    const auto role = domain::ParseRole(row.Text(5));
    const auto at = ParseRfc3339(row.Text(7));
    if (!role || !at) return Fail(Error::Internal("a stored attachment record is not readable"));
    return std::optional<StoredAttachment>{StoredAttachment{.file_id = row.Text(0),
                                                            .file_name = row.Text(1),
                                                            .mime_type = row.Text(2),
                                                            .size_bytes = row.Int(3),
                                                            .sha256 = row.Text(4),
                                                            .uploaded_by_role = *role,
                                                            .uploaded_by_id = row.Int(6),
                                                            .uploaded_at = *at}};
  }

  Result<std::int64_t> BytesUploadedSince(domain::Role role, Id id, Instant since) override {
    CLINIC_ASSIGN_OR_RETURN(auto connection, pool_.Acquire());
    // uploaded_at is RFC 3339 in UTC with whole seconds: its text sorts as its time does.
    const std::vector<Value> params{Value{std::string(domain::Name(role))}, Value{id},
                                    Value{FormatRfc3339(since)}};
    CLINIC_ASSIGN_OR_RETURN(
        auto rows, connection->Query("SELECT COALESCE(SUM(size_bytes), 0) FROM attachments "
                                     "WHERE uploaded_by_role = ? AND uploaded_by_id = ? "
                                     "AND uploaded_at >= ?",
                                     params));
    return rows.empty() ? std::int64_t{0} : rows.front().Int(0);
  }

  Result<RepairReport> RepairUnreadable() override {
    return RepairColumn(
        pool_, {.table = "attachments",
                .key = "file_id",
                .column = "file_name",
                .readable = [](const std::string& name) { return Utf8Length(name).has_value(); },
                .repaired = [](const std::string& name) -> std::optional<std::string> {
                  return SanitizeUtf8(name, name.size() * 3);
                }});
  }

  Result<std::unique_ptr<ByteReader>> OpenContent(const std::string& sha256) override {
    const fs::path path = ContentPath(sha256);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
      return Fail(Error::NotFound(fmt::format("no stored content {}", sha256)));
    }
    if (fd < 0) return Fail(FileError("cannot open", path));
    return std::unique_ptr<ByteReader>(std::make_unique<FileReader>(fd, path));
  }

  Status SaveContent(const std::string& sha256, std::string_view content) override {
    const fs::path target = ContentPath(sha256);
    std::error_code error;
    if (fs::exists(target, error)) return Ok();
    fs::create_directories(target.parent_path(), error);
    if (error) return Fail(Error::Internal("cannot create " + target.parent_path().string()));
    const fs::path temporary = folder_ / "tmp" / RandomToken(12);
    if (auto written = WriteDurably(temporary, content); !written) {
      fs::remove(temporary, error);
      return written;
    }
    // rename() replaces atomically: a concurrent upload of the same bytes ends with one copy.
    fs::rename(temporary, target, error);
    if (error) {
      fs::remove(temporary, error);
      return Fail(Error::Internal("cannot move an attachment into " + target.string()));
    }
    return Ok();
  }

 private:
  // Content addresses come from our own hashing or a backup's manifest (checked to be 64 hex
  // digits there), never from a client, so they are safe names.
  fs::path ContentPath(const std::string& sha256) const {
    return folder_ / sha256.substr(0, 2) / sha256;
  }

  sql::ConnectionPool pool_;
  fs::path folder_;
};

}  // namespace

Result<std::unique_ptr<AttachmentStore>> OpenLocalAttachmentStore(const std::string& sqlite_path,
                                                                  const std::string& folder) {
  auto store = std::make_unique<LocalAttachmentStore>(MakeSqliteConnectionFactory(sqlite_path),
                                                      fs::absolute(folder));
  CLINIC_TRY_STATUS(store->Open());
  return std::unique_ptr<AttachmentStore>(std::move(store));
}

Result<DocumentStores> OpenSqliteDocumentStores(const std::string& sqlite_path,
                                                std::size_t pool_size, const std::string& folder) {
  CLINIC_ASSIGN_OR_RETURN(auto messages, OpenSqliteMessageStore(sqlite_path, pool_size));
  CLINIC_ASSIGN_OR_RETURN(auto attachments, OpenLocalAttachmentStore(sqlite_path, folder));
  return DocumentStores{.messages = std::move(messages), .attachments = std::move(attachments)};
}

}  // namespace clinic::storage::sqlite
