#include "clinic/storage/message_document.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <charconv>
#include <chrono>

#include "clinic/common/time.hpp"
#include "clinic/common/utf8.hpp"

namespace clinic::storage {
namespace {

using boost::json::array;
using boost::json::object;
using boost::json::value;

value Nullable(const std::optional<std::string>& text) {
  return text ? value(*text) : value(nullptr);
}

value InstantValue(Instant t, DocumentDialect dialect) {
  if (dialect == DocumentDialect::kPlain) return value(FormatRfc3339(t));
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  return object{{"$date", object{{"$numberLong", std::to_string(millis)}}}};
}

value IdValue(const std::string& id, DocumentDialect dialect) {
  if (dialect == DocumentDialect::kPlain) return value(id);
  return object{{"$oid", id}};
}

// Reads a document field by field; the first problem makes the whole read fail.
class Reader {
 public:
  explicit Reader(DocumentDialect dialect) : dialect_(dialect) {}

  const object* Object(const object& parent, std::string_view key) {
    const auto* found = parent.if_contains(key);
    if (found == nullptr || !found->is_object()) return Problem(key, "an object");
    return &found->as_object();
  }
  const array* Array(const object& parent, std::string_view key) {
    const auto* found = parent.if_contains(key);
    if (found == nullptr || !found->is_array()) return Problem(key, "an array");
    return &found->as_array();
  }
  std::string String(const object& parent, std::string_view key) {
    const auto* found = parent.if_contains(key);
    if (found == nullptr || !found->is_string()) {
      Problem(key, "a string");
      return {};
    }
    return std::string(found->as_string());
  }
  std::optional<std::string> OptionalString(const object& parent, std::string_view key) {
    const auto* found = parent.if_contains(key);
    if (found == nullptr || found->is_null()) return std::nullopt;
    return String(parent, key);
  }
  std::int64_t Int(const object& parent, std::string_view key) {
    const auto* found = parent.if_contains(key);
    if (found != nullptr) {
      if (auto number = ExtendedJsonInt(*found)) return *number;
    }
    Problem(key, "an integer");
    return 0;
  }
  std::optional<std::int64_t> OptionalInt(const object& parent, std::string_view key) {
    const auto* found = parent.if_contains(key);
    if (found == nullptr || found->is_null()) return std::nullopt;
    return Int(parent, key);
  }
  Instant Time(const object& parent, std::string_view key) {
    const auto* found = parent.if_contains(key);
    if (dialect_ == DocumentDialect::kPlain) {
      if (found != nullptr && found->is_string()) {
        if (auto t = ParseRfc3339(found->as_string())) return *t;
      }
    } else if (found != nullptr && found->is_object()) {
      if (const auto* date = found->as_object().if_contains("$date")) {
        const object holder{{"ms", *date}};
        const auto millis = Int(holder, "ms");
        return std::chrono::floor<std::chrono::seconds>(
            std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(millis)));
      }
    }
    Problem(key, "an instant");
    return {};
  }
  std::string Id(const object& parent) {
    if (dialect_ == DocumentDialect::kPlain) return String(parent, "_id");
    const auto* oid = Object(parent, "_id");
    return oid == nullptr ? std::string() : String(*oid, "$oid");
  }
  domain::Role Role(const object& parent, std::string_view key) {
    const auto name = String(parent, key);
    if (auto role = domain::ParseRole(name)) return *role;
    Problem(key, "a role");
    return domain::Role::kSystem;
  }

  const std::optional<std::string>& problem() const { return problem_; }

 private:
  std::nullptr_t Problem(std::string_view key, std::string_view expected) {
    if (!problem_) problem_ = fmt::format("{} is not {}", key, expected);
    return nullptr;
  }

  DocumentDialect dialect_;
  std::optional<std::string> problem_;
};

}  // namespace

std::optional<std::int64_t> ExtendedJsonInt(const value& number) {
  if (number.is_int64()) return number.as_int64();
  if (number.is_uint64()) return static_cast<std::int64_t>(number.as_uint64());
  // Canonical extended JSON spells integers {"$numberInt": "…"} or {"$numberLong": "…"}.
  if (!number.is_object()) return std::nullopt;
  const auto& wrapper = number.as_object();
  const auto* text = wrapper.if_contains("$numberLong");
  if (text == nullptr) text = wrapper.if_contains("$numberInt");
  if (text == nullptr || !text->is_string()) return std::nullopt;
  std::int64_t parsed = 0;
  const std::string_view digits = text->as_string();
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), parsed);
  if (error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return parsed;
}

object MessageToDocument(const domain::Message& m, DocumentDialect dialect) {
  array attachments;
  for (const auto& a : m.attachments) {
    attachments.push_back(object{{"file_id", a.file_id},
                                 {"file_name", a.file_name},
                                 {"mime_type", a.mime_type},
                                 {"size_bytes", a.size_bytes},
                                 {"sha256", a.sha256},
                                 {"storage", object{{"bucket", a.bucket}, {"region", a.region}}}});
  }
  array receipts;
  for (const auto& r : m.read_receipts) {
    receipts.push_back(object{{"user_role", domain::Name(r.user_role)},
                              {"user_id", r.user_id},
                              {"read_at", InstantValue(r.read_at, dialect)}});
  }
  array tags;
  for (const auto& tag : m.tags) tags.push_back(value(tag));
  return {
      {"_id", IdValue(m.id, dialect)},
      {"thread_id", m.thread_id},
      {"type", domain::Name(m.type)},
      {"text", Nullable(m.text)},
      {"rich_text", object{{"markdown", Nullable(m.markdown)}}},
      {"relationalRefs",
       object{{"appointment_id", m.refs.appointment_id},
              {"patient_id", m.refs.patient_id},
              {"doctor_id", m.refs.doctor_id},
              {"location_id", m.refs.location_id ? value(*m.refs.location_id) : value(nullptr)}}},
      {"author", object{{"role", domain::Name(m.author.role)},
                        {"id", m.author.id},
                        {"display_name", m.author.display_name},
                        {"avatar_url", Nullable(m.author.avatar_url)}}},
      {"attachments", std::move(attachments)},
      {"read_receipts", std::move(receipts)},
      {"tags", std::move(tags)},
      {"denorm", object{{"patient", object{{"display_name", Nullable(m.patient_display_name)}}},
                        {"doctor", object{{"specialization", Nullable(m.doctor_specialization)}}}}},
      {"meta", object{{"created_at", InstantValue(m.created_at, dialect)},
                      {"created_by",
                       object{{"role", domain::Name(m.created_by_role)}, {"id", m.created_by_id}}},
                      {"updated_at", InstantValue(m.updated_at, dialect)},
                      {"client", object{{"ua", Nullable(m.client_ua)},
                                        {"platform", Nullable(m.client_platform)}}},
                      {"version", m.version}}},
  };
}

Result<domain::Message> MessageFromDocument(const value& document, DocumentDialect dialect) {
  if (!document.is_object()) return Fail(Error::Internal("a stored message is not an object"));
  const auto& doc = document.as_object();
  Reader read(dialect);
  domain::Message m;
  m.id = read.Id(doc);
  m.thread_id = read.String(doc, "thread_id");
  m.type = domain::ParseMessageType(read.String(doc, "type")).value_or(domain::MessageType::kChat);
  m.text = read.OptionalString(doc, "text");
  if (const auto* rich = read.Object(doc, "rich_text")) {
    m.markdown = read.OptionalString(*rich, "markdown");
  }
  if (const auto* refs = read.Object(doc, "relationalRefs")) {
    m.refs = {.appointment_id = read.Int(*refs, "appointment_id"),
              .patient_id = read.Int(*refs, "patient_id"),
              .doctor_id = read.Int(*refs, "doctor_id"),
              .location_id = read.OptionalInt(*refs, "location_id")};
  }
  if (const auto* author = read.Object(doc, "author")) {
    m.author = {.role = read.Role(*author, "role"),
                .id = read.Int(*author, "id"),
                .display_name = read.String(*author, "display_name"),
                .avatar_url = read.OptionalString(*author, "avatar_url")};
  }
  if (const auto* attachments = read.Array(doc, "attachments")) {
    for (const auto& item : *attachments) {
      if (!item.is_object()) return Fail(Error::Internal("an attachment is not an object"));
      const auto& a = item.as_object();
      domain::MessageAttachment attachment{.file_id = read.String(a, "file_id"),
                                           .file_name = read.String(a, "file_name"),
                                           .mime_type = read.String(a, "mime_type"),
                                           .size_bytes = read.Int(a, "size_bytes"),
                                           .sha256 = read.String(a, "sha256")};
      if (const auto* where = read.Object(a, "storage")) {
        attachment.bucket = read.String(*where, "bucket");
        attachment.region = read.String(*where, "region");
      }
      m.attachments.push_back(std::move(attachment));
    }
  }
  if (const auto* receipts = read.Array(doc, "read_receipts")) {
    for (const auto& item : *receipts) {
      if (!item.is_object()) return Fail(Error::Internal("a read receipt is not an object"));
      const auto& r = item.as_object();
      m.read_receipts.push_back({.user_role = read.Role(r, "user_role"),
                                 .user_id = read.Int(r, "user_id"),
                                 .read_at = read.Time(r, "read_at")});
    }
  }
  if (const auto* tags = read.Array(doc, "tags")) {
    for (const auto& tag : *tags) {
      if (!tag.is_string()) return Fail(Error::Internal("a tag is not a string"));
      m.tags.emplace_back(tag.as_string());
    }
  }
  if (const auto* denorm = read.Object(doc, "denorm")) {
    if (const auto* patient = read.Object(*denorm, "patient")) {
      m.patient_display_name = read.OptionalString(*patient, "display_name");
    }
    if (const auto* doctor = read.Object(*denorm, "doctor")) {
      m.doctor_specialization = read.OptionalString(*doctor, "specialization");
    }
  }
  if (const auto* meta = read.Object(doc, "meta")) {
    m.created_at = read.Time(*meta, "created_at");
    if (const auto* by = read.Object(*meta, "created_by")) {
      m.created_by_role = read.Role(*by, "role");
      m.created_by_id = read.Int(*by, "id");
    }
    m.updated_at = read.Time(*meta, "updated_at");
    if (const auto* client = read.Object(*meta, "client")) {
      m.client_ua = read.OptionalString(*client, "ua");
      m.client_platform = read.OptionalString(*client, "platform");
    }
    m.version = read.Int(*meta, "version");
  }
  if (read.problem()) {
    return Fail(Error::Internal(fmt::format("a stored message is malformed: {}", *read.problem())));
  }
  return m;
}

namespace {

void ReplaceInvalidUtf8(value& v) {
  if (v.is_string()) {
    auto& text = v.as_string();
    if (!Utf8Length(text)) text = SanitizeUtf8(text, text.size() * 3);
  } else if (v.is_array()) {
    for (auto& item : v.as_array()) ReplaceInvalidUtf8(item);
  } else if (v.is_object()) {
    for (auto& [key, item] : v.as_object()) ReplaceInvalidUtf8(item);
  }
}

}  // namespace

std::optional<value> RepairedDocument(std::string_view text, DocumentDialect dialect) {
  boost::json::parse_options lenient;
  lenient.allow_invalid_utf8 = true;
  boost::system::error_code error;
  value document = boost::json::parse(text, error, {}, lenient);
  if (error) return std::nullopt;
  ReplaceInvalidUtf8(document);
  if (!MessageFromDocument(document, dialect)) return std::nullopt;
  return document;
}

void LogUnreadableMessage(std::string_view id, const Error& error) {
  spdlog::error(
      "message {} cannot be read and is left out of a listing: {}; run "
      "`clinicctl repair-messages` to repair it",
      id, error.message);
}

}  // namespace clinic::storage
