#include "clinic/storage/backup_archive.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <system_error>

#include "clinic/common/crypto.hpp"
#include "clinic/common/time.hpp"

namespace clinic::storage {
namespace {

namespace fs = std::filesystem;
using boost::json::array;
using boost::json::object;
using boost::json::value;

constexpr std::string_view kFormatName = "clinic-backup";
constexpr std::string_view kManifestName = "manifest.json";
constexpr std::string_view kAttachmentsFolder = "attachments";
constexpr std::string_view kSectionSuffix = ".jsonl";
constexpr std::size_t kMaxNameLength = 128;
constexpr std::size_t kWriteBufferBytes = std::size_t{1} << 20;
constexpr std::size_t kReadChunkBytes = std::size_t{1} << 16;
// A manifest lists a few dozen sections and one entry per attachment content.
constexpr std::uintmax_t kMaxManifestBytes = std::uintmax_t{64} << 20;

std::string_view PartFolder(BackupPart part) {
  return part == BackupPart::kRelational ? "relational" : "documents";
}

Error IoError(std::string_view what, const fs::path& path, int error_number = errno) {
  return Error::Unavailable(fmt::format("cannot {} {}: {}", what, path.string(),
                                        std::generic_category().message(error_number)));
}

Error Damaged(const fs::path& path, std::string_view what) {
  return Error::FailedPrecondition(
      fmt::format("{} {}: the backup is damaged or was altered", path.string(), what));
}

// A section's name becomes a file name: plain characters only, so that no name (a table's, a
// collection's, or one a hostile manifest makes up) can point outside the backup's folder.
bool IsPlainName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength || name.front() == '.') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

bool IsSha256Hex(std::string_view text) {
  return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Status MakePrivateFolder(const fs::path& path) {
  if (::mkdir(path.c_str(), 0700) != 0) return Fail(IoError("create", path));
  // The umask can only take permissions away; this makes sure nothing else took any.
  if (::chmod(path.c_str(), 0700) != 0) return Fail(IoError("set the permissions of", path));
  return Ok();
}

Status SyncFolder(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Fail(IoError("open", path));
  const bool synced = ::fsync(fd) == 0;
  const int error_number = errno;
  ::close(fd);
  if (!synced) return Fail(IoError("flush", path, error_number));
  return Ok();
}

// A new file only its owner may read, written through a buffer and flushed to the disk when
// finished.
class PrivateFile {
 public:
  PrivateFile() = default;
  PrivateFile(const PrivateFile&) = delete;
  PrivateFile& operator=(const PrivateFile&) = delete;
  ~PrivateFile() {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Create(fs::path path) {
    path_ = std::move(path);
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ < 0) return Fail(IoError("create", path_));
    return Ok();
  }

  Status Write(std::string_view bytes) {
    buffer_.append(bytes);
    if (buffer_.size() >= kWriteBufferBytes) return Flush();
    return Ok();
  }

  Status Finish() {
    CLINIC_TRY_STATUS(Flush());
    if (::fsync(fd_) != 0) return Fail(IoError("flush", path_));
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) return Fail(IoError("close", path_));
    return Ok();
  }

 private:
  Status Flush() {
    std::size_t written = 0;
    while (written < buffer_.size()) {
      const ssize_t n = ::write(fd_, buffer_.data() + written, buffer_.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Fail(IoError("write", path_));
      written += static_cast<std::size_t>(n);
    }
    buffer_.clear();
    return Ok();
  }

  fs::path path_;
  int fd_ = -1;
  std::string buffer_;
};

// Reads a whole file through `each_chunk`; kFailedPrecondition when it is missing.
Status ReadChunks(const fs::path& path, const std::function<void(std::string_view)>& each_chunk) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(Damaged(path, "is missing or unreadable"));
  std::array<char, kReadChunkBytes> chunk{};
  while (in) {
    in.read(chunk.data(), chunk.size());
    each_chunk(std::string_view(chunk.data(), static_cast<std::size_t>(in.gcount())));
  }
  if (in.bad()) return Fail(IoError("read", path));
  return Ok();
}

// The sections of one part, each written to <folder>/<name>.jsonl.
class SectionWriter final : public BackupSink {
 public:
  explicit SectionWriter(fs::path folder) : folder_(std::move(folder)) {}

  Status BeginSection(std::string_view name) override {
    CLINIC_TRY_STATUS(Close());
    if (!IsPlainName(name)) {
      return Fail(Error::InvalidArgument(fmt::format(
          "'{}' cannot name a section of a backup: it is not a plain file name", name)));
    }
    const bool taken = std::any_of(sections_.begin(), sections_.end(),
                                   [&](const BackupSectionInfo& s) { return s.name == name; });
    if (taken) return Fail(Error::Internal(fmt::format("section {} written twice", name)));
    if (sections_.empty()) CLINIC_TRY_STATUS(MakePrivateFolder(folder_));
    file_.emplace();
    CLINIC_TRY_STATUS(file_->Create(folder_ / (std::string(name) + std::string(kSectionSuffix))));
    sections_.push_back({.name = std::string(name), .records = 0, .sha256 = {}});
    hash_.emplace();
    return Ok();
  }

  Status Add(const BackupRecord& record) override {
    if (!file_) return Fail(Error::Internal("a backup record written outside a section"));
    std::string line = boost::json::serialize(record);
    line.push_back('\n');
    hash_->Update(line);
    ++sections_.back().records;
    return file_->Write(line);
  }

  // Finishes the open section, if any.
  Status Close() {
    if (!file_) return Ok();
    CLINIC_TRY_STATUS(file_->Finish());
    file_.reset();
    sections_.back().sha256 = hash_->HexDigest();
    hash_.reset();
    return Ok();
  }

  const std::vector<BackupSectionInfo>& sections() const { return sections_; }

 private:
  fs::path folder_;
  std::vector<BackupSectionInfo> sections_;
  std::optional<PrivateFile> file_;
  std::optional<Sha256> hash_;
};

object ToJson(const BackupPartInfo& part) {
  array sections;
  for (const auto& section : part.sections) {
    sections.push_back(
        object{{"name", section.name}, {"records", section.records}, {"sha256", section.sha256}});
  }
  return object{{"backend", part.backend}, {"sections", std::move(sections)}};
}

object ToJson(const BackupManifest& manifest) {
  array attachments;
  for (const auto& content : manifest.attachments) {
    attachments.push_back(object{{"sha256", content.sha256}, {"size_bytes", content.size_bytes}});
  }
  return object{{"format", kFormatName},
                {"format_version", manifest.format_version},
                {"created_at", FormatRfc3339(manifest.created_at)},
                {"schema_version", manifest.schema_version},
                {"relational", ToJson(manifest.relational)},
                {"documents", ToJson(manifest.documents)},
                {"attachments", std::move(attachments)}};
}

class DirectoryBackupWriter final : public BackupWriter {
 public:
  DirectoryBackupWriter(fs::path directory, bool created)
      : directory_(std::move(directory)),
        created_(created),
        relational_(directory_ / PartFolder(BackupPart::kRelational)),
        documents_(directory_ / PartFolder(BackupPart::kDocuments)) {}

  BackupSink& Part(BackupPart part) override {
    return part == BackupPart::kRelational ? relational_ : documents_;
  }

  Status AddContent(const std::string& sha256, std::string_view content) override {
    if (!IsSha256Hex(sha256)) {
      return Fail(Error::Internal(fmt::format("'{}' is not a content address", sha256)));
    }
    if (!content_names_.insert(sha256).second) return Ok();
    const fs::path folder = directory_ / kAttachmentsFolder;
    if (content_names_.size() == 1) CLINIC_TRY_STATUS(MakePrivateFolder(folder));
    PrivateFile file;
    CLINIC_TRY_STATUS(file.Create(folder / sha256));
    CLINIC_TRY_STATUS(file.Write(content));
    CLINIC_TRY_STATUS(file.Finish());
    attachments_.push_back(
        {.sha256 = sha256, .size_bytes = static_cast<std::int64_t>(content.size())});
    return Ok();
  }

  Result<BackupManifest> Finish(BackupManifest manifest) override {
    CLINIC_TRY_STATUS(relational_.Close());
    CLINIC_TRY_STATUS(documents_.Close());
    manifest.format_version = kBackupFormatVersion;
    manifest.relational.sections = relational_.sections();
    manifest.documents.sections = documents_.sections();
    manifest.attachments = attachments_;
    std::sort(manifest.attachments.begin(), manifest.attachments.end(),
              [](const auto& a, const auto& b) { return a.sha256 < b.sha256; });
    for (const auto part : {BackupPart::kRelational, BackupPart::kDocuments}) {
      const fs::path folder = directory_ / PartFolder(part);
      if (fs::exists(folder)) CLINIC_TRY_STATUS(SyncFolder(folder));
    }
    if (!attachments_.empty()) CLINIC_TRY_STATUS(SyncFolder(directory_ / kAttachmentsFolder));
    // Written under another name and renamed: a manifest is there whole or not at all.
    const fs::path temporary = directory_ / (std::string(kManifestName) + ".partial");
    PrivateFile file;
    CLINIC_TRY_STATUS(file.Create(temporary));
    CLINIC_TRY_STATUS(file.Write(boost::json::serialize(ToJson(manifest)) + "\n"));
    CLINIC_TRY_STATUS(file.Finish());
    if (::rename(temporary.c_str(), (directory_ / kManifestName).c_str()) != 0) {
      return Fail(IoError("rename", temporary));
    }
    CLINIC_TRY_STATUS(SyncFolder(directory_));
    return manifest;
  }

  void Discard() override {
    std::error_code ignored;
    // The folder was empty when the writer took it: everything in it is the writer's.
    for (const auto& entry : fs::directory_iterator(directory_, ignored)) {
      fs::remove_all(entry.path(), ignored);
    }
    if (created_) fs::remove(directory_, ignored);
  }

 private:
  fs::path directory_;
  bool created_;
  SectionWriter relational_;
  SectionWriter documents_;
  std::set<std::string> content_names_;
  std::vector<BackupContentInfo> attachments_;
};

// Reads manifest.json's fields, each checked, and names the first that is wrong.
class ManifestParser {
 public:
  explicit ManifestParser(fs::path path) : path_(std::move(path)) {}

  Result<BackupManifest> Parse(std::string_view text) {
    boost::system::error_code error;
    const value json = boost::json::parse(text, error);
    if (error || !json.is_object()) return Fail(Wrong("is not a JSON object"));
    const object& root = json.get_object();
    CLINIC_ASSIGN_OR_RETURN(const std::string format, Text(root, "format"));
    if (format != kFormatName) return Fail(Wrong("is not a Clinic backup's manifest"));
    CLINIC_ASSIGN_OR_RETURN(const std::int64_t version, Integer(root, "format_version"));
    if (version != kBackupFormatVersion) {
      return Fail(Error::FailedPrecondition(fmt::format(
          "{}: backup format {}, which this version of Clinic does not read (it reads format {})",
          path_.string(), version, kBackupFormatVersion)));
    }
    BackupManifest manifest;
    CLINIC_ASSIGN_OR_RETURN(const std::string created_at, Text(root, "created_at"));
    const auto instant = ParseRfc3339(created_at);
    if (!instant) return Fail(Wrong("created_at is not an RFC 3339 instant"));
    manifest.created_at = *instant;
    CLINIC_ASSIGN_OR_RETURN(const std::int64_t schema_version, Integer(root, "schema_version"));
    if (schema_version < 1 || schema_version > std::numeric_limits<int>::max()) {
      return Fail(Wrong("schema_version is out of range"));
    }
    manifest.schema_version = static_cast<int>(schema_version);
    CLINIC_ASSIGN_OR_RETURN(manifest.relational, Part(root, "relational"));
    CLINIC_ASSIGN_OR_RETURN(manifest.documents, Part(root, "documents"));
    CLINIC_ASSIGN_OR_RETURN(const array* attachments, Array(root, "attachments"));
    std::set<std::string> seen;
    for (const value& entry : *attachments) {
      if (!entry.is_object()) return Fail(Wrong("an attachments entry is not an object"));
      BackupContentInfo content;
      CLINIC_ASSIGN_OR_RETURN(content.sha256, Text(entry.get_object(), "sha256"));
      CLINIC_ASSIGN_OR_RETURN(content.size_bytes, Integer(entry.get_object(), "size_bytes"));
      if (!IsSha256Hex(content.sha256) || content.size_bytes < 0 ||
          !seen.insert(content.sha256).second) {
        return Fail(Wrong("an attachments entry is not a distinct sha256 with its size"));
      }
      manifest.attachments.push_back(std::move(content));
    }
    return manifest;
  }

 private:
  Error Wrong(std::string_view what) const { return Damaged(path_, what); }

  Result<const value*> Field(const object& o, std::string_view key) const {
    const value* found = o.if_contains(key);
    if (found == nullptr) return Fail(Wrong(fmt::format("has no {}", key)));
    return found;
  }
  Result<std::string> Text(const object& o, std::string_view key) const {
    CLINIC_ASSIGN_OR_RETURN(const value* v, Field(o, key));
    if (!v->is_string()) return Fail(Wrong(fmt::format("{} is not a string", key)));
    return std::string(v->get_string());
  }
  Result<std::int64_t> Integer(const object& o, std::string_view key) const {
    CLINIC_ASSIGN_OR_RETURN(const value* v, Field(o, key));
    if (!v->is_int64()) return Fail(Wrong(fmt::format("{} is not an integer", key)));
    return v->get_int64();
  }
  Result<const array*> Array(const object& o, std::string_view key) const {
    CLINIC_ASSIGN_OR_RETURN(const value* v, Field(o, key));
    if (!v->is_array()) return Fail(Wrong(fmt::format("{} is not a list", key)));
    return &v->get_array();
  }

  Result<BackupPartInfo> Part(const object& root, std::string_view key) const {
    CLINIC_ASSIGN_OR_RETURN(const value* v, Field(root, key));
    if (!v->is_object()) return Fail(Wrong(fmt::format("{} is not an object", key)));
    const object& part = v->get_object();
    BackupPartInfo info;
    CLINIC_ASSIGN_OR_RETURN(info.backend, Text(part, "backend"));
    if (!IsPlainName(info.backend))
      return Fail(Wrong(fmt::format("{}.backend is not a name", key)));
    CLINIC_ASSIGN_OR_RETURN(const array* sections, Array(part, "sections"));
    std::set<std::string> seen;
    for (const value& entry : *sections) {
      if (!entry.is_object()) return Fail(Wrong(fmt::format("a {} section is not an object", key)));
      BackupSectionInfo section;
      CLINIC_ASSIGN_OR_RETURN(section.name, Text(entry.get_object(), "name"));
      CLINIC_ASSIGN_OR_RETURN(section.records, Integer(entry.get_object(), "records"));
      CLINIC_ASSIGN_OR_RETURN(section.sha256, Text(entry.get_object(), "sha256"));
      if (!IsPlainName(section.name) || !seen.insert(section.name).second || section.records < 0 ||
          !IsSha256Hex(section.sha256)) {
        return Fail(Wrong(fmt::format("a {} section has a bad name, count or sha256", key)));
      }
      info.sections.push_back(std::move(section));
    }
    return info;
  }

  fs::path path_;
};

// The sections of one part of a checked backup.
class SectionReader final : public BackupSource {
 public:
  SectionReader(fs::path folder, const BackupPartInfo& part)
      : folder_(std::move(folder)), part_(part) {}

  std::vector<std::string> Sections() const override {
    std::vector<std::string> names;
    names.reserve(part_.sections.size());
    for (const auto& section : part_.sections) names.push_back(section.name);
    return names;
  }

  Status Read(std::string_view name,
              const std::function<Status(BackupRecord&& record)>& each) override {
    const bool known = std::any_of(part_.sections.begin(), part_.sections.end(),
                                   [&](const BackupSectionInfo& s) { return s.name == name; });
    if (!known) return Fail(Error::NotFound(fmt::format("the backup has no section {}", name)));
    const fs::path path = PathOf(folder_, name);
    std::ifstream in(path, std::ios::binary);
    if (!in) return Fail(Damaged(path, "is missing or unreadable"));
    std::string line;
    for (std::int64_t number = 1; std::getline(in, line); ++number) {
      boost::system::error_code error;
      value parsed = boost::json::parse(line, error);
      if (error || !parsed.is_object()) {
        return Fail(Damaged(path, fmt::format("line {} is not a JSON object", number)));
      }
      CLINIC_TRY_STATUS(each(std::move(parsed.get_object())));
    }
    if (in.bad()) return Fail(IoError("read", path));
    return Ok();
  }

  static fs::path PathOf(const fs::path& folder, std::string_view name) {
    return folder / (std::string(name) + std::string(kSectionSuffix));
  }

 private:
  fs::path folder_;
  const BackupPartInfo& part_;
};

class DirectoryBackupReader final : public BackupReader {
 public:
  DirectoryBackupReader(fs::path directory, BackupManifest manifest)
      : directory_(std::move(directory)),
        manifest_(std::move(manifest)),
        relational_(directory_ / PartFolder(BackupPart::kRelational), manifest_.relational),
        documents_(directory_ / PartFolder(BackupPart::kDocuments), manifest_.documents) {}

  // Every file the manifest names, against it.
  Status Check() const {
    for (const auto part : {BackupPart::kRelational, BackupPart::kDocuments}) {
      const fs::path folder = directory_ / PartFolder(part);
      const auto& info =
          part == BackupPart::kRelational ? manifest_.relational : manifest_.documents;
      for (const auto& section : info.sections) {
        const fs::path path = SectionReader::PathOf(folder, section.name);
        Sha256 hash;
        std::int64_t lines = 0;
        CLINIC_TRY_STATUS(ReadChunks(path, [&](std::string_view chunk) {
          hash.Update(chunk);
          lines += std::count(chunk.begin(), chunk.end(), '\n');
        }));
        if (hash.HexDigest() != section.sha256) {
          return Fail(Damaged(path, "does not match its sha256 in manifest.json"));
        }
        if (lines != section.records) {
          return Fail(Damaged(path, "does not hold the number of records manifest.json says"));
        }
      }
    }
    for (const auto& content : manifest_.attachments) {
      const fs::path path = directory_ / kAttachmentsFolder / content.sha256;
      Sha256 hash;
      std::int64_t size = 0;
      CLINIC_TRY_STATUS(ReadChunks(path, [&](std::string_view chunk) {
        hash.Update(chunk);
        size += static_cast<std::int64_t>(chunk.size());
      }));
      if (hash.HexDigest() != content.sha256 || size != content.size_bytes) {
        return Fail(Damaged(path, "does not match its sha256"));
      }
    }
    return Ok();
  }

  const BackupManifest& manifest() const override { return manifest_; }

  BackupSource& Part(BackupPart part) override {
    return part == BackupPart::kRelational ? relational_ : documents_;
  }

  Result<std::string> ReadContent(const std::string& sha256) override {
    const bool known =
        std::any_of(manifest_.attachments.begin(), manifest_.attachments.end(),
                    [&](const BackupContentInfo& content) { return content.sha256 == sha256; });
    if (!known)
      return Fail(Error::NotFound(fmt::format("the backup has no attachment {}", sha256)));
    const fs::path path = directory_ / kAttachmentsFolder / sha256;
    std::string content;
    CLINIC_TRY_STATUS(ReadChunks(path, [&](std::string_view chunk) { content.append(chunk); }));
    if (Sha256Hex(content) != sha256) {
      return Fail(Damaged(path, "does not match its sha256"));
    }
    return content;
  }

 private:
  fs::path directory_;
  BackupManifest manifest_;
  SectionReader relational_;
  SectionReader documents_;
};

}  // namespace

Result<std::unique_ptr<BackupWriter>> BackupWriter::Create(const fs::path& directory) {
  std::error_code error;
  const auto status = fs::status(directory, error);
  if (fs::exists(status)) {
    if (!fs::is_directory(status)) {
      return Fail(Error::FailedPrecondition(
          fmt::format("{} exists and is not a folder", directory.string())));
    }
    if (!fs::is_empty(directory, error) || error) {
      return Fail(Error::FailedPrecondition(fmt::format(
          "{} is not empty: a backup goes into a new or empty folder", directory.string())));
    }
    if (::chmod(directory.c_str(), 0700) != 0) {
      return Fail(IoError("set the permissions of", directory));
    }
    return std::unique_ptr<BackupWriter>(
        std::make_unique<DirectoryBackupWriter>(directory, /*created=*/false));
  }
  CLINIC_TRY_STATUS(MakePrivateFolder(directory));
  return std::unique_ptr<BackupWriter>(
      std::make_unique<DirectoryBackupWriter>(directory, /*created=*/true));
}

Result<std::unique_ptr<BackupReader>> BackupReader::Open(const fs::path& directory) {
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    return Fail(Error::FailedPrecondition(
        fmt::format("{} is not a folder that can be read", directory.string())));
  }
  const fs::path manifest_path = directory / kManifestName;
  const auto size = fs::file_size(manifest_path, error);
  if (error) {
    return Fail(Error::FailedPrecondition(
        fmt::format("{} has no readable {}: it is not a backup, or one that did not finish",
                    directory.string(), kManifestName)));
  }
  if (size > kMaxManifestBytes) return Fail(Damaged(manifest_path, "is too large"));
  std::string text;
  CLINIC_TRY_STATUS(ReadChunks(manifest_path, [&](std::string_view chunk) { text.append(chunk); }));
  CLINIC_ASSIGN_OR_RETURN(auto manifest, ManifestParser(manifest_path).Parse(text));
  auto reader = std::make_unique<DirectoryBackupReader>(directory, std::move(manifest));
  CLINIC_TRY_STATUS(reader->Check());
  return std::unique_ptr<BackupReader>(std::move(reader));
}

}  // namespace clinic::storage
