// The message document mapping: the seed's example document (DESIGN.md §5) read into a Message
// and written back comes out field for field the same, in both dialects.

#include "clinic/storage/message_document.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "clinic/common/time.hpp"
#include "support/matchers.hpp"
#include "support/printers.hpp"

namespace clinic::storage {

using ::clinic::testing::IsOk;
using ::clinic::testing::StatusIs;
namespace {

// The seed's example, in MongoDB canonical extended JSON.
constexpr std::string_view kSeedExample = R"json({
  "_id": {"$oid": "66ff1a7f8f1b2c3456789abc"},
  "thread_id": "apt-2025-10-04-000123",
  "type": "chat",
  "text": "Hi John, please drink more water and rest today.",
  "rich_text": {"markdown": "Hi **John**, please drink more water and rest today."},
  "relationalRefs": {"appointment_id": 123, "patient_id": 501, "doctor_id": 42, "location_id": 3},
  "author": {"role": "doctor", "id": 42, "display_name": "Dr. Alice Tan",
             "avatar_url": "https://cdn.example.com/u/42.png"},
  "attachments": [{"file_id": "f_9c1c4eaa", "file_name": "lab-report-2025-10-01.pdf",
                   "mime_type": "application/pdf", "size_bytes": 183422, "sha256": "4c1f0c",
                   "storage": {"bucket": "clinic-prod", "region": "ap-southeast-1"}}],
  "read_receipts": [{"user_role": "patient", "user_id": 501,
                     "read_at": {"$date": {"$numberLong": "1759559480000"}}}],
  "tags": ["follow-up", "advice", "mild-symptoms"],
  "denorm": {"patient": {"display_name": "John Smith"},
             "doctor": {"specialization": "General Medicine"}},
  "meta": {"created_at": {"$date": {"$numberLong": "1759559400000"}},
           "created_by": {"role": "doctor", "id": 42},
           "updated_at": {"$date": {"$numberLong": "1759559480000"}},
           "client": {"ua": "Mozilla/5.0", "platform": "web"},
           "version": 1}
})json";

TEST(MessageDocument, TheSeedExampleRoundTripsFieldForField) {
  const auto seed = boost::json::parse(kSeedExample);
  auto message = MessageFromDocument(seed, DocumentDialect::kExtended);
  ASSERT_THAT(message, IsOk());
  EXPECT_EQ(message->author.display_name, "Dr. Alice Tan");
  EXPECT_EQ(message->refs.location_id, 3);
  EXPECT_EQ(FormatRfc3339(message->read_receipts.at(0).read_at), "2025-10-04T06:31:20Z");
  EXPECT_EQ(boost::json::value(MessageToDocument(*message, DocumentDialect::kExtended)), seed)
      << boost::json::serialize(MessageToDocument(*message, DocumentDialect::kExtended));
}

TEST(MessageDocument, ThePlainDialectSpellsIdsAndInstantsAsStrings) {
  auto message =
      MessageFromDocument(boost::json::parse(kSeedExample), DocumentDialect::kExtended).value();
  const auto plain = MessageToDocument(message, DocumentDialect::kPlain);
  EXPECT_EQ(plain.at("_id"), "66ff1a7f8f1b2c3456789abc");
  EXPECT_EQ(plain.at("meta").at("created_at"), "2025-10-04T06:30:00Z");
  auto back = MessageFromDocument(plain, DocumentDialect::kPlain);
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(MessageToDocument(*back, DocumentDialect::kExtended),
            MessageToDocument(message, DocumentDialect::kExtended));
}

TEST(MessageDocument, DocumentsThisServerDidNotWriteAreRefused) {
  auto seed = boost::json::parse(kSeedExample).as_object();
  seed["relationalRefs"].as_object()["patient_id"] = "501";
  auto refused = MessageFromDocument(seed, DocumentDialect::kExtended);
  ASSERT_THAT(refused, StatusIs(ErrorCode::kInternal));
}

}  // namespace
}  // namespace clinic::storage
