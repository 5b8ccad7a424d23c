#include "clinic/http/handlers/json_codecs.hpp"

#include "clinic/common/time.hpp"
#include "clinic/domain/time_zone.hpp"
#include "clinic/service/markdown.hpp"
#include "clinic/storage/message_document.hpp"

namespace clinic::http {
namespace {

boost::json::value Nullable(const std::optional<std::string>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}
boost::json::value Nullable(const std::optional<Id>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}
boost::json::value Nullable(const std::optional<Instant>& v) {
  return v ? boost::json::value(FormatRfc3339(*v)) : boost::json::value(nullptr);
}

// `t` as RFC 3339 local time with the zone's offset at that instant.
std::string FormatLocalRfc3339(const date::time_zone& zone, Instant t) {
  const auto offset = zone.get_info(t).offset;
  // The local wall time spelled like a UTC instant, then its offset instead of "Z".
  auto local = FormatRfc3339(Instant{t.time_since_epoch() + offset});
  local.pop_back();
  const auto magnitude = offset < std::chrono::seconds::zero() ? -offset : offset;
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(magnitude).count();
  const auto digit = [](std::int64_t n) { return static_cast<char>('0' + n % 10); };
  local += offset < std::chrono::seconds::zero() ? '-' : '+';
  local += {digit(minutes / 600), digit(minutes / 60), ':', digit(minutes % 60 / 10),
            digit(minutes % 60)};
  return local;
}

}  // namespace

boost::json::object ToJson(const domain::Location& l) {
  return {{"id", l.id},
          {"name", l.name},
          {"address_line1", l.address_line1},
          {"address_line2", Nullable(l.address_line2)},
          {"city", l.city},
          {"state_region", Nullable(l.state_region)},
          {"postal_code", Nullable(l.postal_code)},
          {"country", l.country},
          {"phone", Nullable(l.phone)},
          {"timezone", l.timezone},
          {"created_at", FormatRfc3339(l.created_at)},
          {"updated_at", FormatRfc3339(l.updated_at)}};
}

boost::json::object ToJson(const domain::Slot& s) {
  return {{"id", s.id},
          {"doctor_id", s.doctor_id},
          {"location_id", Nullable(s.location_id)},
          {"start_time_utc", FormatRfc3339(s.start_time_utc)},
          {"end_time_utc", FormatRfc3339(s.end_time_utc)},
          {"is_available", s.is_available},
          {"created_at", FormatRfc3339(s.created_at)},
          {"updated_at", FormatRfc3339(s.updated_at)}};
}

boost::json::value LocalTimesJson(const std::optional<std::string>& timezone, Instant start,
                                  Instant end) {
  const auto* zone = timezone ? domain::FindTimeZone(*timezone) : nullptr;
  if (zone == nullptr) return nullptr;
  return boost::json::object{{"start", FormatLocalRfc3339(*zone, start)},
                             {"end", FormatLocalRfc3339(*zone, end)},
                             {"timezone", *timezone}};
}

boost::json::object ToJson(const domain::SlotListing& listing) {
  auto json = ToJson(listing.slot);
  json["local"] =
      LocalTimesJson(listing.timezone, listing.slot.start_time_utc, listing.slot.end_time_utc);
  return json;
}

boost::json::object ToJson(const domain::DoctorSlotListing& listing) {
  auto json = ToJson(listing.slot);
  json["local"] =
      LocalTimesJson(listing.timezone, listing.slot.start_time_utc, listing.slot.end_time_utc);
  json["appointment_id"] = Nullable(listing.appointment_id);
  return json;
}

boost::json::object ToJson(const domain::AppointmentListing& listing) {
  const auto& a = listing.appointment;
  return {{"id", a.id},
          {"slot_id", a.slot_id},
          {"doctor_id", a.doctor_id},
          {"patient_id", a.patient_id},
          {"location_id", Nullable(a.location_id)},
          {"status", domain::Name(a.status)},
          {"reason", Nullable(a.reason)},
          {"notes", Nullable(a.notes)},
          {"cancellation_reason", Nullable(a.cancellation_reason)},
          {"rescheduled_to_id", Nullable(a.rescheduled_to_id)},
          {"start_time_utc", FormatRfc3339(listing.start_time_utc)},
          {"end_time_utc", FormatRfc3339(listing.end_time_utc)},
          {"local", LocalTimesJson(listing.timezone, listing.start_time_utc, listing.end_time_utc)},
          {"patient",
           {{"id", a.patient_id},
            {"first_name", listing.patient.first_name},
            {"last_name", listing.patient.last_name}}},
          {"doctor",
           {{"id", a.doctor_id},
            {"first_name", listing.doctor.first_name},
            {"last_name", listing.doctor.last_name},
            {"specialization", listing.doctor_specialization}}},
          {"location", a.location_id && listing.location_name
                           ? boost::json::value{{"id", *a.location_id},
                                                {"name", *listing.location_name},
                                                {"timezone", listing.timezone.value_or("")}}
                           : boost::json::value(nullptr)},
          {"created_at", FormatRfc3339(a.created_at)},
          {"updated_at", FormatRfc3339(a.updated_at)}};
}

boost::json::object ToJson(const domain::Payment& p) {
  return {{"id", p.id},
          {"appointment_id", p.appointment_id},
          {"amount_cents", p.amount_cents},
          {"currency", p.currency},
          {"method", domain::Name(p.method)},
          {"status", domain::Name(p.status)},
          {"transaction_ref", Nullable(p.transaction_ref)},
          {"refund_of_id", Nullable(p.refund_of_id)},
          {"paid_at", Nullable(p.paid_at)},
          {"created_at", FormatRfc3339(p.created_at)},
          {"updated_at", FormatRfc3339(p.updated_at)}};
}

boost::json::array BalanceJson(const std::vector<domain::CurrencyBalance>& balance) {
  boost::json::array out;
  for (const auto& b : balance) {
    out.push_back(boost::json::object{{"currency", b.currency},
                                      {"paid_cents", b.paid_cents},
                                      {"refunded_cents", b.refunded_cents},
                                      {"net_cents", b.paid_cents - b.refunded_cents}});
  }
  return out;
}

boost::json::object ToJson(const domain::PrescriptionListing& listing) {
  const auto& p = listing.prescription;
  return {{"id", p.id},
          {"appointment_id", p.appointment_id},
          {"doctor_id", p.doctor_id},
          {"patient_id", p.patient_id},
          {"instructions", p.instructions},
          {"supersedes_id", Nullable(p.supersedes_id)},
          {"superseded_by", Nullable(listing.superseded_by)},
          {"status", listing.superseded_by ? "superseded" : "active"},
          {"issued_at", FormatRfc3339(p.issued_at)},
          {"created_at", FormatRfc3339(p.created_at)},
          {"updated_at", FormatRfc3339(p.updated_at)}};
}

boost::json::object ToJson(const domain::Patient& p) {
  return {{"id", p.id},
          {"first_name", p.first_name},
          {"last_name", p.last_name},
          {"email", p.email},
          {"phone", Nullable(p.phone)},
          {"date_of_birth", p.date_of_birth ? boost::json::value(FormatDate(*p.date_of_birth))
                                            : boost::json::value(nullptr)},
          {"gender",
           p.gender ? boost::json::value(domain::Name(*p.gender)) : boost::json::value(nullptr)},
          {"notes", Nullable(p.notes)},
          {"has_login", p.password_hash.has_value()},
          {"created_at", FormatRfc3339(p.created_at)},
          {"updated_at", FormatRfc3339(p.updated_at)},
          {"deleted_at", Nullable(p.deleted_at)}};
}

boost::json::object ToJson(const domain::Doctor& d) {
  return {{"id", d.id},
          {"first_name", d.first_name},
          {"last_name", d.last_name},
          {"email", d.email},
          {"phone", Nullable(d.phone)},
          {"specialization", d.specialization},
          {"bio", Nullable(d.bio)},
          {"location_id", Nullable(d.location_id)},
          {"is_active", d.is_active},
          {"created_at", FormatRfc3339(d.created_at)},
          {"updated_at", FormatRfc3339(d.updated_at)},
          {"deleted_at", Nullable(d.deleted_at)}};
}

boost::json::object ToJson(const domain::Doctor& d, domain::DoctorView view) {
  if (view == domain::DoctorView::kFull) return ToJson(d);
  return {{"id", d.id},
          {"first_name", d.first_name},
          {"last_name", d.last_name},
          {"specialization", d.specialization},
          {"bio", Nullable(d.bio)},
          {"location_id", Nullable(d.location_id)},
          {"created_at", FormatRfc3339(d.created_at)},
          {"updated_at", FormatRfc3339(d.updated_at)}};
}

boost::json::object ToJson(const domain::Admin& a) {
  return {{"id", a.id},
          {"username", a.username},
          {"email", a.email},
          {"last_login_at", Nullable(a.last_login_at)},
          {"created_at", FormatRfc3339(a.created_at)},
          {"updated_at", FormatRfc3339(a.updated_at)},
          {"deleted_at", Nullable(a.deleted_at)}};
}

boost::json::object ToJson(const domain::Principal& principal) {
  return {{"role", domain::Name(principal.role)}, {"id", principal.id}};
}

boost::json::object ToJson(const domain::Message& message) {
  auto json = storage::MessageToDocument(message, storage::DocumentDialect::kPlain);
  json["html"] = message.markdown
                     ? boost::json::value(service::RenderMarkdownSafely(*message.markdown))
                     : boost::json::value(nullptr);
  return json;
}

}  // namespace clinic::http
