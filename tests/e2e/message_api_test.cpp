// Doctor–patient messages over HTTP, relational data on SQLite and MariaDB and the messages in the
// embedded document store: who sees a thread, what the stored document looks like, idempotent
// posts, safe markdown, receipts and unread counts, edits with versions, system messages.

#include <gmock/gmock.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/parse.hpp>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>
#include <thread>

#include "clinic/common/crypto.hpp"
#include "clinic/storage/sqlite/sqlite_connection.hpp"
#include "support/matchers.hpp"
#include "support/messaging_fixture.hpp"

namespace clinic::testing {
namespace {

using boost::json::object;
using namespace std::string_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

// The field names of a JSON object, for comparing shapes.
std::vector<std::string> Keys(const boost::json::value& value) {
  std::vector<std::string> keys;
  for (const auto& [key, _] : value.as_object()) keys.emplace_back(key);
  return keys;
}

class MessageApiTest : public MessagingApiTest {
 protected:
  // A second instance relays what the first stored (live delivery's polling fallback); an upload
  // quota small enough to reach.
  std::vector<std::string> ExtraFlags() const override {
    return {"--live-poll-ms", "100", "--upload-quota", std::to_string(kUploadQuota)};
  }
  static constexpr std::size_t kUploadQuota = 16 * 1024 * 1024;

  void SetUp() override {
    MessagingApiTest::SetUp();
    if (HasFatalFailure() || IsSkipped()) return;
    location_ = CreateLocation("Asia/Singapore");
    doctor_ = CreateDoctor("heart@clinic.example");
    doctor_token_ = Login("heart@clinic.example", kDoctorPassword);
    std::tie(patient_, patient_token_) = RegisterPatient("ana@example.com");
    auto booked = Call("POST", "/api/v1/appointments",
                       object{{"slot_id", CreateSlot(doctor_, location_, On2030(1), On2030(2))}},
                       patient_token_);
    ASSERT_EQ(booked.status, 201) << booked.body;
    appointment_ = booked.Json().at("id").as_int64();
    WaitForOutbox();
  }

  std::string Thread(const std::string& suffix = "") const {
    return "/api/v1/appointments/" + std::to_string(appointment_) + "/messages" + suffix;
  }

  test_support::HttpResponse Post(const std::string& token, const object& body) {
    return Call("POST", Thread(), body, token);
  }

  boost::json::value PostOk(const std::string& token, const object& body) {
    auto response = Post(token, body);
    EXPECT_EQ(response.status, 201) << response.body;
    return response.Json();
  }

  // POST /api/v1/attachments with raw `content` declared as `content_type`.
  test_support::HttpResponse Upload(const std::string& token, const std::string& content,
                                    const std::string& content_type,
                                    const std::string& query = "") {
    return Send({.method = "POST",
                 .target = "/api/v1/attachments" + query,
                 .body = content,
                 .headers = {{"Content-Type", content_type}}},
                token);
  }

  test_support::HttpResponse Download(const std::string& token, const boost::json::value& file) {
    return Call("GET", "/api/v1/attachments/" + std::string(file.at("file_id").as_string()),
                std::nullopt, token);
  }

  // Regular files under the attachment folder (the embedded store's bytes).
  std::size_t StoredFiles() const {
    std::size_t count = 0;
    if (!std::filesystem::exists(files_dir())) return 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(files_dir())) {
      if (entry.is_regular_file()) ++count;
    }
    return count;
  }

  std::int64_t location_ = 0;
  std::int64_t doctor_ = 0;
  std::string doctor_token_;
  std::int64_t patient_ = 0;
  std::string patient_token_;
  std::int64_t appointment_ = 0;
};

TEST_P(MessageApiTest, OnlyTheAppointmentsPatientDoctorAndAdminsSeeTheThread) {
  const auto posted = PostOk(patient_token_, object{{"text", "Is fasting needed?"}});
  EXPECT_EQ(posted.at("author").at("role"), "patient");
  EXPECT_EQ(posted.at("author").at("id"), patient_);
  EXPECT_EQ(posted.at("relationalRefs").at("doctor_id"), doctor_);
  EXPECT_EQ(posted.at("thread_id").as_string(), "apt-" + std::to_string(appointment_));
  EXPECT_EQ(posted.at("denorm").at("doctor").at("specialization"), "Cardiology");
  EXPECT_EQ(posted.at("type"), "chat");

  for (const auto* token : {&doctor_token_, &admin_token_, &patient_token_}) {
    const auto items = Items(Thread(), *token);
    ASSERT_EQ(items.size(), 2u) << "the system message of the booking and the question";
    EXPECT_EQ(items[0].at("_id"), posted.at("_id")) << "newest first";
    EXPECT_EQ(items[1].at("type"), "system");
    EXPECT_THAT(std::string(items[1].at("text").as_string()),
                HasSubstr("Appointment booked for Mon  7 Jan 2030, 09:00 Asia/Singapore"));
  }
  const auto [stranger, stranger_token] = RegisterPatient("eve@example.com");
  EXPECT_EQ(Call("GET", Thread(), std::nullopt, stranger_token).status, 404);
  EXPECT_EQ(Post(stranger_token, object{{"text", "hello"}}).status, 404);
  CreateDoctor("other@clinic.example");
  EXPECT_EQ(
      Call("GET", Thread(), std::nullopt, Login("other@clinic.example", kDoctorPassword)).status,
      404);
  EXPECT_EQ(Call("GET", Thread()).status, 401);
}

TEST_P(MessageApiTest, TheStoredDocumentHasTheSeedsShape) {
  const auto posted = PostOk(doctor_token_, object{{"text", "Rest today."},
                                                   {"markdown", "**Rest** today."},
                                                   {"tags", boost::json::array{"Advice"}}});
  // Read the row the server stored, not the answer it gave (on MongoDB the answer, which the
  // document-store contract suite checks against the stored document).
  boost::json::value stored = posted;
  stored.as_object().erase("html");
  if (docs_uri().starts_with("sqlite:")) {
    auto path = storage::sqlite::ParseSqliteUri(docs_uri());
    ASSERT_TRUE(path);
    auto connection = storage::sqlite::MakeSqliteConnectionFactory(*path)->Open();
    ASSERT_TRUE(connection);
    const std::vector<storage::sql::Value> id{
        storage::sql::Value{std::string(posted.at("_id").as_string())}};
    auto rows = (*connection)->Query("SELECT doc FROM messages WHERE id = ?", id);
    ASSERT_TRUE(rows && rows->size() == 1u);
    stored = boost::json::parse(rows->front().Text(0));
  }
  EXPECT_THAT(Keys(stored), UnorderedElementsAre("_id", "thread_id", "type", "text", "rich_text",
                                                 "relationalRefs", "author", "attachments",
                                                 "read_receipts", "tags", "denorm", "meta"));
  EXPECT_THAT(Keys(stored.at("rich_text")), UnorderedElementsAre("markdown"));
  EXPECT_THAT(Keys(stored.at("relationalRefs")),
              UnorderedElementsAre("appointment_id", "patient_id", "doctor_id", "location_id"));
  EXPECT_THAT(Keys(stored.at("author")),
              UnorderedElementsAre("role", "id", "display_name", "avatar_url"));
  EXPECT_THAT(Keys(stored.at("denorm")), UnorderedElementsAre("patient", "doctor"));
  EXPECT_THAT(Keys(stored.at("denorm").at("patient")), UnorderedElementsAre("display_name"));
  EXPECT_THAT(Keys(stored.at("denorm").at("doctor")), UnorderedElementsAre("specialization"));
  EXPECT_THAT(Keys(stored.at("meta")),
              UnorderedElementsAre("created_at", "created_by", "updated_at", "client", "version"));
  EXPECT_THAT(Keys(stored.at("meta").at("created_by")), UnorderedElementsAre("role", "id"));
  EXPECT_THAT(Keys(stored.at("meta").at("client")), UnorderedElementsAre("ua", "platform"));
  EXPECT_EQ(stored.at("author").at("display_name"), "Dr. Dana Scully");
  EXPECT_EQ(stored.at("denorm").at("patient").at("display_name"), "Pat Ient")
      << "from the patient's record, not from the client";
  EXPECT_EQ(stored.at("tags"), (boost::json::value(boost::json::array{"advice"})));
  EXPECT_EQ(stored.at("meta").at("version"), 1);
  EXPECT_EQ(stored.at("meta").at("client").at("platform"), "api");
}

TEST_P(MessageApiTest, ARetriedPostWithTheSameClientIdMakesOneMessage) {
  const object body{{"text", "On my way"}, {"client_msg_id", "c-17"}};
  auto first = Post(patient_token_, body);
  ASSERT_EQ(first.status, 201) << first.body;
  auto retry = Post(patient_token_, body);
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(retry.Json().at("_id"), first.Json().at("_id"));
  EXPECT_EQ(Items(Thread(), patient_token_).size(), 2u) << "the booking's system message and one";
  // The same client id from the doctor is the doctor's own message.
  EXPECT_EQ(Post(doctor_token_, body).status, 201);
}

TEST_P(MessageApiTest, TheSameClientIdWithADifferentMessageIsRefusedNotDropped) {
  ASSERT_EQ(Post(patient_token_, object{{"text", "On my way"}, {"client_msg_id", "c-18"}}).status,
            201);
  // A corrected message under the id of the first must not vanish with a success answer.
  auto corrected =
      Post(patient_token_, object{{"text", "Running late"}, {"client_msg_id", "c-18"}});
  EXPECT_EQ(corrected.status, 409) << corrected.body;
  EXPECT_THAT(ProblemFields(corrected), ElementsAre("client_msg_id"));
  auto tagged =
      Post(patient_token_,
           object{{"text", "On my way"}, {"client_msg_id", "c-18"}, {"tags", {"urgent"}}});
  EXPECT_EQ(tagged.status, 409) << tagged.body;
  const auto items = Items(Thread(), patient_token_);
  ASSERT_EQ(items.size(), 2u) << "the booking's system message and the first post";
  EXPECT_EQ(items.front().as_object().at("text"), "On my way");
}

TEST_P(MessageApiTest, MarkdownRendersHarmlessHtml) {
  const auto posted = PostOk(
      doctor_token_,
      object{
          {"markdown",
           "**Rest** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=y>"}});
  const std::string html(posted.at("html").as_string());
  EXPECT_THAT(html, HasSubstr("<strong>Rest</strong>"));
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("javascript:")));
  EXPECT_THAT(html, Not(HasSubstr("onerror")));
}

TEST_P(MessageApiTest, APreviewRendersLikeAPostAndStoresNothing) {
  const object body{{"markdown", "**Rest** <script>alert(1)</script> [x](javascript:alert(1))"}};
  auto preview = Call("POST", "/api/v1/messages/preview", body, patient_token_);
  ASSERT_EQ(preview.status, 200) << preview.body;
  const auto posted = PostOk(patient_token_, body);
  EXPECT_EQ(preview.Json().at("html"), posted.at("html"));
  const auto items = Items(Thread(), patient_token_);
  EXPECT_EQ(std::count_if(items.begin(), items.end(),
                          [](const auto& item) { return item.at("type") != "system"; }),
            1);
  EXPECT_EQ(Call("POST", "/api/v1/messages/preview", body).status, 401);
  auto too_long = Call("POST", "/api/v1/messages/preview",
                       object{{"markdown", std::string(8001, 'x')}}, patient_token_);
  EXPECT_EQ(too_long.status, 400) << too_long.body;
  EXPECT_THAT(ProblemFields(too_long), ElementsAre("markdown"));
}

TEST_P(MessageApiTest, BadMessagesAreRefusedNamingEachField) {
  auto empty = Post(patient_token_, object{{"text", "   "}});
  EXPECT_EQ(empty.status, 400) << empty.body;
  auto tags = Post(patient_token_,
                   object{{"text", "x"}, {"tags", boost::json::array{"ok", "not ok", "b@d"}}});
  EXPECT_EQ(tags.status, 400) << tags.body;
  EXPECT_THAT(ProblemFields(tags), UnorderedElementsAre("tags[1]", "tags[2]"));
  boost::json::array many;
  for (int i = 0; i < 11; ++i) many.push_back(boost::json::value("t" + std::to_string(i)));
  EXPECT_EQ(Post(patient_token_, object{{"text", "x"}, {"tags", many}}).status, 400);
  EXPECT_EQ(Post(patient_token_, object{{"text", std::string(4001, 'x')}}).status, 400);
  EXPECT_EQ(Post(patient_token_, object{{"text", "x"}, {"author", "admin"}}).status, 400)
      << "the author comes from the session";
  EXPECT_EQ(Items(Thread(), patient_token_).size(), 1u);
}

TEST_P(MessageApiTest, ReceiptsAreIdempotentAndUnreadCountsFollow) {
  PostOk(doctor_token_, object{{"text", "one"}});
  const auto last = PostOk(doctor_token_, object{{"text", "two"}});
  PostOk(patient_token_, object{{"text", "mine"}});
  auto unread = Items("/api/v1/messages/unread", patient_token_);
  ASSERT_EQ(unread.size(), 1u);
  EXPECT_EQ(unread[0].at("appointment_id"), appointment_);
  EXPECT_EQ(unread[0].at("unread"), 3) << "the system message and the doctor's two";

  const object read{{"up_to", last.at("_id")}};
  auto marked = Call("POST", Thread("/read"), read, patient_token_);
  ASSERT_EQ(marked.status, 200) << marked.body;
  EXPECT_EQ(marked.Json().at("marked"), 3);
  EXPECT_EQ(Call("POST", Thread("/read"), read, patient_token_).Json().at("marked"), 0);
  EXPECT_TRUE(Items("/api/v1/messages/unread", patient_token_).empty());
  EXPECT_EQ(Items("/api/v1/messages/unread", doctor_token_).at(0).at("unread"), 2)
      << "the system message and the patient's";
  const auto thread = Items(Thread(), doctor_token_);
  EXPECT_EQ(thread[1].at("read_receipts").as_array().size(), 1u);
  EXPECT_EQ(
      Call("POST", Thread("/read"), object{{"up_to", "000000000000000000000000"}}, patient_token_)
          .status,
      400);
}

TEST_P(MessageApiTest, AuthorsEditWithTheCurrentVersion) {
  const auto posted = PostOk(doctor_token_, object{{"text", "Take 2 pills"}});
  const std::string path = "/api/v1/messages/" + std::string(posted.at("_id").as_string());
  auto edited = Call("PATCH", path, object{{"text", "Take 1 pill"}, {"version", 1}}, doctor_token_);
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(edited.Json().at("text"), "Take 1 pill");
  EXPECT_EQ(edited.Json().at("meta").at("version"), 2);
  auto stale = Call("PATCH", path, object{{"text", "Take 3"}, {"version", 1}}, doctor_token_);
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(Call("PATCH", path, object{{"text", "x"}, {"version", 2}}, patient_token_).status, 403);
  const auto [stranger, stranger_token] = RegisterPatient("eve@example.com");
  EXPECT_EQ(Call("PATCH", path, object{{"text", "x"}, {"version", 2}}, stranger_token).status, 404);
}

TEST_P(MessageApiTest, PagesGoBackInTimeWithoutGapsOrRepeats) {
  std::set<std::string> posted;
  for (int i = 0; i < 5; ++i) {
    posted.insert(std::string(
        PostOk(patient_token_, object{{"text", "m" + std::to_string(i)}}).at("_id").as_string()));
  }
  std::vector<std::string> seen;
  std::string before;
  for (int page = 0; page < 10; ++page) {
    auto response = Call("GET", Thread("?limit=2") + (before.empty() ? "" : "&before=" + before),
                         std::nullopt, patient_token_);
    ASSERT_EQ(response.status, 200) << response.body;
    const auto json = response.Json();
    for (const auto& item : json.at("items").as_array())
      seen.emplace_back(item.at("_id").as_string());
    const auto next = json.at("next_cursor");
    if (next.is_null()) break;
    before = std::string(next.as_string());
  }
  EXPECT_EQ(seen.size(), 6u) << "five and the booking's system message";
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), seen.size());
  EXPECT_EQ(Call("GET", Thread("?before=nonsense"), std::nullopt, patient_token_).status, 400);
}

TEST_P(MessageApiTest, CancellingAndReschedulingWriteSystemMessages) {
  const auto later = CreateSlot(doctor_, location_, On2030(3), On2030(4));
  ASSERT_EQ(Call("POST", "/api/v1/appointments/" + std::to_string(appointment_) + "/reschedule",
                 object{{"slot_id", later}}, patient_token_)
                .status,
            200);
  ASSERT_EQ(Call("POST", "/api/v1/appointments/" + std::to_string(appointment_) + "/cancel",
                 std::nullopt, patient_token_)
                .status,
            200);
  WaitForOutbox();
  const auto items = Items(Thread(), doctor_token_);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_THAT(std::string(items[1].at("text").as_string()),
              HasSubstr("moved to Mon  7 Jan 2030, 11:00"));
  EXPECT_THAT(std::string(items[0].at("text").as_string()), HasSubstr("cancelled"));
  EXPECT_EQ(items[0].at("author").at("role"), "system");
}

// The first bytes of a real 1×1 PNG: the signature and the IHDR chunk.
const std::string kPng = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0"s;

TEST_P(MessageApiTest, AttachmentsAreServedOnlyToThoseWhoMayReadAMessageWithThem) {
  auto uploaded = Upload(patient_token_, kPng, "image/png", "?file_name=..%2F..%2Fetc%2Fscan.png");
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  const auto file = uploaded.Json();
  EXPECT_EQ(file.at("file_name"), "scan.png") << "no directories survive";
  EXPECT_EQ(file.at("mime_type"), "image/png");
  EXPECT_EQ(file.at("size_bytes"), 29);
  EXPECT_EQ(file.at("sha256").as_string(), Sha256Hex(kPng));

  EXPECT_EQ(Download(patient_token_, file).status, 200) << "the uploader has it";
  EXPECT_EQ(Download(doctor_token_, file).status, 404) << "no message references it yet";
  EXPECT_EQ(
      Post(doctor_token_, object{{"attachments", boost::json::array{file.at("file_id")}}}).status,
      400)
      << "only one's own uploads can be attached";

  const auto message =
      PostOk(patient_token_, object{{"attachments", boost::json::array{file.at("file_id")}}});
  EXPECT_EQ(message.at("type"), "file");
  const auto& attached = message.at("attachments").at(0);
  EXPECT_EQ(attached.at("file_id"), file.at("file_id"));
  EXPECT_EQ(attached.at("file_name"), "scan.png");
  EXPECT_EQ(attached.at("mime_type"), "image/png");
  EXPECT_EQ(attached.at("size_bytes"), 29);
  EXPECT_EQ(attached.at("sha256"), file.at("sha256"));
  EXPECT_EQ(attached.at("storage").at("region"), "local");
  EXPECT_EQ(attached.at("storage").at("bucket"),
            docs_uri().starts_with("sqlite:") ? "local" : "attachments");

  for (const auto* token : {&doctor_token_, &admin_token_, &patient_token_}) {
    const auto download = Download(*token, file);
    ASSERT_EQ(download.status, 200) << download.body;
    EXPECT_EQ(download.body, kPng);
    EXPECT_EQ(download.Header("Content-Type"), "image/png");
    EXPECT_EQ(download.Header("X-Content-Type-Options"), "nosniff");
    EXPECT_THAT(download.Header("Content-Disposition"), ::testing::StartsWith("attachment;"));
    EXPECT_THAT(download.Header("Content-Disposition"), HasSubstr("filename=\"scan.png\""));
  }
  const auto [stranger, stranger_token] = RegisterPatient("eve@example.com");
  EXPECT_EQ(Call("GET", Thread(), std::nullopt, stranger_token).status, 404);
  EXPECT_EQ(Download(stranger_token, file).status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/attachments/f_nonexistent", std::nullopt, patient_token_).status,
            404);
  EXPECT_EQ(Download("", file).status, 401);
}

TEST_P(MessageApiTest, BytesThatAreNotUtf8InHeadersOrNamesNeverMakeTheThreadUnreadable) {
  const std::string surrogate = "\xED\xA0\x80";
  const auto earlier = Items(Thread(), patient_token_).size();
  const auto posted = Call("POST", Thread(), object{{"text", "from an odd device"}}, patient_token_,
                           {{"User-Agent", "Device/1.0 " + surrogate + "\xC0\xAF"}});
  ASSERT_EQ(posted.status, 201) << posted.body;
  EXPECT_EQ(posted.Json().at("meta").at("client").at("ua"),
            "Device/1.0 \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");

  auto uploaded = Upload(patient_token_, kPng, "image/png", "?file_name=sc%ED%A0%80an%C0%AF.png");
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  EXPECT_EQ(uploaded.Json().at("file_name"), "scan.png");
  PostOk(patient_token_,
         object{{"attachments", boost::json::array{uploaded.Json().at("file_id")}}});

  for (const auto* token : {&patient_token_, &doctor_token_, &admin_token_}) {
    EXPECT_EQ(Items(Thread(), *token).size(), earlier + 2);
  }
  EXPECT_EQ(Call("GET", "/api/v1/doctors?q=a%ED%A0%80", std::nullopt, patient_token_).status, 400);
}

TEST_P(MessageApiTest, MessageIdsThatAreNotObjectIdsAreRefusedBeforeAnyStoreSeesThem) {
  PostOk(patient_token_, object{{"text", "hello"}});
  for (const std::string id : {"zzzzzzzzzzzzzzzzzzzzzzzz", "123", "66FF1A7F8F1B2C3456700001",
                               "%7B%22%24gt%22%3A%22%22%7D", "66ff1a7f8f1b2c34567000011"}) {
    const auto edit = Call("PATCH", "/api/v1/messages/" + id,
                           object{{"text", "changed"}, {"version", 1}}, patient_token_);
    EXPECT_EQ(edit.status, 404) << id << ": " << edit.body;
    const auto read = Call("POST", Thread("/read"), object{{"up_to", id}}, patient_token_);
    EXPECT_EQ(read.status, 400) << id << ": " << read.body;
    EXPECT_THAT(ProblemFields(read), ElementsAre("up_to"));
  }
  EXPECT_FALSE(Items(Thread(), doctor_token_).empty()) << "the thread still reads";
}

TEST_P(MessageApiTest, TheAuthorsDeviceIsShownOnlyToTheAuthorAndAdmins) {
  auto doctor_live = Live(doctor_token_);
  ASSERT_NE(doctor_live, nullptr);
  const auto posted = Call("POST", Thread(), object{{"text", "sent from my phone"}}, patient_token_,
                           {{"User-Agent", "PhoneBrowser/17.2"}});
  ASSERT_EQ(posted.status, 201) << posted.body;
  EXPECT_EQ(posted.Json().at("meta").at("client").at("ua"), "PhoneBrowser/17.2");

  const auto newest = [&](const std::string& token) {
    return Items(Thread(), token).at(0).at("meta").at("client");
  };
  EXPECT_EQ(newest(patient_token_).at("ua"), "PhoneBrowser/17.2");
  EXPECT_EQ(newest(admin_token_).at("ua"), "PhoneBrowser/17.2");
  EXPECT_EQ(newest(admin_token_).at("platform"), "api");
  EXPECT_TRUE(newest(doctor_token_).at("ua").is_null()) << "the other party's device is private";
  EXPECT_TRUE(newest(doctor_token_).at("platform").is_null());

  const auto event = doctor_live->NextOfType("message");
  ASSERT_TRUE(event.has_value());
  EXPECT_TRUE(event->at("message").at("meta").at("client").at("ua").is_null());
}

TEST_P(MessageApiTest, APdfNameOnPngBytesIsStoredAndServedAsPng) {
  auto uploaded = Upload(patient_token_, kPng, "application/pdf", "?file_name=lab-report.pdf");
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  const auto file = uploaded.Json();
  EXPECT_EQ(file.at("mime_type"), "image/png");
  EXPECT_EQ(file.at("file_name"), "lab-report.png");
  const auto download = Download(patient_token_, file);
  EXPECT_EQ(download.Header("Content-Type"), "image/png");
  EXPECT_THAT(download.Header("Content-Disposition"), Not(HasSubstr(".pdf")));
}

TEST_P(MessageApiTest, OnlyPdfPngJpegAndPlainTextAreAccepted) {
  const auto pdf = Upload(patient_token_, "%PDF-1.7\n%\xE2\xE3\n1 0 obj\n", "application/pdf",
                          "?file_name=results.pdf");
  ASSERT_EQ(pdf.status, 201) << pdf.body;
  EXPECT_EQ(pdf.Json().at("mime_type"), "application/pdf");
  const auto jpeg =
      Upload(patient_token_, "\xFF\xD8\xFF\xE0\0\x10JFIF"s, "image/jpeg", "?file_name=photo.jpeg");
  ASSERT_EQ(jpeg.status, 201) << jpeg.body;
  EXPECT_EQ(jpeg.Json().at("file_name"), "photo.jpeg");
  const auto text = Upload(patient_token_, "Blood pressure 120/80\n", "text/plain; charset=utf-8",
                           "?file_name=%01notes%0D%0A.txt");
  ASSERT_EQ(text.status, 201) << text.body;
  EXPECT_EQ(text.Json().at("file_name"), "notes.txt") << "control characters are dropped";
  EXPECT_EQ(Download(patient_token_, text.Json()).Header("Content-Type"),
            "text/plain; charset=utf-8");
  const auto unnamed = Upload(patient_token_, kPng, "image/png");
  ASSERT_EQ(unnamed.status, 201) << unnamed.body;
  EXPECT_EQ(unnamed.Json().at("file_name"), "attachment.png");

  const std::size_t files_before = StoredFiles();
  EXPECT_EQ(Upload(patient_token_, "<script>alert(1)</script>", "text/html").status, 415);
  EXPECT_EQ(Upload(patient_token_, "PK\x03\x04zip", "application/zip").status, 415);
  EXPECT_EQ(Upload(patient_token_,
                   "\x7F"
                   "ELF\x02\x01\x01\0"s,
                   "text/plain")
                .status,
            415)
      << "binary bytes claimed as text";
  EXPECT_EQ(Upload(patient_token_, "", "text/plain").status, 400);
  EXPECT_EQ(Upload(patient_token_, kPng, "image/png", "?name=x.png").status, 400);
  EXPECT_EQ(Upload("", kPng, "image/png").status, 401);
  EXPECT_EQ(StoredFiles(), files_before);
}

TEST_P(MessageApiTest, ATwentyMegabyteUploadIsRefusedAndLeavesNothingOnDisk) {
  const std::string big = kPng + std::string(20 * 1000 * 1000, 'x');
  const auto refused = Upload(patient_token_, big, "image/png", "?file_name=huge.png");
  EXPECT_EQ(refused.status, 413) << refused.body;
  EXPECT_EQ(StoredFiles(), 0u);
}

// Who may upload is decided from the header: without a live session the answer comes before any
// of the body is read, so nobody can make the server buffer megabytes for nothing.
TEST_P(MessageApiTest, AnUploadWithoutALiveSessionIsAnsweredBeforeItsBodyIsRead) {
  const std::vector<std::pair<std::string, std::string>> refusals{
      {"", "401"},
      {"Authorization: Bearer forged-token\r\n", "401"},
      // A cookie write from a page of another site is refused before its session is looked up.
      {"Cookie: clinic_session=forged-token\r\n", "403"}};
  for (const auto& [credentials, status] : refusals) {
    // Eight megabytes declared, a few bytes sent: the rest never comes.
    const std::string request =
        "POST /api/v1/attachments?file_name=scan.png HTTP/1.1\r\nHost: localhost\r\n"
        "Content-Type: image/png\r\nContent-Length: 8388608\r\n" +
        credentials + "\r\n" + kPng;
    const auto answer = test_support::ExchangeRaw(port(), request);
    ASSERT_THAT(answer, IsOk()) << credentials;
    EXPECT_THAT(*answer, ::testing::StartsWith("HTTP/1.1 " + status)) << credentials;
  }
  const std::string admitted_request =
      "POST /api/v1/attachments?file_name=scan.png HTTP/1.1\r\nHost: localhost\r\n"
      "Content-Type: image/png\r\nConnection: close\r\nAuthorization: Bearer " +
      patient_token_ + "\r\nContent-Length: " + std::to_string(kPng.size()) + "\r\n\r\n" + kPng;
  const auto admitted = test_support::ExchangeRaw(port(), admitted_request);
  ASSERT_THAT(admitted, IsOk());
  EXPECT_THAT(*admitted, ::testing::StartsWith("HTTP/1.1 201")) << *admitted;
}

// Past its quota an account's uploads are refused (429, with when to try again) and nothing is
// stored; other accounts upload as before. Uploading the same bytes again counts again.
TEST_P(MessageApiTest, AnAccountsUploadsStopAtItsQuota) {
  const std::string file = "notes\n" + std::string(kUploadQuota / 3, 'n');
  EXPECT_EQ(Upload(patient_token_, file, "text/plain").status, 201);
  EXPECT_EQ(Upload(patient_token_, file, "text/plain").status, 201);
  const std::size_t files_before = StoredFiles();
  const auto refused = Upload(patient_token_, file + "more", "text/plain");
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_FALSE(refused.Header("Retry-After").empty());
  EXPECT_EQ(StoredFiles(), files_before);
  EXPECT_EQ(Upload(doctor_token_, file, "text/plain").status, 201) << "the quota is per account";
}

// A PNG of `size` bytes: the signature, then bytes that show their position, so that a piece of
// the file lost, repeated or out of place changes what arrives.
std::string LargePng(std::size_t size) {
  std::string bytes = kPng;
  bytes.reserve(size);
  for (std::size_t i = bytes.size(); i < size; ++i) {
    bytes.push_back(static_cast<char>((i * 7 + i / 4096) % 251));
  }
  return bytes;
}

// Larger than a GridFS chunk and than the server's 64 KiB pieces: the file streams through both,
// whole, with the headers of any download, and the connection carries on.
TEST_P(MessageApiTest, ALargeAttachmentDownloadsWholeAndTheConnectionStaysOpen) {
  const std::string content = LargePng(6 * 1024 * 1024 + 17);
  const auto uploaded = Upload(patient_token_, content, "image/png", "?file_name=ct-scan.png");
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  const std::string target =
      "/api/v1/attachments/" + std::string(uploaded.Json().at("file_id").as_string());
  const test_support::HeaderList as_patient{{"Authorization", "Bearer " + patient_token_}};
  test_support::HttpClient client(port());

  const auto download = client.Get(target, as_patient);
  ASSERT_TRUE(download.has_value()) << download.error().message;
  EXPECT_EQ(download->status, 200);
  EXPECT_TRUE(download->body == content) << download->body.size() << " bytes arrived";
  EXPECT_EQ(download->Header("Content-Length"), std::to_string(content.size()));
  EXPECT_EQ(download->Header("Content-Type"), "image/png");
  EXPECT_EQ(download->Header("Content-Disposition"),
            "attachment; filename=\"ct-scan.png\"; filename*=UTF-8''ct-scan.png");
  EXPECT_EQ(download->Header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(download->Header("Cache-Control"), "private, no-store");
  EXPECT_EQ(download->Header("Content-Security-Policy"), "default-src 'none'; sandbox");
  EXPECT_EQ(download->Header("ETag"), "\"" + Sha256Hex(content) + "\"");

  const auto head = client.Send({.method = "HEAD", .target = target, .headers = as_patient});
  ASSERT_TRUE(head.has_value()) << head.error().message;
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("Content-Length"), std::to_string(content.size()));
  EXPECT_TRUE(head->body.empty());

  const auto me = client.Get("/api/v1/auth/me", as_patient);
  ASSERT_TRUE(me.has_value()) << me.error().message;
  EXPECT_EQ(me->status, 200);
  EXPECT_EQ(client.connections_opened(), 1u) << "one kept-alive connection for the three";
}

// A download asked for on a connection of its own, read by the test at its own pace.
class RawDownload {
 public:
  RawDownload(boost::asio::io_context& io, std::uint16_t port, const std::string& target,
              const std::string& token)
      : socket_(io) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    const std::string request = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" +
                                "Authorization: Bearer " + token + "\r\n\r\n";
    boost::asio::write(socket_, boost::asio::buffer(request));
    parser_.body_limit(boost::none);
  }

  // Reads the answer's status line and header; its status.
  unsigned ReadHeader() {
    boost::beast::error_code error;
    boost::beast::http::read_header(socket_, buffer_, parser_, error);
    EXPECT_FALSE(error) << error.message();
    return parser_.get().result_int();
  }

  // Reads the rest of the answer; its body.
  std::string ReadBody() {
    boost::beast::error_code error;
    boost::beast::http::read(socket_, buffer_, parser_, error);
    EXPECT_FALSE(error) << error.message();
    return parser_.get().body();
  }

  // Closes the connection, leaving whatever the server sent unread.
  void Abandon() { socket_.close(); }

 private:
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  boost::beast::http::response_parser<boost::beast::http::string_body> parser_;
};

// Clients that go away halfway through a download leave nothing behind: the next download is
// whole, and the server stops cleanly (under the sanitizers: without a leak).
TEST_P(MessageApiTest, ClientsThatLeaveHalfwayThroughADownloadLeaveNothingBehind) {
  const std::string content = LargePng(8 * 1024 * 1024);
  const auto uploaded = Upload(patient_token_, content, "image/png");
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  const std::string target =
      "/api/v1/attachments/" + std::string(uploaded.Json().at("file_id").as_string());
  boost::asio::io_context io;
  for (int i = 0; i < 8; ++i) {
    RawDownload leaving(io, port(), target, patient_token_);
    EXPECT_EQ(leaving.ReadHeader(), 200u);
    leaving.Abandon();
  }
  RawDownload staying(io, port(), target, patient_token_);
  EXPECT_EQ(staying.ReadHeader(), 200u);
  EXPECT_TRUE(staying.ReadBody() == content);
  EXPECT_EQ(TerminateServer(), 0) << "a clean stop, without a leak";
}

// The peak resident memory of process `pid` so far (VmHWM), in bytes; 0 when unreadable.
std::int64_t PeakResidentBytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) return std::stoll(line.substr(6)) * 1024;
  }
  ADD_FAILURE() << "no VmHWM in /proc/" << pid << "/status";
  return 0;
}

// Downloads weighed by the server's peak resident memory. AddressSanitizer keeps freed memory
// aside for a while to catch uses after free (its quarantine, 256 MiB by default), which would
// count everything a download ever passed through; a small one keeps the peak near what is live.
class DownloadMemoryTest : public MessageApiTest {
 protected:
  std::vector<std::pair<std::string, std::string>> ExtraEnvironment() const override {
    const char* options = std::getenv("ASAN_OPTIONS");
    return {{"ASAN_OPTIONS", (options != nullptr ? std::string(options) + ":" : std::string()) +
                                 "quarantine_size_mb=4"}};
  }
};

// Sixteen downloads of an 8 MiB file under way at once, each answer begun before any is read
// to its end: holding the files whole would take 128 MiB; streamed, each holds a piece.
TEST_P(DownloadMemoryTest, SixteenDownloadsAtOnceHoldAPieceOfTheFileEach) {
  constexpr std::int64_t kFileBytes = 8 * 1024 * 1024;
  const std::string content = LargePng(kFileBytes);
  const auto uploaded = Upload(patient_token_, content, "image/png");
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  const auto file = uploaded.Json();
  // What a first download sets up for good (pooled connections, buffers) is in the baseline.
  ASSERT_TRUE(Download(patient_token_, file).body == content);
  const std::int64_t before = PeakResidentBytes(server_pid());

  const std::string target = "/api/v1/attachments/" + std::string(file.at("file_id").as_string());
  boost::asio::io_context io;
  std::vector<std::unique_ptr<RawDownload>> downloads;
  for (int i = 0; i < 16; ++i) {
    downloads.push_back(std::make_unique<RawDownload>(io, port(), target, patient_token_));
  }
  for (auto& download : downloads) EXPECT_EQ(download->ReadHeader(), 200u);
  for (auto& download : downloads) EXPECT_TRUE(download->ReadBody() == content);

  const std::int64_t growth = PeakResidentBytes(server_pid()) - before;
  // Under the dev preset's sanitizers the peak grows by about 5 MiB on the embedded store and
  // 20 MiB with GridFS (a chunk per reading worker, the driver's buffers), against 130 and
  // 230 MiB when each download held its whole file.
  EXPECT_LT(growth, 4 * kFileBytes) << "the peak grew by " << growth / 1024 << " KiB";
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(DownloadMemoryTest);

TEST_P(MessageApiTest, TheSameBytesUploadedTwiceAreStoredOnce) {
  const auto first = Upload(patient_token_, kPng, "image/png", "?file_name=a.png").Json();
  const auto second = Upload(doctor_token_, kPng, "image/png", "?file_name=b.png").Json();
  EXPECT_NE(first.at("file_id"), second.at("file_id"));
  EXPECT_EQ(first.at("sha256"), second.at("sha256"));
  if (docs_uri().starts_with("sqlite:")) {
    EXPECT_EQ(StoredFiles(), 1u);
  }
  EXPECT_EQ(Download(doctor_token_, second).body, kPng);
}

TEST_P(MessageApiTest, TwoParticipantsOnWebSocketsReceiveEachOthersMessages) {
  auto patient = Live(patient_token_);
  auto doctor = Live(doctor_token_);
  ASSERT_TRUE(patient && doctor);
  const auto [stranger_id, stranger_token] = RegisterPatient("eve@example.com");
  auto stranger = Live(stranger_token);
  ASSERT_TRUE(stranger);

  const auto question = PostOk(patient_token_, object{{"text", "Is fasting needed?"}});
  for (auto* socket : {doctor.get(), patient.get()}) {
    const auto event = socket->NextOfType("message");
    ASSERT_TRUE(event);
    EXPECT_EQ(event->at("appointment_id"), appointment_);
    EXPECT_EQ(event->at("message").at("_id"), question.at("_id"));
    EXPECT_EQ(event->at("message").at("text"), "Is fasting needed?");
  }
  const auto answer = PostOk(doctor_token_, object{{"markdown", "Yes, **8 hours**."}});
  const auto answered = patient->NextOfType("message");
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->at("message").at("_id"), answer.at("_id"));
  EXPECT_EQ(answered->at("message").at("html"), "<p>Yes, <strong>8 hours</strong>.</p>\n");

  ASSERT_EQ(
      Call("POST", Thread("/read"), object{{"up_to", question.at("_id")}}, doctor_token_).status,
      200);
  const auto read = patient->NextOfType("read");
  ASSERT_TRUE(read);
  EXPECT_EQ(read->at("user").at("role"), "doctor");
  EXPECT_EQ(read->at("up_to"), question.at("_id"));

  ASSERT_EQ(Call("POST", "/api/v1/appointments/" + std::to_string(appointment_) + "/cancel",
                 object{{"reason", "feeling better"}}, patient_token_)
                .status,
            200);
  for (auto* socket : {doctor.get(), patient.get()}) {
    const auto change = socket->NextOfType("appointment");
    ASSERT_TRUE(change);
    EXPECT_EQ(change->at("change"), "cancelled");
    EXPECT_EQ(change->at("appointment").at("id"), appointment_);
    EXPECT_EQ(change->at("appointment").at("status"), "cancelled");
  }

  // Everything above was published before the stranger's own booking: had any of it reached the
  // stranger, it would come first. The booking is told at once, its system message once posted.
  auto booked = Call("POST", "/api/v1/appointments",
                     object{{"slot_id", CreateSlot(doctor_, location_, On2030(5), On2030(6))}},
                     stranger_token);
  ASSERT_EQ(booked.status, 201) << booked.body;
  const auto first = stranger->Next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->at("type"), "appointment") << *first;
  EXPECT_EQ(first->at("appointment").at("id"), booked.Json().at("id")) << *first;
  const auto second = stranger->Next();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->at("appointment_id"), booked.Json().at("id")) << *second;
  EXPECT_EQ(second->at("message").at("type"), "system");
}

TEST_P(MessageApiTest, OneAccountHoldsOnlySoManyLiveSockets) {
  std::vector<std::unique_ptr<test_support::WebSocketClient>> sockets;
  for (int i = 0; i < 16; ++i) sockets.push_back(Live(patient_token_));
  const auto one_more = test_support::WebSocketClient::Connect(
      port(), "/api/v1/live", {{"Authorization", "Bearer " + patient_token_}});
  ASSERT_FALSE(one_more);
  EXPECT_THAT(one_more.error().message, HasSubstr("HTTP 429"));
  EXPECT_NE(Live(doctor_token_), nullptr) << "another account is not affected";
  sockets.pop_back();
  bool reopened = false;
  for (int i = 0; i < 100 && !reopened; ++i) {
    reopened = test_support::WebSocketClient::Connect(
                   port(), "/api/v1/live", {{"Authorization", "Bearer " + patient_token_}})
                   .has_value();
    if (!reopened) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(reopened) << "a closed socket gives its place back";
}

TEST_P(MessageApiTest, TheLiveSocketNeedsASessionAndAnUpgrade) {
  const auto anonymous = test_support::WebSocketClient::Connect(port(), "/api/v1/live");
  ASSERT_FALSE(anonymous);
  EXPECT_THAT(anonymous.error().message, HasSubstr("HTTP 401"));
  const auto foreign = test_support::WebSocketClient::Connect(
      port(), "/api/v1/live",
      {{"Cookie", "clinic_session=" + patient_token_}, {"Origin", "https://evil.example"}});
  ASSERT_FALSE(foreign);
  EXPECT_THAT(foreign.error().message, HasSubstr("HTTP 403"));
  for (const test_support::HeaderList& headers : {
           test_support::HeaderList{{"Cookie", "clinic_session=" + patient_token_},
                                    {"Authorization", "Basic Zm9vOmJhcg=="},
                                    {"Origin", "https://evil.example"}},
           test_support::HeaderList{{"Cookie", "clinic_session=" + patient_token_}},
       }) {
    const auto refused = test_support::WebSocketClient::Connect(port(), "/api/v1/live", headers);
    ASSERT_FALSE(refused) << "the cookie is the credential used, so its origin rule applies";
    EXPECT_THAT(refused.error().message, HasSubstr("HTTP 403"));
  }
  const auto same_origin = test_support::WebSocketClient::Connect(
      port(), "/api/v1/live",
      {{"Cookie", "clinic_session=" + patient_token_},
       {"Origin", "http://127.0.0.1:" + std::to_string(port())}});
  ASSERT_THAT(same_origin, IsOk());
  EXPECT_EQ((*same_origin)->Next()->at("type"), "ready");

  const auto plain = Call("GET", "/api/v1/live", std::nullopt, patient_token_);
  EXPECT_EQ(plain.status, 426);
  EXPECT_EQ(plain.Header("Upgrade"), "websocket");
}

TEST_P(MessageApiTest, AnotherInstanceRelaysMessagesByPolling) {
  auto second = StartAnotherServer();
  ASSERT_TRUE(second);
  auto doctor = Live(doctor_token_, second->port());
  ASSERT_TRUE(doctor);
  const auto posted = PostOk(patient_token_, object{{"text", "Posted on the first instance"}});
  const auto relayed = doctor->NextOfType("message");
  ASSERT_TRUE(relayed);
  EXPECT_EQ(relayed->at("message").at("_id"), posted.at("_id"));
}

TEST_P(MessageApiTest, AnotherInstanceRelaysBookingChangesAndReadReceipts) {
  auto second = StartAnotherServer();
  ASSERT_TRUE(second);
  auto patient = Live(patient_token_, second->port());
  ASSERT_TRUE(patient);
  const auto question = PostOk(patient_token_, object{{"text", "Can we meet later?"}});
  (void)patient->NextOfType("message");

  ASSERT_EQ(
      Call("POST", Thread("/read"), object{{"up_to", question.at("_id")}}, doctor_token_).status,
      200);
  const auto read = patient->NextOfType("read");
  ASSERT_TRUE(read) << "a receipt given on the first instance reaches the second";
  EXPECT_EQ(read->at("user").at("role"), "doctor");
  EXPECT_EQ(read->at("up_to"), question.at("_id"));

  const auto later = CreateSlot(doctor_, location_, On2030(3), On2030(4));
  ASSERT_EQ(Call("POST", "/api/v1/appointments/" + std::to_string(appointment_) + "/reschedule",
                 object{{"slot_id", later}}, patient_token_)
                .status,
            200);
  const auto change = patient->NextOfType("appointment");
  ASSERT_TRUE(change) << "so does a booking change";
  EXPECT_EQ(change->at("change"), "rescheduled");
  EXPECT_EQ(change->at("appointment").at("slot_id"), later);
  EXPECT_FALSE(patient->NextOfType("appointment", std::chrono::milliseconds(500)))
      << "each change is relayed once";
}

// Waits up to five seconds for the server to close `socket`.
bool ClosedSoon(test_support::WebSocketClient& socket) {
  for (int i = 0; i < 100 && !socket.Closed(); ++i) {
    (void)socket.Next(std::chrono::milliseconds(50));
  }
  return socket.Closed();
}

TEST_P(MessageApiTest, EndingASessionClosesItsLiveSocketsOnEveryInstance) {
  auto second = StartAnotherServer();
  ASSERT_TRUE(second);
  const std::string other_session = Login("ana@example.com", "patient-password-1");
  auto here = Live(patient_token_);
  auto there = Live(patient_token_, second->port());
  auto other = Live(other_session);
  ASSERT_TRUE(here && there && other);

  ASSERT_EQ(Call("POST", "/api/v1/auth/logout", std::nullopt, patient_token_).status, 204);
  EXPECT_TRUE(ClosedSoon(*here)) << "on the instance that ended it";
  EXPECT_TRUE(ClosedSoon(*there)) << "on another instance";
  EXPECT_FALSE(other->Closed()) << "the same person's other session goes on";

  const std::string doctor_again = Login("heart@clinic.example", kDoctorPassword);
  auto doctor = Live(doctor_token_);
  auto doctor_elsewhere = Live(doctor_again, second->port());
  ASSERT_TRUE(doctor && doctor_elsewhere);
  ASSERT_EQ(
      Call("POST", "/api/v1/auth/password",
           object{{"current_password", kDoctorPassword}, {"new_password", "a-brand-new-password"}},
           doctor_token_)
          .status,
      204);
  EXPECT_TRUE(ClosedSoon(*doctor)) << "a password change ends every session";
  EXPECT_TRUE(ClosedSoon(*doctor_elsewhere));

  const auto [leaving, leaving_token] = RegisterPatient("leo@example.com");
  auto leaver = Live(leaving_token);
  ASSERT_TRUE(leaver);
  ASSERT_EQ(
      Call("DELETE", "/api/v1/patients/" + std::to_string(leaving), std::nullopt, admin_token_)
          .status,
      204);
  EXPECT_TRUE(ClosedSoon(*leaver)) << "a deleted account's sessions end";
  EXPECT_FALSE(other->Closed());

  const auto [reset, reset_token] = RegisterPatient("rita@example.com");
  auto forgetful = Live(reset_token, second->port());
  ASSERT_TRUE(forgetful);
  ASSERT_EQ(Call("PATCH", "/api/v1/patients/" + std::to_string(reset),
                 object{{"password", "set-by-the-front-desk"}}, admin_token_)
                .status,
            200);
  EXPECT_TRUE(ClosedSoon(*forgetful)) << "a password an admin sets ends every session";

  const auto leaving_doctor = CreateDoctor("gone@clinic.example");
  const std::string leaving_doctor_token = Login("gone@clinic.example", kDoctorPassword);
  auto deactivated = Live(leaving_doctor_token, second->port());
  ASSERT_TRUE(deactivated);
  ASSERT_EQ(Call("PATCH", "/api/v1/doctors/" + std::to_string(leaving_doctor),
                 object{{"is_active", false}}, admin_token_)
                .status,
            200);
  EXPECT_TRUE(ClosedSoon(*deactivated)) << "a deactivated account's sessions end";
  EXPECT_FALSE(other->Closed());
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(MessageApiTest);

}  // namespace
}  // namespace clinic::testing
