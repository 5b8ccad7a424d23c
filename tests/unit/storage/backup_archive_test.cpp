// The backup folder's format: what is written reads back the same, the folder and its files are
// the owner's alone, and a reader refuses, naming the file, any backup whose files do not match
// its manifest, before a caller could restore a record of it.

#include "clinic/storage/backup_archive.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <fstream>

#include "clinic/common/crypto.hpp"
#include "support/backup_comparison.hpp"
#include "support/matchers.hpp"

namespace clinic::storage {
namespace {

namespace fs = std::filesystem;
using boost::json::object;
using ::clinic::testing::IsOk;
using ::clinic::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Instant kTaken{std::chrono::seconds(1'900'000'000)};

class BackupArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    InitCrypto();
    std::string pattern = (fs::temp_directory_path() / "clinic-archive-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    scratch_ = pattern;
    folder_ = scratch_ / "backup";
  }
  void TearDown() override { fs::remove_all(scratch_); }

  // A backup of two tables, one of them empty, a collection and two attachment contents.
  void WriteSample() {
    auto writer = BackupWriter::Create(folder_);
    ASSERT_THAT(writer, IsOk());
    BackupSink& relational = (*writer)->Part(BackupPart::kRelational);
    ASSERT_THAT(relational.BeginSection("patients"), IsOk());
    ASSERT_THAT(relational.Add(object{{"id", 1}, {"first_name", "Zoë"}, {"notes", nullptr}}),
                IsOk());
    ASSERT_THAT(relational.Add(object{{"id", 2}, {"first_name", "Ana"}, {"notes", "a\nb"}}),
                IsOk());
    ASSERT_THAT(relational.BeginSection("sessions"), IsOk());
    BackupSink& documents = (*writer)->Part(BackupPart::kDocuments);
    ASSERT_THAT(documents.BeginSection("messages"), IsOk());
    ASSERT_THAT(documents.Add(object{{"_id", object{{"$oid", "6b117393e37a0a0000000002"}}}}),
                IsOk());
    ASSERT_THAT((*writer)->AddContent(Sha256Hex("scan"), "scan"), IsOk());
    ASSERT_THAT((*writer)->AddContent(Sha256Hex("notes"), "notes"), IsOk());
    BackupManifest manifest;
    manifest.created_at = kTaken;
    manifest.schema_version = 10;
    manifest.relational.backend = "sqlite";
    manifest.documents.backend = "mongodb";
    auto written = (*writer)->Finish(std::move(manifest));
    ASSERT_THAT(written, IsOk());
  }

  // Every record of a section, serialized.
  static std::vector<std::string> Records(BackupSource& source, std::string_view section) {
    std::vector<std::string> records;
    EXPECT_THAT(source.Read(section,
                            [&](BackupRecord&& record) {
                              records.push_back(boost::json::serialize(record));
                              return Ok();
                            }),
                IsOk());
    return records;
  }

  static std::string ReadText(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  static void WriteText(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  }

  // Open's refusal, which must name the file at fault.
  void ExpectRefused(const fs::path& at_fault) {
    auto reader = BackupReader::Open(folder_);
    ASSERT_THAT(reader, StatusIs(ErrorCode::kFailedPrecondition));
    EXPECT_THAT(reader.error().message, HasSubstr(at_fault.string()));
  }

  fs::path scratch_;
  fs::path folder_;
};

TEST_F(BackupArchiveTest, ReadsBackEverySectionRecordAndContentAsWritten) {
  WriteSample();
  auto reader = BackupReader::Open(folder_);
  ASSERT_THAT(reader, IsOk());
  const BackupManifest& manifest = (*reader)->manifest();
  EXPECT_EQ(manifest.format_version, kBackupFormatVersion);
  EXPECT_EQ(manifest.created_at, kTaken);
  EXPECT_EQ(manifest.schema_version, 10);
  EXPECT_EQ(manifest.relational.backend, "sqlite");
  EXPECT_EQ(manifest.documents.backend, "mongodb");
  ASSERT_EQ(manifest.relational.sections.size(), 2u);
  EXPECT_EQ(manifest.relational.sections[0].records, 2);
  EXPECT_EQ(manifest.relational.sections[1].records, 0);
  EXPECT_EQ(manifest.attachments.size(), 2u);

  BackupSource& relational = (*reader)->Part(BackupPart::kRelational);
  EXPECT_THAT(relational.Sections(), ElementsAre("patients", "sessions"));
  EXPECT_THAT(Records(relational, "patients"),
              ElementsAre(R"({"id":1,"first_name":"Zoë","notes":null})",
                          R"({"id":2,"first_name":"Ana","notes":"a\nb"})"));
  EXPECT_TRUE(Records(relational, "sessions").empty());
  BackupSource& documents = (*reader)->Part(BackupPart::kDocuments);
  EXPECT_THAT(documents.Sections(), ElementsAre("messages"));
  EXPECT_THAT(Records(documents, "messages"),
              ElementsAre(R"({"_id":{"$oid":"6b117393e37a0a0000000002"}})"));
  auto scan = (*reader)->ReadContent(Sha256Hex("scan"));
  ASSERT_THAT(scan, IsOk());
  EXPECT_EQ(*scan, "scan");
  EXPECT_THAT((*reader)->ReadContent(Sha256Hex("elsewhere")), StatusIs(ErrorCode::kNotFound));
}

TEST_F(BackupArchiveTest, EveryFolderAndFileIsTheOwnersAlone) {
  WriteSample();
  const auto permissions = clinic::testing::Permissions(folder_);
  EXPECT_EQ(permissions.size(), 10u) << "the folder, its three folders, six files";
  for (const auto& [path, bits] : permissions) {
    EXPECT_EQ(bits, fs::is_directory(folder_ / path)
                        ? fs::perms::owner_all
                        : (fs::perms::owner_read | fs::perms::owner_write))
        << path;
  }
}

TEST_F(BackupArchiveTest, TakesAnEmptyFolderAndRefusesAnyOther) {
  fs::create_directories(folder_);
  fs::permissions(folder_, fs::perms::all);
  auto taken = BackupWriter::Create(folder_);
  ASSERT_THAT(taken, IsOk());
  EXPECT_EQ(fs::status(folder_).permissions() & fs::perms::all, fs::perms::owner_all);
  (*taken)->Discard();
  EXPECT_TRUE(fs::is_directory(folder_)) << "an operator's folder stays, empty";

  WriteText(folder_ / "keep.txt", "mine");
  auto used = BackupWriter::Create(folder_);
  ASSERT_THAT(used, StatusIs(ErrorCode::kFailedPrecondition));
  EXPECT_THAT(used.error().message, HasSubstr("is not empty"));
  EXPECT_EQ(ReadText(folder_ / "keep.txt"), "mine");
  EXPECT_THAT(BackupWriter::Create(folder_ / "keep.txt"), StatusIs(ErrorCode::kFailedPrecondition));
  EXPECT_THAT(BackupWriter::Create(scratch_ / "missing" / "backup"),
              StatusIs(ErrorCode::kUnavailable));
}

TEST_F(BackupArchiveTest, DiscardRemovesWhatItWroteAndTheFolderItMade) {
  auto writer = BackupWriter::Create(folder_);
  ASSERT_THAT(writer, IsOk());
  ASSERT_THAT((*writer)->Part(BackupPart::kRelational).BeginSection("patients"), IsOk());
  ASSERT_THAT((*writer)->AddContent(Sha256Hex("scan"), "scan"), IsOk());
  (*writer)->Discard();
  EXPECT_FALSE(fs::exists(folder_));
}

TEST_F(BackupArchiveTest, RefusesASectionNameThatIsNotAPlainFileName) {
  auto writer = BackupWriter::Create(folder_);
  ASSERT_THAT(writer, IsOk());
  BackupSink& sink = (*writer)->Part(BackupPart::kDocuments);
  EXPECT_THAT(sink.BeginSection("../escape"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(sink.BeginSection(".hidden"), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(sink.BeginSection(""), StatusIs(ErrorCode::kInvalidArgument));
  EXPECT_THAT(sink.BeginSection("attachments.records-1"), IsOk());
  (*writer)->Discard();
}

TEST_F(BackupArchiveTest, RefusesABackupWhoseFilesDoNotMatchItsManifest) {
  WriteSample();
  const fs::path patients = folder_ / "relational" / "patients.jsonl";
  const std::string original = ReadText(patients);

  std::string altered = original;
  altered[altered.find("Ana") + 1] = 'm';
  WriteText(patients, altered);
  ExpectRefused(patients);

  WriteText(patients, original + original);
  ExpectRefused(patients);

  fs::remove(patients);
  ExpectRefused(patients);
  WriteText(patients, original);
  ASSERT_THAT(BackupReader::Open(folder_), IsOk());

  const fs::path scan = folder_ / "attachments" / Sha256Hex("scan");
  WriteText(scan, "scan!");
  ExpectRefused(scan);
  WriteText(scan, "scan");

  const fs::path manifest = folder_ / "manifest.json";
  const std::string text = ReadText(manifest);
  WriteText(manifest, "{\"format\":\"clinic-backup\"");
  ExpectRefused(manifest);
  std::string escaping = text;
  escaping.replace(escaping.find("\"patients\""), 10, "\"../../etc/passwd\"");
  WriteText(manifest, escaping);
  ExpectRefused(manifest);
  std::string newer = text;
  newer.replace(newer.find("\"format_version\":1"), 18, "\"format_version\":2");
  WriteText(manifest, newer);
  auto refused = BackupReader::Open(folder_);
  ASSERT_THAT(refused, StatusIs(ErrorCode::kFailedPrecondition));
  EXPECT_THAT(refused.error().message, HasSubstr("backup format 2"));

  fs::remove(manifest);
  auto unfinished = BackupReader::Open(folder_);
  ASSERT_THAT(unfinished, StatusIs(ErrorCode::kFailedPrecondition));
  EXPECT_THAT(unfinished.error().message, HasSubstr("did not finish"));
}

}  // namespace
}  // namespace clinic::storage
