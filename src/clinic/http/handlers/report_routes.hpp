#pragma once

#include "clinic/http/handlers/route_table.hpp"
#include "clinic/service/report_service.hpp"

namespace clinic::http {

// Admin reports over local days `from`..`to` (both included, "YYYY-MM-DD"), grouped by
// `group_by` = day (default) | doctor | location | specialization:
//   GET /api/v1/reports/appointments → {from, to, group_by, rows: [{key, label, booked,
//       completed, cancelled, no_show, offered_slots, no_show_rate, utilisation}]};
//   GET /api/v1/reports/revenue ?currency → {…, rows: [{key, label, currency, paid_cents,
//       refunded_cents, net_cents}]}.
// With `Accept: text/csv` the same rows come as CSV (a header line, then one line per row).
void AddReportRoutes(RouteTable& routes, service::ReportService& reports);

}  // namespace clinic::http
