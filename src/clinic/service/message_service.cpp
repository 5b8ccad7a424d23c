#include "clinic/service/message_service.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <charconv>

#include "clinic/common/crypto.hpp"
#include "clinic/common/time.hpp"
#include "clinic/domain/policy.hpp"
#include "clinic/domain/validator.hpp"
#include "clinic/service/markdown.hpp"

namespace clinic::service {
namespace {

using domain::AppointmentAction;
using domain::AppointmentListing;
using domain::Role;
using storage::InTransaction;
using storage::Transaction;
using storage::TxMode;

constexpr std::size_t kMaxTextChars = 4000;
constexpr std::size_t kMaxMarkdownChars = 8000;
constexpr std::size_t kMaxTags = 10;
constexpr std::size_t kMaxTagLength = 32;
constexpr std::size_t kMaxClientMessageIdLength = 64;
constexpr auto kEditWindow = std::chrono::minutes(15);

std::string FullName(const domain::PersonName& name) {
  return fmt::format("{} {}", name.first_name, name.last_name);
}

std::string PatientName(const AppointmentListing& thread) { return FullName(thread.patient); }

std::string DoctorName(const AppointmentListing& thread) {
  return "Dr. " + FullName(thread.doctor);
}

// The appointment of the thread, with the caller allowed to do `action` on it (kNotFound for a
// thread they may not see) unless `trusted` (the server's own system messages).
Result<AppointmentListing> LoadThread(Transaction& tx, const domain::Principal& caller,
                                      Id appointment_id, AppointmentAction action,
                                      bool trusted = false) {
  CLINIC_ASSIGN_OR_RETURN(auto thread, tx.appointments().GetListing(appointment_id));
  if (!trusted) CLINIC_TRY_STATUS(domain::AuthorizeAppointment(caller, action, thread));
  return thread;
}

Result<std::string> AuthorName(Transaction& tx, const domain::Principal& caller,
                               const AppointmentListing& thread) {
  switch (caller.role) {
    case Role::kPatient:
      return PatientName(thread);
    case Role::kDoctor:
      return DoctorName(thread);
    case Role::kAdmin: {
      CLINIC_ASSIGN_OR_RETURN(auto admin, tx.admins().Get(caller.id));
      return admin.username;
    }
    case Role::kSystem:
      return std::string("Clinic");
  }
  return std::string("Clinic");
}

// 24 hexadecimal digits like a MongoDB ObjectId: the creation second, a random number fixed for
// this process, and a counter, so that one server's messages of one second keep their order.
std::string NewMessageId(Instant created_at) {
  static const std::string process = Sha256Hex(RandomToken(16)).substr(0, 6);
  static std::atomic<std::uint64_t> counter{0};
  return fmt::format("{:08x}{}{:010x}",
                     static_cast<std::uint32_t>(created_at.time_since_epoch().count()), process,
                     counter.fetch_add(1) & 0xFFFFFFFFFFull);
}

// The id a retried post must land on again: derived from who posts where with which client id.
std::string IdForClientMessage(const std::string& thread_id, const domain::Principal& author,
                               const std::string& client_msg_id) {
  return Sha256Hex(fmt::format("{}\n{}\n{}\n{}", thread_id, domain::Name(author.role), author.id,
                               client_msg_id))
      .substr(0, 24);
}

// A client_msg_id names one post: posting it again is a retry only with the same content — text
// as first posted (an edit changes only the text), markdown, tags and attachments. Anything else
// is kAlreadyExists on the field, and nothing is stored.
Status SamePostAgain(const domain::Message& earlier, const domain::Message& again) {
  const auto file_ids = [](const domain::Message& m) {
    std::vector<std::string> ids;
    for (const auto& attachment : m.attachments) ids.push_back(attachment.file_id);
    return ids;
  };
  const bool same_text = earlier.version > 1 || earlier.text == again.text;
  if (same_text && earlier.markdown == again.markdown && earlier.tags == again.tags &&
      file_ids(earlier) == file_ids(again)) {
    return Ok();
  }
  Error differs = Error::AlreadyExists(
      "this client_msg_id was already used for a different message; use a new one for a new "
      "message");
  differs.fields.push_back({"client_msg_id", "was already used for a different message"});
  return Fail(std::move(differs));
}

std::vector<std::string> CheckTags(domain::Validator& check, const std::vector<std::string>& tags) {
  std::vector<std::string> cleaned;
  if (tags.size() > kMaxTags) check.Add("tags", fmt::format("at most {} tags", kMaxTags));
  for (std::size_t i = 0; i < tags.size(); ++i) {
    std::string tag = tags[i];
    std::transform(tag.begin(), tag.end(), tag.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const bool valid = !tag.empty() && tag.size() <= kMaxTagLength &&
                       std::all_of(tag.begin(), tag.end(), [](char c) {
                         return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                       });
    if (!valid) {
      check.Add(fmt::format("tags[{}]", i),
                fmt::format("must be 1 to {} characters a-z, 0-9 or '-'", kMaxTagLength));
    } else if (std::find(cleaned.begin(), cleaned.end(), tag) == cleaned.end()) {
      cleaned.push_back(std::move(tag));
    }
  }
  return cleaned;
}

std::string EncodeCursor(const domain::Message& message) {
  return fmt::format("{}.{}", message.created_at.time_since_epoch().count(), message.id);
}

Result<storage::MessagePosition> DecodeCursor(std::string_view text) {
  const auto dot = text.find('.');
  std::int64_t seconds = 0;
  const auto digits = text.substr(0, std::min(dot, text.size()));
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), seconds);
  const auto id = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  const bool hex_id = domain::IsMessageId(id);
  if (error != std::errc{} || end != digits.data() + digits.size() || seconds < 0 ||
      seconds > kLastInstant.time_since_epoch().count() || !hex_id) {
    return Fail(Error::InvalidField("before", "is not a cursor this server issued"));
  }
  return storage::MessagePosition{Instant{std::chrono::seconds(seconds)}, std::string(id)};
}

}  // namespace

MessageService::MessageService(storage::Store& store, storage::MessageStore& messages,
                               AttachmentService& attachments, const Clock& clock,
                               MessageEvents* events, const OutboxWriter* outbox)
    : store_(store),
      messages_(messages),
      attachments_(attachments),
      clock_(clock),
      events_(events),
      outbox_(outbox) {}

Result<PostedMessage> MessageService::Post(const domain::RequestContext& context, Id appointment_id,
                                           const NewMessage& input) {
  return PostAs(context, appointment_id, input, /*trusted=*/false);
}

Result<std::string> MessageService::PreviewMarkdown(const std::string& markdown) const {
  domain::Validator check;
  const auto checked =
      check.OptionalText("markdown", markdown, kMaxMarkdownChars, /*multiline=*/true);
  CLINIC_TRY_STATUS(check.Finish("the markdown is not valid"));
  return checked ? RenderMarkdownSafely(*checked) : std::string();
}

Result<PostedMessage> MessageService::PostAs(const domain::RequestContext& context,
                                             Id appointment_id, const NewMessage& input,
                                             bool trusted, const std::optional<FixedPlace>& place) {
  domain::Validator check;
  const auto text = check.OptionalText("text", input.text, kMaxTextChars, /*multiline=*/true);
  const auto markdown =
      check.OptionalText("markdown", input.markdown, kMaxMarkdownChars, /*multiline=*/true);
  if (check.ok() && !text && !markdown && input.attachments.empty()) {
    check.Add("text", "a message needs text, markdown or attachments");
  }
  const auto tags = CheckTags(check, input.tags);
  const auto client_msg_id =
      check.OptionalText("client_msg_id", input.client_msg_id, kMaxClientMessageIdLength);
  const auto ua = check.OptionalText("client.ua", input.client_ua, 255);
  const auto platform = check.OptionalText("client.platform", input.client_platform, 32);
  CLINIC_TRY_STATUS(check.Finish("the message is not valid"));
  CLINIC_ASSIGN_OR_RETURN(auto attachments,
                          attachments_.ForMessage(context.actor, input.attachments));

  const Instant now = place ? place->at : clock_.Now();
  CLINIC_ASSIGN_OR_RETURN(
      auto message,
      InTransaction(store_, TxMode::kRead, [&](Transaction& tx) -> Result<domain::Message> {
        CLINIC_ASSIGN_OR_RETURN(auto thread, LoadThread(tx, context.actor, appointment_id,
                                                        AppointmentAction::kWriteMessage, trusted));
        CLINIC_ASSIGN_OR_RETURN(auto author_name, AuthorName(tx, context.actor, thread));
        const auto& a = thread.appointment;
        domain::Message m;
        m.thread_id = domain::ThreadIdOf(appointment_id);
        m.id = place           ? place->id
               : client_msg_id ? IdForClientMessage(m.thread_id, context.actor, *client_msg_id)
                               : NewMessageId(now);
        m.type = context.actor.role == Role::kSystem ? domain::MessageType::kSystem
                 : !text && !markdown                ? domain::MessageType::kFile
                                                     : domain::MessageType::kChat;
        m.attachments = attachments;
        m.text = text;
        m.markdown = markdown;
        m.refs = {.appointment_id = a.id,
                  .patient_id = a.patient_id,
                  .doctor_id = a.doctor_id,
                  .location_id = a.location_id};
        m.author = {.role = context.actor.role,
                    .id = context.actor.id,
                    .display_name = std::move(author_name)};
        m.tags = tags;
        m.patient_display_name = PatientName(thread);
        m.doctor_specialization = thread.doctor_specialization;
        m.created_at = now;
        m.updated_at = now;
        m.created_by_role = context.actor.role;
        m.created_by_id = context.actor.id;
        m.client_ua = ua;
        m.client_platform = platform;
        return m;
      }));
  auto inserted = messages_.Insert(message);
  if (!inserted && inserted.error().code == ErrorCode::kAlreadyExists && (client_msg_id || place)) {
    CLINIC_ASSIGN_OR_RETURN(auto earlier, messages_.Get(message.id));
    if (earlier) {
      CLINIC_TRY_STATUS(SamePostAgain(*earlier, message));
      return PostedMessage{.message = std::move(*earlier), .existing = true};
    }
  }
  CLINIC_TRY_STATUS(std::move(inserted));
  if (events_ != nullptr) events_->MessageStored(message);
  return PostedMessage{.message = std::move(message)};
}

Result<MessagePage> MessageService::List(const domain::RequestContext& context, Id appointment_id,
                                         const std::optional<std::string>& before, int limit) {
  std::optional<storage::MessagePosition> position;
  if (before) {
    CLINIC_ASSIGN_OR_RETURN(position, DecodeCursor(*before));
  }
  CLINIC_TRY_STATUS(InTransaction(store_, TxMode::kRead, [&](Transaction& tx) {
    return LoadThread(tx, context.actor, appointment_id, AppointmentAction::kRead);
  }));
  CLINIC_ASSIGN_OR_RETURN(auto found, messages_.ListThread(domain::ThreadIdOf(appointment_id),
                                                           position, std::max(limit, 1)));
  MessagePage page;
  if (found.size() > static_cast<std::size_t>(std::max(limit, 1))) {
    found.resize(static_cast<std::size_t>(std::max(limit, 1)));
    page.next_cursor = EncodeCursor(found.back());
  }
  page.items.reserve(found.size());
  for (auto& message : found)
    page.items.push_back(domain::AsSeenBy(context.actor, std::move(message)));
  return page;
}

Result<std::int64_t> MessageService::MarkRead(const domain::RequestContext& context,
                                              Id appointment_id, const std::string& up_to) {
  CLINIC_ASSIGN_OR_RETURN(auto thread, InTransaction(store_, TxMode::kRead, [&](Transaction& tx) {
                            return LoadThread(tx, context.actor, appointment_id,
                                              AppointmentAction::kRead);
                          }));
  const auto thread_id = domain::ThreadIdOf(appointment_id);
  const auto not_in_thread = [] {
    return Fail(Error::InvalidField("up_to", "no message of this thread has this id"));
  };
  if (!domain::IsMessageId(up_to)) return not_in_thread();
  CLINIC_ASSIGN_OR_RETURN(auto last, messages_.Get(up_to));
  if (!last || last->thread_id != thread_id) return not_in_thread();
  const storage::MessageReader reader{context.actor.role, context.actor.id};
  const Instant now = clock_.Now();
  CLINIC_ASSIGN_OR_RETURN(const auto marked,
                          messages_.MarkRead(thread_id, {last->created_at, last->id}, reader, now));
  if (marked == 0) return marked;
  const ReadEvent read{.appointment_id = appointment_id,
                       .audience = domain::LiveAudience(thread),
                       .reader = reader,
                       .up_to = last->id,
                       .read_at = now};
  if (events_ != nullptr) events_->MessagesRead(read);
  if (outbox_ != nullptr) {
    // The receipt is stored already; other instances' connections just hear of it later.
    if (auto recorded = store_.Run(TxMode::kWrite,
                                   [&](Transaction& tx) { return outbox_->RecordRead(tx, read); });
        !recorded) {
      spdlog::warn("read receipt of appointment {} not recorded for other instances: {}",
                   appointment_id, recorded.error().message);
    }
  }
  return marked;
}

Result<std::vector<storage::ThreadUnread>> MessageService::Unread(
    const domain::RequestContext& context) {
  CLINIC_ASSIGN_OR_RETURN(auto counts,
                          messages_.UnreadCounts({context.actor.role, context.actor.id}));
  if (counts.empty()) return counts;
  // The document store counts by the participants each message names; the relational rows say
  // whether the caller may read the thread now (not once the patient's record is deleted).
  return InTransaction(
      store_, TxMode::kRead, [&](Transaction& tx) -> Result<std::vector<storage::ThreadUnread>> {
        std::vector<storage::ThreadUnread> readable;
        for (const auto& count : counts) {
          auto thread =
              LoadThread(tx, context.actor, count.appointment_id, AppointmentAction::kRead);
          if (thread) {
            readable.push_back(count);
          } else if (thread.error().code != ErrorCode::kNotFound) {
            return Fail(thread.error());
          }
        }
        return readable;
      });
}

Result<domain::Message> MessageService::Edit(const domain::RequestContext& context,
                                             const std::string& id,
                                             const std::optional<std::string>& text,
                                             std::int64_t version) {
  domain::Validator check;
  const auto cleaned = check.OptionalText("text", text, kMaxTextChars, /*multiline=*/true);
  if (check.ok() && !cleaned) check.Add("text", "is required");
  CLINIC_TRY_STATUS(check.Finish("the edit is not valid"));
  const auto hidden = [] { return Fail(Error::NotFound("no such message")); };
  if (!domain::IsMessageId(id)) return hidden();
  CLINIC_ASSIGN_OR_RETURN(auto found, messages_.Get(id));
  if (!found) return hidden();
  auto writable = InTransaction(store_, TxMode::kRead, [&](Transaction& tx) {
    return LoadThread(tx, context.actor, found->refs.appointment_id,
                      AppointmentAction::kWriteMessage);
  });
  if (!writable && writable.error().code == ErrorCode::kNotFound) return hidden();
  CLINIC_TRY_STATUS(std::move(writable));
  if (found->author.role != context.actor.role || found->author.id != context.actor.id) {
    return Fail(Error::PermissionDenied("only the author may edit a message"));
  }
  const Instant now = clock_.Now();
  if (now - found->created_at > kEditWindow) {
    return Fail(Error::FailedPrecondition("a message can be edited only within 15 minutes"));
  }
  CLINIC_ASSIGN_OR_RETURN(const bool edited,
                          messages_.Edit(id, version, cleaned, found->markdown, now));
  if (!edited) {
    return Fail(Error::FailedPrecondition(fmt::format(
        "message {} has changed since version {}; reload it and edit again", id, version)));
  }
  CLINIC_ASSIGN_OR_RETURN(auto updated, messages_.Get(id));
  if (!updated) return hidden();
  if (events_ != nullptr) events_->MessageStored(*updated);
  return std::move(*updated);
}

Status MessageService::PostSystem(Id appointment_id, const std::string& text, Id outbox_id,
                                  Instant changed_at) {
  // Ordered in the thread by the change's time, like a message posted then, and the same id
  // however often the entry is applied.
  const FixedPlace place{
      .id = fmt::format("{:08x}00{:014x}",
                        static_cast<std::uint32_t>(changed_at.time_since_epoch().count()),
                        static_cast<std::uint64_t>(outbox_id) & 0xFFFFFFFFFFFFFFull),
      .at = changed_at};
  CLINIC_TRY_STATUS(PostAs({.actor = {.role = Role::kSystem, .id = 0}}, appointment_id,
                           {.text = text}, /*trusted=*/true, place));
  return Ok();
}

}  // namespace clinic::service
