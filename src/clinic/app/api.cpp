#include "clinic/app/api.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "clinic/common/crypto.hpp"
#include "clinic/http/handlers/admin_routes.hpp"
#include "clinic/http/handlers/appointment_routes.hpp"
#include "clinic/http/handlers/attachment_routes.hpp"
#include "clinic/http/handlers/audit_routes.hpp"
#include "clinic/http/handlers/auth_routes.hpp"
#include "clinic/http/handlers/doctor_routes.hpp"
#include "clinic/http/handlers/location_routes.hpp"
#include "clinic/http/handlers/message_routes.hpp"
#include "clinic/http/handlers/patient_routes.hpp"
#include "clinic/http/handlers/payment_routes.hpp"
#include "clinic/http/handlers/prescription_routes.hpp"
#include "clinic/http/handlers/report_routes.hpp"
#include "clinic/http/handlers/scheduling_routes.hpp"

namespace clinic::app {
namespace {

service::AuthOptions AuthOptionsFrom(const ServerConfig& config) {
  service::AuthOptions options;
  options.idle_timeout = std::chrono::minutes(config.session_idle_minutes);
  options.max_failures_per_account = config.login_failures_per_account;
  options.max_failures_per_address = config.login_failures_per_address;
  options.max_registrations_per_address = config.registrations_per_address;
  return options;
}

}  // namespace

Api::Api(storage::Store& store, const storage::DocumentStores& documents,
         const ServerConfig& config)
    : store_(store),
      config_(config),
      // A name of this instance's own, for the outbox entries it writes.
      outbox_writer_(clock_, RandomToken(8)),
      hasher_(config.fast_password_hashing ? service::PasswordHasher::Cost::kFastForTests
                                           : service::PasswordHasher::Cost::kProduction),
      auth_(store, hasher_, clock_, AuthOptionsFrom(config)),
      locations_(store, clock_),
      doctors_(store, hasher_, clock_, &appointment_events_, &outbox_writer_),
      patients_(store, hasher_, clock_),
      admins_(store, hasher_, clock_),
      scheduling_(store, clock_),
      attachments_(store, *documents.messages, *documents.attachments, clock_,
                   static_cast<std::int64_t>(config.upload_quota_bytes)),
      live_(*documents.messages, {.poll_interval = std::chrono::milliseconds(config.live_poll_ms),
                                  .outbox_store = &store,
                                  .origin = outbox_writer_.origin(),
                                  .sessions_live =
                                      [this](const std::vector<std::string>& tokens) {
                                        return auth_.SessionsLive(tokens);
                                      }}),
      // Read receipts go into the outbox only for other instances to relay: a single instance
      // (no polling) tells its own sockets at once and needs no row.
      messages_(store, *documents.messages, attachments_, clock_, &live_,
                config.live_poll_ms > 0 ? &outbox_writer_ : nullptr),
      outbox_relay_(store, messages_, clock_, {}),
      appointment_events_({&live_, &outbox_relay_}),
      appointments_(store, clock_, &appointment_events_, &outbox_writer_),
      payments_(store, clock_),
      prescriptions_(store, clock_),
      reports_(store),
      audit_(store) {
  if (config.slot_search_cache_ms > 0) {
    slot_search_answers_.emplace(store, std::chrono::milliseconds(config.slot_search_cache_ms));
  }
}

void Api::AddRoutes(http::Router& router) {
  http::RouteTable routes(router, auth_);
  http::AddAuthRoutes(routes, auth_,
                      {.secure_cookie = config_.secure_cookie,
                       .cookie_max_age = std::chrono::minutes(config_.session_idle_minutes)});
  http::AddAuditRoutes(routes, audit_);
  http::AddLocationRoutes(routes, locations_);
  http::AddDoctorRoutes(routes, doctors_);
  http::AddPatientRoutes(routes, patients_);
  http::AddAdminRoutes(routes, admins_);
  http::AddSchedulingRoutes(routes, scheduling_,
                            slot_search_answers_ ? &*slot_search_answers_ : nullptr);
  http::AddAppointmentRoutes(routes, appointments_, payments_);
  http::AddPaymentRoutes(routes, payments_);
  http::AddPrescriptionRoutes(routes, prescriptions_);
  http::AddReportRoutes(routes, reports_);
  http::AddMessageRoutes(routes, messages_);
  http::AddAttachmentRoutes(routes, attachments_, config_.max_attachment_bytes);
  http::AddLiveRoutes(routes, live_);
  route_specs_ = routes.specs();
}

void Api::AddMetrics(http::Metrics& metrics) const {
  metrics.AddCollector([&hasher = hasher_](std::string& out) {
    const auto counters = hasher.counters();
    out += fmt::format(
        "# HELP clinic_password_hashes_total Passwords hashed (registrations, new passwords).\n"
        "# TYPE clinic_password_hashes_total counter\n"
        "clinic_password_hashes_total {}\n"
        "# HELP clinic_password_verifications_total Passwords checked against a stored hash.\n"
        "# TYPE clinic_password_verifications_total counter\n"
        "clinic_password_verifications_total {}\n",
        counters.hashes, counters.verifications);
  });
  metrics.AddCollector([&store = store_, &relay = outbox_relay_](std::string& out) {
    const auto counters = relay.counters();
    out += fmt::format(
        "# HELP clinic_outbox_applied_total Outbox entries this instance applied (system messages "
        "posted).\n"
        "# TYPE clinic_outbox_applied_total counter\n"
        "clinic_outbox_applied_total {}\n"
        "# HELP clinic_outbox_failed_attempts_total Attempts to apply an outbox entry that failed "
        "and will be retried.\n"
        "# TYPE clinic_outbox_failed_attempts_total counter\n"
        "clinic_outbox_failed_attempts_total {}\n",
        counters.applied, counters.failed_attempts);
    auto pending = storage::InTransaction(store, storage::TxMode::kRead,
                                          [](auto& tx) { return tx.outbox().CountPending(); });
    if (pending) {
      out += fmt::format(
          "# HELP clinic_outbox_pending Outbox entries not applied yet, of every instance.\n"
          "# TYPE clinic_outbox_pending gauge\n"
          "clinic_outbox_pending {}\n",
          *pending);
    }
  });
  metrics.AddCollector([&store = store_](std::string& out) {
    out +=
        "# HELP clinic_db_retries_total Transactions run again after losing to a concurrent one, "
        "by what they lost to.\n"
        "# TYPE clinic_db_retries_total counter\n";
    for (const auto& [reason, count] : store.retries()) {
      out += fmt::format("clinic_db_retries_total{{reason=\"{}\"}} {}\n", reason, count);
    }
  });
}

}  // namespace clinic::app
