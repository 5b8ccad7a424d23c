#include "clinic/http/handlers/route_table.hpp"

#include <algorithm>
#include <utility>

#include "clinic/http/field_rules.hpp"
#include "clinic/http/handlers/authentication.hpp"
#include "clinic/http/problem.hpp"

namespace clinic::http {
namespace {

constexpr std::string_view kIdSegment = "{id}";

Result<domain::RequestContext> ResolveCaller(Access access, const Request& request,
                                             service::AuthService& auth) {
  switch (access) {
    case Access::kAnonymous:
      return AnonymousContext(request);
    case Access::kOptionalLogin:
      return OptionalLogin(request, auth);
    case Access::kLogin:
      return RequireLogin(request, auth);
  }
  return RequireLogin(request, auth);
}

// 400 naming every query parameter the route does not declare (each name once).
Status OnlyDeclaredParameters(const Request& request,
                              const std::vector<std::string_view>& declared) {
  std::vector<FieldError> unknown;
  for (const auto& parameter : request.query) {
    const std::string& name = parameter.first;
    const bool known = std::find(declared.begin(), declared.end(), name) != declared.end();
    const bool reported =
        std::any_of(unknown.begin(), unknown.end(),
                    [&name](const FieldError& error) { return error.field == name; });
    if (!known && !reported) unknown.push_back({name, "is not a known query parameter"});
  }
  if (unknown.empty()) return Ok();
  return Fail(InvalidFields(std::move(unknown)));
}

// Runs the checks of `spec` in the order a client learns most from (who, which record, which
// parameters), then `handle` with the call they produce.
template <typename Handle>
auto Checked(const RouteSpec& spec, service::AuthService& auth, Request& request, Handle&& handle)
    -> decltype(handle(std::declval<Call&>())) {
  CLINIC_ASSIGN_OR_RETURN(auto context, ResolveCaller(spec.access, request, auth));
  Id id = 0;
  if (spec.path.find(kIdSegment) != std::string_view::npos) {
    CLINIC_ASSIGN_OR_RETURN(id, request.PathId("id"));
  }
  CLINIC_TRY_STATUS(OnlyDeclaredParameters(request, spec.query));
  Call call{
      .request = request, .context = std::move(context), .id = id, .query = QueryFields(request)};
  return handle(call);
}

Result<Response> UpgradeRequired(Request&) {
  constexpr auto kStatus = HttpStatus::upgrade_required;
  auto response = Problem(kStatus, ProblemDocument(kStatus, "upgrade-required",
                                                   "This is a WebSocket endpoint: connect with "
                                                   "an Upgrade: websocket request."));
  response.set(boost::beast::http::field::upgrade, "websocket");
  return response;
}

}  // namespace

RouteTable::RouteTable(Router& router, service::AuthService& auth) : router_(router), auth_(auth) {}

void RouteTable::Add(RouteSpec spec, CallHandler handler) {
  BodyAdmission admit;
  if (spec.max_body_bytes && spec.access == Access::kLogin) {
    admit = [access = spec.access, &auth = auth_](const Request& request) -> Status {
      CLINIC_TRY_STATUS(ResolveCaller(access, request, auth));
      return Ok();
    };
  }
  router_.Add(
      spec.method, spec.path,
      [spec, &auth = auth_, handler = std::move(handler)](Request& request) {
        return Checked(spec, auth, request, handler);
      },
      {.max_body_bytes = spec.max_body_bytes,
       .execution = spec.hashes_passwords ? Execution::kCpuWorkerPool : Execution::kWorkerPool,
       .admit = std::move(admit)});
  specs_.push_back(std::move(spec));
}

void RouteTable::AddWebSocket(RouteSpec spec, ChannelHandler open) {
  router_.Add(spec.method, spec.path, UpgradeRequired,
              {.max_body_bytes = spec.max_body_bytes,
               .websocket = [spec, &auth = auth_, open = std::move(open)](Request& request) {
                 return Checked(spec, auth, request, open);
               }});
  specs_.push_back(std::move(spec));
}

}  // namespace clinic::http
