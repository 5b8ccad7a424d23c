#include "clinic/http/handlers/json_codecs.hpp"

#include "clinic/common/time.hpp"

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

}  // namespace clinic::http
