#include "clinic/service/report_service.hpp"

#include <fmt/format.h>

#include <map>
#include <tuple>

#include "clinic/common/time.hpp"
#include "clinic/domain/payment_rules.hpp"
#include "clinic/domain/policy.hpp"
#include "clinic/domain/time_zone.hpp"

namespace clinic::service {
namespace {

using storage::InTransaction;
using storage::ReportDimensions;
using storage::Transaction;
using storage::TxMode;

constexpr int kMaxPeriodDays = 366;

// Where a group sorts: by label, then id (two doctors may share a name).
using SortKey = std::pair<std::string, std::int64_t>;

// The local date of `t` at the fact's location (UTC without one).
std::chrono::year_month_day LocalDate(const ReportDimensions& where, Instant t) {
  const auto* zone = where.timezone ? domain::FindTimeZone(*where.timezone) : nullptr;
  const auto local_seconds =
      zone != nullptr ? domain::UtcToLocal(*zone, t).time_since_epoch() : t.time_since_epoch();
  return std::chrono::year_month_day{
      std::chrono::floor<std::chrono::days>(std::chrono::sys_seconds{local_seconds})};
}

std::pair<SortKey, ReportGroup> GroupOf(ReportGrouping grouping, const ReportDimensions& where,
                                        std::chrono::year_month_day day) {
  switch (grouping) {
    case ReportGrouping::kDay: {
      const auto date = FormatDate(day);
      return {{date, 0}, {date, date}};
    }
    case ReportGrouping::kDoctor:
      return {{where.doctor_name, where.doctor_id},
              {std::to_string(where.doctor_id), where.doctor_name}};
    case ReportGrouping::kLocation:
      if (!where.location_id) return {{"", 0}, {"none", "no location"}};
      return {{where.location_name.value_or(""), *where.location_id},
              {std::to_string(*where.location_id), where.location_name.value_or("")}};
    case ReportGrouping::kSpecialization:
      return {{where.specialization, 0}, {where.specialization, where.specialization}};
  }
  return {};
}

bool InPeriod(const ReportPeriod& period, std::chrono::year_month_day day) {
  return std::chrono::sys_days{day} >= std::chrono::sys_days{period.from} &&
         std::chrono::sys_days{day} <= std::chrono::sys_days{period.to};
}

// The UTC instants that hold every local day of the period in any zone (UTC−12 to UTC+14).
std::pair<Instant, Instant> UtcWindow(const ReportPeriod& period) {
  return {std::chrono::sys_days{period.from} - std::chrono::days(1),
          std::chrono::sys_days{period.to} + std::chrono::days(2)};
}

Status CheckPeriod(const ReportPeriod& period) {
  const auto days = (std::chrono::sys_days{period.to} - std::chrono::sys_days{period.from}).count();
  if (days < 0) return Fail(Error::InvalidField("to", "must not be before from"));
  if (days >= kMaxPeriodDays) {
    return Fail(Error::InvalidField(
        "to", fmt::format("the period may span at most {} days", kMaxPeriodDays)));
  }
  return Ok();
}

std::optional<double> Ratio(std::int64_t part, std::int64_t whole) {
  if (whole == 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

ReportService::ReportService(storage::Store& store) : store_(store) {}

Result<std::vector<AppointmentFigures>> ReportService::Appointments(
    const domain::RequestContext& context, const ReportPeriod& period, ReportGrouping grouping) {
  CLINIC_TRY_STATUS(domain::AuthorizeReports(context.actor));
  CLINIC_TRY_STATUS(CheckPeriod(period));
  const auto window = UtcWindow(period);
  std::vector<storage::SlotFact> slots;
  std::vector<storage::AppointmentFact> appointments;
  CLINIC_TRY_STATUS(store_.Run(TxMode::kRead, [&](Transaction& tx) -> Status {
    CLINIC_ASSIGN_OR_RETURN(slots, tx.reports().Slots(window.first, window.second));
    CLINIC_ASSIGN_OR_RETURN(appointments, tx.reports().Appointments(window.first, window.second));
    return Ok();
  }));

  std::map<SortKey, AppointmentFigures> groups;
  const auto figures_for = [&](const ReportDimensions& where,
                               Instant start) -> AppointmentFigures* {
    const auto day = LocalDate(where, start);
    if (!InPeriod(period, day)) return nullptr;
    auto [sort_key, group] = GroupOf(grouping, where, day);
    auto& figures = groups[sort_key];
    figures.group = std::move(group);
    return &figures;
  };
  for (const auto& slot : slots) {
    auto* figures = figures_for(slot.where, slot.start);
    if (figures != nullptr && (slot.is_available || slot.booked)) ++figures->offered_slots;
  }
  for (const auto& appointment : appointments) {
    auto* figures = figures_for(appointment.where, appointment.start);
    if (figures == nullptr) continue;
    switch (appointment.status) {
      case domain::AppointmentStatus::kCancelled:
        ++figures->cancelled;
        continue;
      case domain::AppointmentStatus::kCompleted:
        ++figures->completed;
        break;
      case domain::AppointmentStatus::kNoShow:
        ++figures->no_show;
        break;
      case domain::AppointmentStatus::kScheduled:
        break;
    }
    ++figures->booked;
  }
  std::vector<AppointmentFigures> rows;
  rows.reserve(groups.size());
  for (auto& [key, figures] : groups) {
    figures.no_show_rate = Ratio(figures.no_show, figures.completed + figures.no_show);
    figures.utilisation = Ratio(figures.booked, figures.offered_slots);
    rows.push_back(std::move(figures));
  }
  return rows;
}

Result<std::vector<RevenueFigures>> ReportService::Revenue(
    const domain::RequestContext& context, const ReportPeriod& period, ReportGrouping grouping,
    const std::optional<std::string>& currency) {
  CLINIC_TRY_STATUS(domain::AuthorizeReports(context.actor));
  CLINIC_TRY_STATUS(CheckPeriod(period));
  if (currency && !domain::IsIsoCurrency(*currency)) {
    return Fail(Error::InvalidField("currency", "must be an ISO 4217 currency code, e.g. USD"));
  }
  const auto window = UtcWindow(period);
  CLINIC_ASSIGN_OR_RETURN(auto money, InTransaction(store_, TxMode::kRead, [&](Transaction& tx) {
                            return tx.reports().Money(window.first, window.second);
                          }));
  std::map<std::tuple<SortKey, std::string>, RevenueFigures> groups;
  for (const auto& fact : money) {
    if (currency && fact.currency != *currency) continue;
    const auto day = LocalDate(fact.where, fact.at);
    if (!InPeriod(period, day)) continue;
    auto [sort_key, group] = GroupOf(grouping, fact.where, day);
    auto& figures = groups[{sort_key, fact.currency}];
    figures.group = std::move(group);
    figures.currency = fact.currency;
    (fact.refund ? figures.refunded_cents : figures.paid_cents) += fact.amount_cents;
  }
  std::vector<RevenueFigures> rows;
  rows.reserve(groups.size());
  for (auto& [key, figures] : groups) {
    figures.net_cents = figures.paid_cents - figures.refunded_cents;
    rows.push_back(std::move(figures));
  }
  return rows;
}

}  // namespace clinic::service
