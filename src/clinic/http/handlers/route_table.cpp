#include "clinic/http/handlers/route_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <iterator>
#include <utility>

#include "clinic/common/crypto.hpp"
#include "clinic/http/field_rules.hpp"
#include "clinic/http/handlers/authentication.hpp"
#include "clinic/http/json_body.hpp"
#include "clinic/http/problem.hpp"

namespace clinic::http {
namespace {

constexpr std::string_view kIdSegment = "{id}";

// The body as the Idempotency-Key's fingerprint takes it: as sent, or when the route leaves
// fields out, the JSON object without them, serialised again. A body that is not a JSON object
// counts as empty: the handler refuses it before anything is kept under the key.
std::string FingerprintedBody(const Request& request,
                              const std::vector<std::string_view>& leaves_out) {
  if (leaves_out.empty()) return request.body;
  auto body = ParseJsonObject(request);
  if (!body) return "";
  for (const std::string_view field : leaves_out) body->erase(field);
  return boost::json::serialize(*body);
}

// The request's Idempotency-Key with a fingerprint of everything that makes the request what it
// is: method, path, query and body (less the route's `leaves_out` fields), each length-prefixed
// so no two requests spell the same text.
std::optional<domain::IdempotencyKey> IdempotencyKeyOf(
    const Request& request, const std::vector<std::string_view>& leaves_out) {
  const auto key = request.headers.find("Idempotency-Key");
  if (key == request.headers.end()) return std::nullopt;
  std::string fingerprint;
  const auto add = [&fingerprint](std::string_view part) {
    fmt::format_to(std::back_inserter(fingerprint), "{}:{}\n", part.size(), part);
  };
  add(boost::beast::http::to_string(request.method));
  add(request.path);
  for (const auto& [name, value] : request.query) {
    add(name);
    add(value);
  }
  add(FingerprintedBody(request, leaves_out));
  return domain::IdempotencyKey{.key = std::string(key->value()),
                                .request_hash = Sha256Hex(fingerprint)};
}

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
  context.idempotency = IdempotencyKeyOf(request, spec.fingerprint_leaves_out);
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
