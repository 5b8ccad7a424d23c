#pragma once

#include "clinic/http/handlers/route_table.hpp"
#include "clinic/service/payment_service.hpp"

namespace clinic::http {

// Payments (admins write; the appointment's patient reads):
//   POST /api/v1/appointments/{id}/payments  {amount_cents, currency, method, transaction_ref?,
//       status?: pending|paid} → 201 the payment; a transaction_ref recorded before for this
//       appointment → 200 with that payment (recorded nothing);
//   GET  /api/v1/appointments/{id}/payments  → {items, balance: [{currency, paid_cents,
//       refunded_cents, net_cents}]};
//   GET  /api/v1/payments  ?appointment_id, patient_id, status, limit, cursor → {items,
//       next_cursor}; patients see their own;
//   GET  /api/v1/payments/{id};
//   POST /api/v1/payments/{id}/pay | /fail → the payment; /refund {amount_cents} → 201 the refund.
void AddPaymentRoutes(RouteTable& routes, service::PaymentService& payments);

}  // namespace clinic::http
