#include "clinic/http/handlers/report_routes.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>

#include "clinic/common/time.hpp"
#include "clinic/http/handlers/authentication.hpp"
#include "clinic/http/handlers/json_codecs.hpp"
#include "clinic/http/query_params.hpp"
#include "clinic/http/response.hpp"

namespace clinic::http {
namespace {

using service::ReportGrouping;
using service::ReportService;

// A report's rows in both shapes: column names, and each row's cells as JSON values.
struct Table {
  std::vector<std::string_view> columns;
  std::vector<std::vector<boost::json::value>> rows;
};

struct ReportRequest {
  service::ReportPeriod period;
  ReportGrouping grouping = ReportGrouping::kDay;
  std::string group_by;
  std::optional<std::string> currency;
  bool csv = false;
};

Result<ReportRequest> ReadReportRequest(Call& call, bool with_currency) {
  QueryFields& query = call.query;
  ReportRequest out;
  const auto from = query.OptionalDate("from");
  const auto to = query.OptionalDate("to");
  if (!from) query.AddError("from", "is required (a local date, YYYY-MM-DD)");
  if (!to) query.AddError("to", "is required (a local date, YYYY-MM-DD)");
  out.group_by = query.OptionalEnum("group_by", {"day", "doctor", "location", "specialization"})
                     .value_or("day");
  if (with_currency) out.currency = query.OptionalString("currency");
  CLINIC_TRY_STATUS(query.Finish());
  out.period = {*from, *to};
  out.grouping = out.group_by == "doctor"           ? ReportGrouping::kDoctor
                 : out.group_by == "location"       ? ReportGrouping::kLocation
                 : out.group_by == "specialization" ? ReportGrouping::kSpecialization
                                                    : ReportGrouping::kDay;
  const auto accept = call.request.headers[boost::beast::http::field::accept];
  out.csv = accept.find("text/csv") != boost::beast::string_view::npos;
  return out;
}

boost::json::value Rate(const std::optional<double>& rate) {
  if (!rate) return nullptr;
  return std::round(*rate * 10000.0) / 10000.0;  // four decimals are plenty for a rate
}

// One CSV cell (RFC 4180). A text cell that a spreadsheet would run as a formula (= + - @) is
// prefixed with an apostrophe, so a doctor named "=HYPERLINK(…)" stays text.
std::string CsvCell(const boost::json::value& value) {
  if (value.is_null()) return "";
  if (!value.is_string()) return boost::json::serialize(value);
  const std::string_view raw = value.as_string();
  const bool formula =
      !raw.empty() && std::string_view("=+-@").find(raw.front()) != std::string_view::npos;
  const bool quoted = raw.find_first_of(",\"\r\n") != std::string_view::npos;
  std::string cell;
  cell.reserve(raw.size() + 4);
  if (quoted) cell.push_back('"');
  if (formula) cell.push_back('\'');
  for (const char c : raw) {
    if (c == '"') cell.push_back('"');  // only inside quotes: a bare cell has none
    cell.push_back(c);
  }
  if (quoted) cell.push_back('"');
  return cell;
}

Response Answer(const ReportRequest& wanted, std::string_view name, const Table& table) {
  if (wanted.csv) {
    std::string csv = fmt::format("{}\r\n", fmt::join(table.columns, ","));
    for (const auto& row : table.rows) {
      std::vector<std::string> cells;
      cells.reserve(row.size());
      for (const auto& cell : row) cells.push_back(CsvCell(cell));
      csv += fmt::format("{}\r\n", fmt::join(cells, ","));
    }
    auto response = Text(HttpStatus::ok, std::move(csv), "text/csv; charset=utf-8");
    response.set(boost::beast::http::field::content_disposition,
                 fmt::format("attachment; filename=\"{}-{}-{}.csv\"", name,
                             FormatDate(wanted.period.from), FormatDate(wanted.period.to)));
    return response;
  }
  boost::json::array rows;
  rows.reserve(table.rows.size());
  for (const auto& row : table.rows) {
    boost::json::object item;
    for (std::size_t i = 0; i < table.columns.size(); ++i) item[table.columns[i]] = row[i];
    rows.push_back(std::move(item));
  }
  return Json(HttpStatus::ok, boost::json::object{{"from", FormatDate(wanted.period.from)},
                                                  {"to", FormatDate(wanted.period.to)},
                                                  {"group_by", wanted.group_by},
                                                  {"rows", std::move(rows)}});
}

Result<Response> AppointmentReport(ReportService& reports, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto wanted, ReadReportRequest(call, false));
  CLINIC_ASSIGN_OR_RETURN(auto figures,
                          reports.Appointments(call.context, wanted.period, wanted.grouping));
  Table table{.columns = {"key", "label", "booked", "completed", "cancelled", "no_show",
                          "offered_slots", "no_show_rate", "utilisation"}};
  for (const auto& f : figures) {
    table.rows.push_back({boost::json::value(f.group.key), boost::json::value(f.group.label),
                          f.booked, f.completed, f.cancelled, f.no_show, f.offered_slots,
                          Rate(f.no_show_rate), Rate(f.utilisation)});
  }
  return Answer(wanted, "appointments", table);
}

Result<Response> RevenueReport(ReportService& reports, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto wanted, ReadReportRequest(call, true));
  CLINIC_ASSIGN_OR_RETURN(
      auto figures, reports.Revenue(call.context, wanted.period, wanted.grouping, wanted.currency));
  Table table{.columns = {"key", "label", "currency", "paid_cents", "refunded_cents", "net_cents"}};
  for (const auto& f : figures) {
    table.rows.push_back({boost::json::value(f.group.key), boost::json::value(f.group.label),
                          boost::json::value(f.currency), f.paid_cents, f.refunded_cents,
                          f.net_cents});
  }
  return Answer(wanted, "revenue", table);
}

}  // namespace

void AddReportRoutes(RouteTable& routes, ReportService& reports) {
  routes.Add({.method = Method::get,
              .path = "/api/v1/reports/appointments",
              .query = {"from", "to", "group_by"}},
             [&reports](Call& call) { return AppointmentReport(reports, call); });
  routes.Add({.method = Method::get,
              .path = "/api/v1/reports/revenue",
              .query = {"from", "to", "group_by", "currency"}},
             [&reports](Call& call) { return RevenueReport(reports, call); });
}

}  // namespace clinic::http
