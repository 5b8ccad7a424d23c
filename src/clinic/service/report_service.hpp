#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clinic/common/result.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::service {

enum class ReportGrouping { kDay, kDoctor, kLocation, kSpecialization };

// Local calendar dates, both included. A fact belongs to the local day of its location's zone
// (UTC without a location), so one instant can fall on different dates in New York and Singapore.
struct ReportPeriod {
  std::chrono::year_month_day from;
  std::chrono::year_month_day to;
};

// One group of a report: `key` identifies it (a date, or an id, or a specialization) and `label`
// is what people read (the date, a name).
struct ReportGroup {
  std::string key;
  std::string label;
};

// Appointment figures of one group. `booked` counts appointments that were not cancelled
// (scheduled, completed, no-show); `offered_slots` the slots that were bookable or booked
// (blocked, empty slots are not offered). The rates are absent when their denominator is zero.
struct AppointmentFigures {
  ReportGroup group;
  std::int64_t booked = 0;
  std::int64_t completed = 0;
  std::int64_t cancelled = 0;
  std::int64_t no_show = 0;
  std::int64_t offered_slots = 0;
  std::optional<double> no_show_rate;  // no_show / (completed + no_show)
  std::optional<double> utilisation;   // booked / offered_slots
};

// Money of one group in one currency, in cents: received (payments on the day they were paid),
// given back (refunds on the day they were recorded) and net = paid − refunded. Currencies are
// never added together.
struct RevenueFigures {
  ReportGroup group;
  std::string currency;
  std::int64_t paid_cents = 0;
  std::int64_t refunded_cents = 0;
  std::int64_t net_cents = 0;
};

// The admin reports (DESIGN.md §6): appointment counts and slot utilisation, and revenue, per
// local day, doctor, location or specialization. Rows are ordered by group key (and currency).
// Read-only. Thread-safe.
class ReportService {
 public:
  explicit ReportService(storage::Store& store);

  // kInvalidArgument when `to` is before `from` or the period is longer than 366 days.
  Result<std::vector<AppointmentFigures>> Appointments(const domain::RequestContext& context,
                                                       const ReportPeriod& period,
                                                       ReportGrouping grouping);
  // Only `currency` when set (an ISO 4217 code, else kInvalidArgument).
  Result<std::vector<RevenueFigures>> Revenue(const domain::RequestContext& context,
                                              const ReportPeriod& period, ReportGrouping grouping,
                                              const std::optional<std::string>& currency);

 private:
  storage::Store& store_;
};

}  // namespace clinic::service
