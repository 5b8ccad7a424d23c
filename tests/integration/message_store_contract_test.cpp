// The MessageStore contract, run against the embedded SQLite store and against MongoDB (the wire
// peer of ../shared/mongo-peer, found through CLINIC_TEST_MONGO_URI; with CI=true a missing peer
// fails the MongoDB cases instead of skipping them).

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "clinic/common/crypto.hpp"
#include "clinic/storage/mongo/mongo_attachment_store.hpp"
#include "clinic/storage/sqlite/sqlite_attachment_store.hpp"
#include "support/captured_log.hpp"
#include "support/matchers.hpp"
#include "support/printers.hpp"
#include "support/test_databases.hpp"
#include "support/unreadable_documents.hpp"

namespace clinic::testing {
namespace {

using namespace std::chrono_literals;
using domain::Message;
using domain::Role;
using storage::MessagePosition;
using storage::MessageReader;
using ::testing::HasSubstr;
using ::testing::Not;

enum class DocumentBackend { kSqlite, kMongo };

void PrintTo(DocumentBackend backend, std::ostream* out) {
  *out << (backend == DocumentBackend::kSqlite ? "Sqlite" : "Mongo");
}

std::string BackendName(const ::testing::TestParamInfo<DocumentBackend>& info) {
  return info.param == DocumentBackend::kSqlite ? "Sqlite" : "Mongo";
}

const Instant kNoon = std::chrono::sys_days{std::chrono::year{2030} / 1 / 7} + 12h;

// 24 hex digits, increasing with `n`, like ObjectIds made one after another.
std::string IdNumber(int n) { return fmt::format("66ff1a7f8f1b2c34567{:05x}", n); }

Message ChatMessage(int n, Instant at, Role author_role = Role::kDoctor, Id author_id = 42) {
  Message m;
  m.id = IdNumber(n);
  m.thread_id = "apt-123";
  m.text = fmt::format("message {}", n);
  m.refs = {.appointment_id = 123, .patient_id = 501, .doctor_id = 42, .location_id = 3};
  m.author = {.role = author_role, .id = author_id, .display_name = "Dr. Alice Tan"};
  m.created_at = at;
  m.updated_at = at;
  m.created_by_role = author_role;
  m.created_by_id = author_id;
  return m;
}

class MessageStoreContractTest : public ::testing::TestWithParam<DocumentBackend> {
 protected:
  void SetUp() override {
    if (GetParam() == DocumentBackend::kSqlite) {
      directory_ = std::filesystem::temp_directory_path() / ("clinic-docs-" + RandomToken(6));
      std::filesystem::create_directories(directory_);
      docs_uri_ = "sqlite://" + (directory_ / "docs.db").string();
      auto opened = storage::sqlite::OpenSqliteDocumentStores((directory_ / "docs.db").string(), 4,
                                                              (directory_ / "files").string());
      ASSERT_THAT(opened, IsOk());
      store_ = std::move(opened->messages);
      attachments_ = std::move(opened->attachments);
      return;
    }
    const auto uri = TestMongoUri("clinic_test_" + RandomToken(6));
    if (!uri) {
      const char* ci = std::getenv("CI");
      if (ci != nullptr && std::string_view(ci) == "true") {
        FAIL() << "CLINIC_TEST_MONGO_URI is not set; CI needs the MongoDB peer";
      }
      GTEST_SKIP() << "CLINIC_TEST_MONGO_URI is not set; skipping the MongoDB message store";
    }
    docs_uri_ = *uri;
    auto opened = storage::mongo::OpenMongoDocumentStores(*uri);
    ASSERT_THAT(opened, IsOk());
    store_ = std::move(opened->messages);
    attachments_ = std::move(opened->attachments);
  }

  void TearDown() override {
    store_.reset();
    attachments_.reset();
    if (!directory_.empty()) std::filesystem::remove_all(directory_);
  }

  void Insert(const Message& message) {
    auto inserted = store_->Insert(message);
    ASSERT_THAT(inserted, IsOk());
  }

  std::vector<std::string> ThreadIds(const std::optional<MessagePosition>& before, int limit) {
    auto listed = store_->ListThread("apt-123", before, limit);
    EXPECT_THAT(listed, IsOk());
    std::vector<std::string> ids;
    for (const auto& message : listed.value_or(std::vector<Message>{})) ids.push_back(message.id);
    return ids;
  }

  // Replaces kSpoiledMark in the stored message or upload record `id` by bytes that are not UTF-8.
  void Spoil(StoredDocument kind, const std::string& id) {
    ASSERT_THAT(SpoilStoredDocument(docs_uri_, kind, id), IsOk())
        << "MongoDB stores strings that are not UTF-8 as they come: a MongoDB peer that refuses "
           "them needs tests/mongo-peer/raw_strings.mjs (scripts/test.sh loads it)";
  }

  std::unique_ptr<storage::MessageStore> store_;
  std::unique_ptr<storage::AttachmentStore> attachments_;
  std::filesystem::path directory_;
  std::string docs_uri_;
};

TEST_P(MessageStoreContractTest, AStoredMessageReadsBackFieldForField) {
  Message m = ChatMessage(1, kNoon);
  m.markdown = "Hi **John**, please drink more water and rest today.";
  m.author.avatar_url = "https://cdn.example.com/u/42.png";
  m.attachments.push_back({.file_id = "f_9c1c4eaa",
                           .file_name = "lab-report.pdf",
                           .mime_type = "application/pdf",
                           .size_bytes = 183422,
                           .sha256 = std::string(64, 'a'),
                           .bucket = "local",
                           .region = "local"});
  m.read_receipts.push_back({.user_role = Role::kPatient, .user_id = 501, .read_at = kNoon + 80s});
  m.tags = {"follow-up", "advice"};
  m.patient_display_name = "John Smith";
  m.doctor_specialization = "General Medicine";
  m.client_ua = "Mozilla/5.0";
  m.client_platform = "web";
  Insert(m);

  auto found = store_->Get(m.id);
  ASSERT_TRUE(found && *found) << (found ? "not found" : found.error().message);
  const Message& back = **found;
  EXPECT_EQ(back.id, m.id);
  EXPECT_EQ(back.thread_id, m.thread_id);
  EXPECT_EQ(back.type, m.type);
  EXPECT_EQ(back.text, m.text);
  EXPECT_EQ(back.markdown, m.markdown);
  EXPECT_EQ(back.refs.appointment_id, 123);
  EXPECT_EQ(back.refs.location_id, 3);
  EXPECT_EQ(back.author.display_name, "Dr. Alice Tan");
  EXPECT_EQ(back.author.avatar_url, m.author.avatar_url);
  ASSERT_EQ(back.attachments.size(), 1u);
  EXPECT_EQ(back.attachments[0].size_bytes, 183422);
  EXPECT_EQ(back.attachments[0].bucket, "local");
  ASSERT_EQ(back.read_receipts.size(), 1u);
  EXPECT_EQ(back.read_receipts[0].read_at, kNoon + 80s);
  EXPECT_EQ(back.tags, m.tags);
  EXPECT_EQ(back.patient_display_name, "John Smith");
  EXPECT_EQ(back.doctor_specialization, "General Medicine");
  EXPECT_EQ(back.created_at, kNoon);
  EXPECT_EQ(back.created_by_role, Role::kDoctor);
  EXPECT_EQ(back.client_platform, "web");
  EXPECT_EQ(back.version, 1);

  auto missing = store_->Get(IdNumber(999));
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
}

TEST_P(MessageStoreContractTest, ASecondMessageWithTheSameIdIsRefused) {
  Insert(ChatMessage(1, kNoon));
  auto again = store_->Insert(ChatMessage(1, kNoon + 5s));
  ASSERT_THAT(again, StatusIs(ErrorCode::kAlreadyExists));
}

TEST_P(MessageStoreContractTest, ThreadsListNewestFirstAndCursorsSurviveNewMessages) {
  // Two messages share a second: the id breaks the tie.
  Insert(ChatMessage(1, kNoon));
  Insert(ChatMessage(2, kNoon + 1s));
  Insert(ChatMessage(3, kNoon + 1s));
  Insert(ChatMessage(4, kNoon + 2s));
  auto other = ChatMessage(9, kNoon + 3s);
  other.thread_id = "apt-999";
  Insert(other);

  const auto first_page = ThreadIds(std::nullopt, 2);
  ASSERT_EQ(first_page, (std::vector<std::string>{IdNumber(4), IdNumber(3), IdNumber(2)}))
      << "limit + 1 rows";
  Insert(ChatMessage(5, kNoon + 10s));  // arrives while the reader pages back
  EXPECT_EQ(ThreadIds(MessagePosition{kNoon + 1s, IdNumber(3)}, 2),
            (std::vector<std::string>{IdNumber(2), IdNumber(1)}));
  EXPECT_EQ(ThreadIds(std::nullopt, 10).front(), IdNumber(5));
}

TEST_P(MessageStoreContractTest, ReadReceiptsAreAddedOnceAndUnreadCountsFollow) {
  Insert(ChatMessage(1, kNoon));
  Insert(ChatMessage(2, kNoon + 1s));
  Insert(ChatMessage(3, kNoon + 2s, Role::kPatient, 501));
  Insert(ChatMessage(4, kNoon + 3s));
  const MessageReader patient{Role::kPatient, 501};
  const MessageReader doctor{Role::kDoctor, 42};

  auto unread = store_->UnreadCounts(patient);
  ASSERT_THAT(unread, IsOk());
  ASSERT_EQ(unread->size(), 1u);
  EXPECT_EQ(unread->front().thread_id, "apt-123");
  EXPECT_EQ(unread->front().appointment_id, 123);
  EXPECT_EQ(unread->front().unread, 3) << "the patient's own message is not unread for them";

  auto marked = store_->MarkRead("apt-123", {kNoon + 2s, IdNumber(3)}, patient, kNoon + 60s);
  ASSERT_THAT(marked, IsOk());
  EXPECT_EQ(*marked, 2) << "messages 1 and 2; message 3 is the patient's own";
  auto again = store_->MarkRead("apt-123", {kNoon + 2s, IdNumber(3)}, patient, kNoon + 90s);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0) << "one receipt per user per message";
  EXPECT_EQ(store_->UnreadCounts(patient)->front().unread, 1);
  EXPECT_EQ(store_->UnreadCounts(doctor)->front().unread, 1);
  EXPECT_TRUE(store_->UnreadCounts({Role::kAdmin, 1})->empty());

  const auto first = *store_->Get(IdNumber(1));
  ASSERT_EQ(first->read_receipts.size(), 1u);
  EXPECT_EQ(first->read_receipts[0].user_id, 501);
  EXPECT_EQ(first->read_receipts[0].read_at, kNoon + 60s);
}

TEST_P(MessageStoreContractTest, EditsNeedTheCurrentVersion) {
  Insert(ChatMessage(1, kNoon));
  auto edited = store_->Edit(IdNumber(1), 1, std::string("fixed"), std::nullopt, kNoon + 30s);
  ASSERT_THAT(edited, IsOk());
  EXPECT_TRUE(*edited);
  auto stale = store_->Edit(IdNumber(1), 1, std::string("lost"), std::nullopt, kNoon + 40s);
  ASSERT_TRUE(stale);
  EXPECT_FALSE(*stale);
  const auto back = *store_->Get(IdNumber(1));
  EXPECT_EQ(back->text, "fixed");
  EXPECT_EQ(back->version, 2);
  EXPECT_EQ(back->updated_at, kNoon + 30s);
  EXPECT_FALSE(*store_->Edit(IdNumber(404), 1, std::string("x"), std::nullopt, kNoon));
}

TEST_P(MessageStoreContractTest, ConcurrentEditsOfOneVersionLetOneWin) {
  Insert(ChatMessage(1, kNoon));
  std::atomic<int> won{0};
  std::vector<std::thread> editors;
  for (int i = 0; i < 8; ++i) {
    editors.emplace_back([&, i] {
      auto edited = store_->Edit(IdNumber(1), 1, fmt::format("edit {}", i), std::nullopt, kNoon);
      if (edited && *edited) ++won;
    });
  }
  for (auto& editor : editors) editor.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ((*store_->Get(IdNumber(1)))->version, 2);
}

storage::StoredAttachment Upload(const std::string& file_id, const std::string& content) {
  return {.file_id = file_id,
          .file_name = "scan.pdf",
          .mime_type = "application/pdf",
          .size_bytes = static_cast<std::int64_t>(content.size()),
          .sha256 = Sha256Hex(content),
          .uploaded_by_role = Role::kPatient,
          .uploaded_by_id = 501,
          .uploaded_at = kNoon};
}

TEST_P(MessageStoreContractTest, AttachmentsReadBackByteForByteAndAreStoredOncePerContent) {
  // Several GridFS chunks (255 KiB each) and every byte value.
  std::string content;
  for (int i = 0; i < 3 * 1024 * 1024; ++i) content.push_back(static_cast<char>(i * 7 % 256));
  const auto first = Upload("f_first", content);
  ASSERT_TRUE(attachments_->Save(first, content));
  ASSERT_TRUE(attachments_->Save(Upload("f_second", content), content)) << "same bytes again";

  auto found = attachments_->Find("f_first");
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->file_name, "scan.pdf");
  EXPECT_EQ((*found)->mime_type, "application/pdf");
  EXPECT_EQ((*found)->size_bytes, static_cast<std::int64_t>(content.size()));
  EXPECT_EQ((*found)->sha256, first.sha256);
  EXPECT_EQ((*found)->uploaded_by_role, Role::kPatient);
  EXPECT_EQ((*found)->uploaded_by_id, 501);
  EXPECT_EQ((*found)->uploaded_at, kNoon);
  ASSERT_TRUE(*attachments_->Find("f_second"));
  EXPECT_FALSE(*attachments_->Find("f_missing"));

  // Read a piece at a time through a buffer that divides neither a GridFS chunk nor the file.
  auto reader = attachments_->OpenContent(first.sha256);
  ASSERT_THAT(reader, IsOk());
  std::string read_back;
  std::array<char, 1000> buffer{};
  while (true) {
    auto piece = (*reader)->Read(buffer);
    ASSERT_THAT(piece, IsOk());
    ASSERT_LE(*piece, buffer.size());
    if (*piece == 0) break;
    read_back.append(buffer.data(), *piece);
  }
  EXPECT_TRUE(read_back == content) << read_back.size() << " bytes read back";
  auto after_the_end = (*reader)->Read(buffer);
  ASSERT_THAT(after_the_end, IsOk());
  EXPECT_EQ(*after_the_end, 0u) << "the end stays the end";
  EXPECT_THAT(attachments_->OpenContent(std::string(64, '0')), StatusIs(ErrorCode::kNotFound));
  EXPECT_THAT(attachments_->Save(first, content), StatusIs(ErrorCode::kAlreadyExists))
      << "one record per file id";
  if (GetParam() == DocumentBackend::kSqlite) {
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(directory_ / "files")) {
      if (entry.is_regular_file()) ++files;
    }
    EXPECT_EQ(files, 1u);
  }
}

TEST_P(MessageStoreContractTest, MessagesTellWhichAppointmentsReferenceAFile) {
  Message first = ChatMessage(1, kNoon);
  first.attachments.push_back({.file_id = "f_shared", .file_name = "a.png"});
  Message other_thread = ChatMessage(2, kNoon + 1s);
  other_thread.thread_id = "apt-124";
  other_thread.refs.appointment_id = 124;
  other_thread.attachments.push_back({.file_id = "f_shared", .file_name = "a.png"});
  other_thread.attachments.push_back({.file_id = "f_only_here", .file_name = "b.png"});
  Insert(first);
  Insert(other_thread);
  Insert(ChatMessage(3, kNoon + 2s));
  EXPECT_EQ(*store_->AppointmentsWithFile("f_shared"), (std::vector<Id>{123, 124}));
  EXPECT_EQ(*store_->AppointmentsWithFile("f_only_here"), (std::vector<Id>{124}));
  EXPECT_TRUE(store_->AppointmentsWithFile("f_none")->empty());
}

TEST_P(MessageStoreContractTest, RecentMessagesOfAllThreadsComeOldestFirst) {
  Message other_thread = ChatMessage(2, kNoon + 5s);
  other_thread.thread_id = "apt-124";
  other_thread.refs.appointment_id = 124;
  Insert(ChatMessage(1, kNoon - 1s));
  Insert(ChatMessage(3, kNoon + 5s));
  Insert(other_thread);
  Insert(ChatMessage(4, kNoon));
  const auto recent = store_->ListCreatedSince(kNoon, 10);
  ASSERT_THAT(recent, IsOk());
  std::vector<std::string> ids;
  for (const auto& message : *recent) ids.push_back(message.id);
  EXPECT_EQ(ids, (std::vector<std::string>{IdNumber(4), IdNumber(2), IdNumber(3)}));
  EXPECT_EQ(store_->ListCreatedSince(kNoon, 1)->size(), 1u);
}

// Rows written before input was checked as strictly as now (or by another tool: MongoDB does not
// check that strings are UTF-8 either) may hold text that is not UTF-8. Listings leave such a row
// out instead of failing, and RepairUnreadable makes it readable again.
TEST_P(MessageStoreContractTest, AnUnreadableMessageIsLeftOutOfListingsUntilRepaired) {
  Message poisoned = ChatMessage(1, kNoon);
  poisoned.client_ua = fmt::format("Device {}", kSpoiledMark);
  Insert(poisoned);
  Insert(ChatMessage(2, kNoon + 1s));
  ASSERT_NO_FATAL_FAILURE(Spoil(StoredDocument::kMessage, IdNumber(1)));

  EXPECT_EQ(ThreadIds(std::nullopt, 10), std::vector<std::string>{IdNumber(2)});
  auto recent = store_->ListCreatedSince(kNoon, 10);
  ASSERT_THAT(recent, IsOk());
  EXPECT_EQ(recent->size(), 1u);

  auto repair = store_->RepairUnreadable();
  ASSERT_THAT(repair, IsOk());
  EXPECT_EQ(repair->scanned, 2);
  EXPECT_EQ(repair->repaired, 1);
  EXPECT_TRUE(repair->unrepairable.empty());
  EXPECT_EQ(ThreadIds(std::nullopt, 10), (std::vector<std::string>{IdNumber(2), IdNumber(1)}));
  auto repaired = store_->Get(IdNumber(1));
  ASSERT_TRUE(repaired && *repaired);
  EXPECT_EQ((*repaired)->client_ua, "Device \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ((*repaired)->text, poisoned.text);
  auto again = store_->RepairUnreadable();
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->repaired, 0);
}

// The operator learns of a row a listing leaves out from one error line naming it and why, and the
// log, which is kept and read more widely than the store, never gets the health record it holds.
TEST_P(MessageStoreContractTest, AnUnreadableMessageLeftOutIsLoggedByIdWithoutItsContent) {
  Message poisoned = ChatMessage(1, kNoon);
  poisoned.text = fmt::format("Your biopsy came back benign {}", kSpoiledMark);
  Insert(poisoned);
  ASSERT_NO_FATAL_FAILURE(Spoil(StoredDocument::kMessage, IdNumber(1)));

  const auto log = std::make_shared<CapturingSink>();
  {
    const CapturedLog capture(log);
    EXPECT_TRUE(ThreadIds(std::nullopt, 10).empty());
  }
  std::vector<std::string> lines;
  for (const auto& line : log->Lines()) {
    if (line.find("left out") != std::string::npos) lines.push_back(line);
  }
  ASSERT_EQ(lines.size(), 1u) << ::testing::PrintToString(log->Lines());
  EXPECT_THAT(lines[0], HasSubstr(fmt::format("message {} cannot be read", IdNumber(1))));
  EXPECT_THAT(lines[0], HasSubstr("not valid UTF-8"));
  EXPECT_THAT(lines[0], HasSubstr("clinicctl repair-messages"));
  for (const auto& line : log->Lines()) EXPECT_THAT(line, Not(HasSubstr("biopsy")));
}

// Older versions kept an upload's name with bytes that are not UTF-8: MongoDB then cannot find
// the record, and SQLite hands the name on to each message that attaches the file, which then
// cannot be read. The repair cleans such names and leaves other records alone.
TEST_P(MessageStoreContractTest, AnUploadRecordWhoseNameIsNotUtf8IsRepaired) {
  auto spoiled = Upload("f_spoiled", "%PDF-1.7 a");
  spoiled.file_name = fmt::format("scan {}.pdf", kSpoiledMark);
  ASSERT_THAT(attachments_->Save(spoiled, "%PDF-1.7 a"), IsOk());
  ASSERT_THAT(attachments_->Save(Upload("f_clean", "%PDF-1.7 b"), "%PDF-1.7 b"), IsOk());
  ASSERT_NO_FATAL_FAILURE(Spoil(StoredDocument::kUploadRecord, "f_spoiled"));

  auto repair = attachments_->RepairUnreadable();
  ASSERT_THAT(repair, IsOk());
  EXPECT_EQ(repair->scanned, 2);
  EXPECT_EQ(repair->repaired, 1);
  EXPECT_TRUE(repair->unrepairable.empty());
  auto found = attachments_->Find("f_spoiled");
  ASSERT_THAT(found, IsOk());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->file_name, "scan \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD.pdf");
  EXPECT_EQ((*found)->sha256, spoiled.sha256);
  EXPECT_EQ((**attachments_->Find("f_clean")).file_name, "scan.pdf");
  auto again = attachments_->RepairUnreadable();
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->repaired, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, MessageStoreContractTest,
                         ::testing::Values(DocumentBackend::kSqlite, DocumentBackend::kMongo),
                         BackendName);

}  // namespace
}  // namespace clinic::testing
