#include "clinic/http/handlers/payment_routes.hpp"

#include "clinic/http/handlers/authentication.hpp"
#include "clinic/http/handlers/json_codecs.hpp"
#include "clinic/http/handlers/pagination.hpp"
#include "clinic/http/handlers/record_fields.hpp"
#include "clinic/http/json_body.hpp"
#include "clinic/http/query_params.hpp"
#include "clinic/http/response.hpp"

namespace clinic::http {
namespace {

using service::AuthService;
using service::PaymentService;

constexpr IntRule kIdRule{.min = 1};

Result<Response> Record(AuthService& auth, PaymentService& payments, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(request));
  JsonFields fields(body);
  service::NewPayment payment{
      .amount_cents = fields.RequiredInt("amount_cents"),
      .currency = fields.RequiredString("currency", {.max_length = 3}),
      .transaction_ref = fields.OptionalString("transaction_ref", kServiceCheckedText)};
  const auto method = fields.RequiredEnum("method", domain::PaymentMethodNames());
  const auto status = fields.OptionalEnum("status", domain::PaymentStatusNames());
  CLINIC_TRY_STATUS(fields.Finish());
  payment.method = domain::ParsePaymentMethod(method).value_or(domain::PaymentMethod::kOther);
  if (status) payment.status = *domain::ParsePaymentStatus(*status);
  CLINIC_ASSIGN_OR_RETURN(auto recorded, payments.Record(context, id, payment));
  return CreatedJson(ToJson(recorded.payment), recorded.replayed,
                     recorded.existing ? HttpStatus::ok : HttpStatus::created);
}

Result<Response> Ledger(AuthService& auth, PaymentService& payments, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto ledger, payments.Ledger(context, id));
  boost::json::array items;
  for (const auto& payment : ledger.payments) items.push_back(ToJson(payment));
  return Json(HttpStatus::ok, boost::json::object{{"items", std::move(items)},
                                                  {"balance", BalanceJson(ledger.balance)}});
}

Result<Response> List(AuthService& auth, PaymentService& payments, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  QueryFields query(request);
  service::PaymentQuery wanted{.appointment_id = query.OptionalInt("appointment_id", kIdRule),
                               .patient_id = query.OptionalInt("patient_id", kIdRule)};
  if (const auto status = query.OptionalEnum("status", domain::PaymentStatusNames())) {
    wanted.status = domain::ParsePaymentStatus(*status);
  }
  const PageParams page = query.Page();
  CLINIC_TRY_STATUS(query.Finish());
  CLINIC_ASSIGN_OR_RETURN(wanted.page, ToPageRequest(page));
  CLINIC_ASSIGN_OR_RETURN(auto found, payments.List(context, wanted));
  return Json(HttpStatus::ok,
              PageJson(found, [](const domain::Payment& payment) { return ToJson(payment); }));
}

Result<Response> Get(AuthService& auth, PaymentService& payments, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto payment, payments.Get(context, id));
  return Json(HttpStatus::ok, ToJson(payment));
}

// pay and fail take no fields; an empty JSON object is accepted as well.
Result<Response> Settle(AuthService& auth, PaymentService& payments, Request& request, bool paid) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseOptionalJsonObject(request));
  CLINIC_TRY_STATUS(JsonFields(body).Finish());
  CLINIC_ASSIGN_OR_RETURN(auto payment,
                          paid ? payments.Pay(context, id) : payments.MarkFailed(context, id));
  return Json(HttpStatus::ok, ToJson(payment));
}

Result<Response> Refund(AuthService& auth, PaymentService& payments, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(request));
  JsonFields fields(body);
  const auto amount = fields.RequiredInt("amount_cents");
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto refund, payments.Refund(context, id, amount));
  return CreatedJson(ToJson(refund.value), refund.replayed);
}

}  // namespace

void AddPaymentRoutes(Router& router, AuthService& auth, PaymentService& payments) {
  router.Add(Method::post, "/api/v1/appointments/{id}/payments",
             [&auth, &payments](Request& r) { return Record(auth, payments, r); });
  router.Add(Method::get, "/api/v1/appointments/{id}/payments",
             [&auth, &payments](Request& r) { return Ledger(auth, payments, r); });
  router.Add(Method::get, "/api/v1/payments",
             [&auth, &payments](Request& r) { return List(auth, payments, r); });
  router.Add(Method::get, "/api/v1/payments/{id}",
             [&auth, &payments](Request& r) { return Get(auth, payments, r); });
  router.Add(Method::post, "/api/v1/payments/{id}/pay",
             [&auth, &payments](Request& r) { return Settle(auth, payments, r, true); });
  router.Add(Method::post, "/api/v1/payments/{id}/fail",
             [&auth, &payments](Request& r) { return Settle(auth, payments, r, false); });
  router.Add(Method::post, "/api/v1/payments/{id}/refund",
             [&auth, &payments](Request& r) { return Refund(auth, payments, r); });
}

}  // namespace clinic::http
