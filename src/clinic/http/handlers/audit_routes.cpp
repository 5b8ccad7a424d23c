#include "clinic/http/handlers/audit_routes.hpp"

#include "clinic/common/time.hpp"
#include "clinic/http/handlers/json_codecs.hpp"
#include "clinic/http/handlers/pagination.hpp"
#include "clinic/http/handlers/record_fields.hpp"
#include "clinic/http/query_params.hpp"
#include "clinic/http/response.hpp"

namespace clinic::http {
namespace {

boost::json::object AuditJson(const domain::AuditEntry& e) {
  auto nullable_text = [](const std::optional<std::string>& v) {
    return v ? boost::json::value(*v) : boost::json::value(nullptr);
  };
  auto nullable_id = [](const std::optional<Id>& v) {
    return v ? boost::json::value(*v) : boost::json::value(nullptr);
  };
  return {{"id", e.id},
          {"occurred_at", FormatRfc3339(e.occurred_at)},
          {"actor_role", domain::Name(e.actor_role)},
          {"actor_id", nullable_id(e.actor_id)},
          {"action", e.action},
          {"entity", e.entity},
          {"entity_id", nullable_id(e.entity_id)},
          {"client_addr", nullable_text(e.client_addr)},
          {"request_id", nullable_text(e.request_id)},
          {"client_request_id", nullable_text(e.client_request_id)},
          {"details", nullable_text(e.details)},
          {"prev_hash", e.prev_hash},
          {"hash", e.hash},
          {"chain", e.chain},
          {"chain_seq", e.chain_seq}};
}

Result<Response> ListAudit(service::AuditService& audit, Call& call) {
  QueryFields& query = call.query;
  storage::AuditFilter filter;
  if (auto role = query.OptionalEnum("actor_role", domain::RoleNames()))
    filter.actor_role = domain::ParseRole(*role);
  filter.actor_id = query.OptionalInt("actor_id", {.min = 1});
  filter.entity = query.OptionalString("entity");
  filter.entity_id = query.OptionalInt("entity_id", {.min = 1});
  filter.action = query.OptionalString("action");
  filter.from = query.OptionalInstant("from");
  filter.to = query.OptionalInstant("to");
  const PageParams page_params = query.Page();
  CLINIC_TRY_STATUS(query.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto page_request, ToPageRequest(page_params));
  CLINIC_ASSIGN_OR_RETURN(auto page, audit.List(call.context, filter, page_request));
  return Json(HttpStatus::ok, PageJson(page, AuditJson));
}

Result<Response> VerifyAudit(service::AuditService& audit, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto verification, audit.Verify(call.context));
  const bool ok = !verification.first_broken_id;
  return Json(HttpStatus::ok,
              boost::json::object{
                  {"ok", ok},
                  {"rows", verification.rows},
                  {"chains", verification.chains},
                  {"first_broken_id", verification.first_broken_id
                                          ? boost::json::value(*verification.first_broken_id)
                                          : boost::json::value(nullptr)},
                  {"problem",
                   ok ? boost::json::value(nullptr) : boost::json::value(verification.problem)}});
}

}  // namespace

void AddAuditRoutes(RouteTable& routes, service::AuditService& audit) {
  routes.Add({.method = Method::get,
              .path = "/api/v1/audit",
              .query = {"actor_role", "actor_id", "entity", "entity_id", "action", "from", "to",
                        "limit", "cursor"}},
             [&audit](Call& call) { return ListAudit(audit, call); });
  routes.Add({.method = Method::get, .path = "/api/v1/audit/verify"},
             [&audit](Call& call) { return VerifyAudit(audit, call); });
}

}  // namespace clinic::http
