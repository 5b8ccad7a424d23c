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

using service::PaymentService;

constexpr IntRule kIdRule{.min = 1};

Result<Response> Record(PaymentService& payments, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(call.request));
  JsonFields fields(body);
  service::NewPayment payment{.amount_cents = fields.RequiredInt("amount_cents"),
                              .currency = fields.RequiredString("currency"),
                              .transaction_ref = fields.OptionalString("transaction_ref")};
  const auto method = fields.RequiredEnum("method", domain::PaymentMethodNames());
  const auto status = fields.OptionalEnum("status", domain::PaymentStatusNames());
  CLINIC_TRY_STATUS(fields.Finish());
  payment.method = domain::ParsePaymentMethod(method).value_or(domain::PaymentMethod::kOther);
  if (status) payment.status = *domain::ParsePaymentStatus(*status);
  CLINIC_ASSIGN_OR_RETURN(auto recorded, payments.Record(call.context, call.id, payment));
  return CreatedJson(ToJson(recorded.payment), recorded.replayed,
                     recorded.existing ? HttpStatus::ok : HttpStatus::created);
}

Result<Response> Ledger(PaymentService& payments, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto ledger, payments.Ledger(call.context, call.id));
  boost::json::array items;
  for (const auto& payment : ledger.payments) items.push_back(ToJson(payment));
  return Json(HttpStatus::ok, boost::json::object{{"items", std::move(items)},
                                                  {"balance", BalanceJson(ledger.balance)}});
}

Result<Response> List(PaymentService& payments, Call& call) {
  QueryFields& query = call.query;
  service::PaymentQuery wanted{.appointment_id = query.OptionalInt("appointment_id", kIdRule),
                               .patient_id = query.OptionalInt("patient_id", kIdRule)};
  if (const auto status = query.OptionalEnum("status", domain::PaymentStatusNames())) {
    wanted.status = domain::ParsePaymentStatus(*status);
  }
  const PageParams page = query.Page();
  CLINIC_TRY_STATUS(query.Finish());
  CLINIC_ASSIGN_OR_RETURN(wanted.page, ToPageRequest(page));
  CLINIC_ASSIGN_OR_RETURN(auto found, payments.List(call.context, wanted));
  return Json(HttpStatus::ok,
              PageJson(found, [](const domain::Payment& payment) { return ToJson(payment); }));
}

Result<Response> Get(PaymentService& payments, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto payment, payments.Get(call.context, call.id));
  return Json(HttpStatus::ok, ToJson(payment));
}

// pay and fail take no fields; an empty JSON object is accepted as well.
template <auto settle>
Result<Response> Settle(PaymentService& payments, Call& call) {
  CLINIC_TRY_STATUS(NoFields(call.request));
  CLINIC_ASSIGN_OR_RETURN(auto payment, (payments.*settle)(call.context, call.id));
  return Json(HttpStatus::ok, ToJson(payment));
}

Result<Response> Refund(PaymentService& payments, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(call.request));
  JsonFields fields(body);
  const auto amount = fields.RequiredInt("amount_cents");
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto refund, payments.Refund(call.context, call.id, amount));
  return CreatedJson(ToJson(refund.value), refund.replayed);
}

}  // namespace

void AddPaymentRoutes(RouteTable& routes, PaymentService& payments) {
  routes.Add({.method = Method::post, .path = "/api/v1/appointments/{id}/payments"},
             [&payments](Call& call) { return Record(payments, call); });
  routes.Add({.method = Method::get, .path = "/api/v1/appointments/{id}/payments"},
             [&payments](Call& call) { return Ledger(payments, call); });
  routes.Add({.method = Method::get,
              .path = "/api/v1/payments",
              .query = {"appointment_id", "patient_id", "status", "limit", "cursor"}},
             [&payments](Call& call) { return List(payments, call); });
  routes.Add({.method = Method::get, .path = "/api/v1/payments/{id}"},
             [&payments](Call& call) { return Get(payments, call); });
  routes.Add({.method = Method::post, .path = "/api/v1/payments/{id}/pay"},
             [&payments](Call& call) { return Settle<&PaymentService::Pay>(payments, call); });
  routes.Add(
      {.method = Method::post, .path = "/api/v1/payments/{id}/fail"},
      [&payments](Call& call) { return Settle<&PaymentService::MarkFailed>(payments, call); });
  routes.Add({.method = Method::post, .path = "/api/v1/payments/{id}/refund"},
             [&payments](Call& call) { return Refund(payments, call); });
}

}  // namespace clinic::http
