#pragma once

#include <optional>
#include <string>
#include <vector>

#include "clinic/app/config.hpp"
#include "clinic/common/clock.hpp"
#include "clinic/http/handlers/live_routes.hpp"
#include "clinic/http/handlers/route_table.hpp"
#include "clinic/http/metrics.hpp"
#include "clinic/http/router.hpp"
#include "clinic/service/admin_service.hpp"
#include "clinic/service/answer_cache.hpp"
#include "clinic/service/appointment_service.hpp"
#include "clinic/service/attachment_service.hpp"
#include "clinic/service/audit_service.hpp"
#include "clinic/service/auth_service.hpp"
#include "clinic/service/doctor_service.hpp"
#include "clinic/service/live_feed.hpp"
#include "clinic/service/location_service.hpp"
#include "clinic/service/message_service.hpp"
#include "clinic/service/outbox.hpp"
#include "clinic/service/password_hasher.hpp"
#include "clinic/service/patient_service.hpp"
#include "clinic/service/payment_service.hpp"
#include "clinic/service/prescription_service.hpp"
#include "clinic/service/report_service.hpp"
#include "clinic/service/scheduling_service.hpp"
#include "clinic/storage/attachment_store.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::app {

// The services behind the HTTP API, built once from the configuration over one store, and the
// routes that expose them. Outlives the server that calls into it.
class Api {
 public:
  Api(storage::Store& store, const storage::DocumentStores& documents, const ServerConfig& config);
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // Adds the API's routes, each with its declaration (http::RouteTable).
  void AddRoutes(http::Router& router);
  // The declarations of the routes AddRoutes added: for the contract test against
  // api/openapi.yaml.
  const std::vector<http::RouteSpec>& route_specs() const { return route_specs_; }
  // Adds the services' own figures (password hashing, the outbox) to the /metrics page.
  void AddMetrics(http::Metrics& metrics) const;

 private:
  storage::Store& store_;
  const ServerConfig& config_;
  SystemClock clock_;
  service::OutboxWriter outbox_writer_;
  service::PasswordHasher hasher_;
  service::AuthService auth_;
  service::LocationService locations_;
  service::DoctorService doctors_;
  service::PatientService patients_;
  service::AdminService admins_;
  service::SchedulingService scheduling_;
  // Free-slot search answers, unless --slot-search-cache-ms is 0.
  std::optional<service::AnswerCache> slot_search_answers_;
  service::AttachmentService attachments_;
  service::LiveFeed live_;
  service::MessageService messages_;
  service::OutboxRelay outbox_relay_;
  service::AppointmentEventsFanOut appointment_events_;
  service::AppointmentService appointments_;
  service::PaymentService payments_;
  service::PrescriptionService prescriptions_;
  service::ReportService reports_;
  service::AuditService audit_;
  std::vector<http::RouteSpec> route_specs_;
};

}  // namespace clinic::app
