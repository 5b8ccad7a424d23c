#include "clinic/service/scheduling_service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "clinic/common/time.hpp"
#include "clinic/domain/policy.hpp"
#include "clinic/domain/time_zone.hpp"
#include "clinic/domain/validator.hpp"
#include "clinic/service/audit_trail.hpp"
#include "clinic/service/record_update.hpp"
#include "clinic/service/start_cursor.hpp"

namespace clinic::service {
namespace {

using storage::InTransaction;
using storage::Transaction;
using storage::TxMode;

constexpr std::int64_t kMinSlotMinutes = 15;
constexpr std::int64_t kMaxSlotMinutes = 120;
constexpr std::int64_t kMaxHorizonDays = 365;

// "HH:MM" as minutes after midnight; "24:00" only where `allow_midnight_end`.
std::optional<std::chrono::minutes> ParseLocalTime(std::string_view text, bool allow_midnight_end) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  int hours = 0;
  int minutes = 0;
  const auto parse = [](std::string_view digits, int& out) {
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    return error == std::errc{} && end == digits.data() + digits.size();
  };
  if (!parse(text.substr(0, 2), hours) || !parse(text.substr(3, 2), minutes)) return std::nullopt;
  if (minutes > 59) return std::nullopt;
  if (hours == 24 && minutes == 0 && allow_midnight_end) return std::chrono::hours(24);
  if (hours > 23) return std::nullopt;
  return std::chrono::hours(hours) + std::chrono::minutes(minutes);
}

Result<domain::WorkingHours> CheckWorkingHours(Id doctor_id, const WorkingHoursInput& input) {
  domain::Validator check;
  if (input.slot_minutes < kMinSlotMinutes || input.slot_minutes > kMaxSlotMinutes) {
    check.Add("slot_minutes",
              fmt::format("must be between {} and {}", kMinSlotMinutes, kMaxSlotMinutes));
  }
  if (input.horizon_days < 1 || input.horizon_days > kMaxHorizonDays) {
    check.Add("horizon_days", fmt::format("must be between 1 and {}", kMaxHorizonDays));
  }
  domain::WorkingHours hours{.doctor_id = doctor_id,
                             .location_id = input.location_id,
                             .slot_minutes = static_cast<int>(input.slot_minutes),
                             .horizon_days = static_cast<int>(input.horizon_days)};
  for (std::size_t i = 0; i < input.weekly.size(); ++i) {
    const auto& item = input.weekly[i];
    const std::string path = fmt::format("weekly[{}]", i);
    if (item.weekday < 1 || item.weekday > 7) {
      check.Add(path + ".weekday", "must be between 1 (Monday) and 7 (Sunday)");
    }
    const auto start = ParseLocalTime(item.start, /*allow_midnight_end=*/false);
    const auto end = ParseLocalTime(item.end, /*allow_midnight_end=*/true);
    if (!start) check.Add(path + ".start", "must be a local time HH:MM (00:00 to 23:59)");
    if (!end) check.Add(path + ".end", "must be a local time HH:MM (00:01 to 24:00)");
    if (start && end && *end <= *start) check.Add(path + ".end", "must be after start");
    if (start && end) {
      hours.weekly.push_back(
          {.weekday = static_cast<int>(item.weekday), .start = *start, .end = *end});
    }
  }
  if (check.ok()) {
    if (const auto overlap = domain::FindOverlappingIntervals(hours.weekly)) {
      check.Add(fmt::format("weekly[{}]", overlap->second),
                fmt::format("overlaps weekly[{}] on the same weekday", overlap->first));
    }
  }
  CLINIC_TRY_STATUS(check.Finish("the working hours are not valid"));
  return hours;
}

// A location named in the input must exist; reported on the field rather than as the foreign
// key's conflict.
Result<domain::Location> LoadLocation(Transaction& tx, Id location_id) {
  auto location = tx.locations().Get(location_id);
  if (!location && location.error().code == ErrorCode::kNotFound) {
    return Fail(Error::InvalidField("location_id", "no location has this id"));
  }
  return location;
}

// The doctor whose schedule the caller wants to change, row-locked until the transaction ends so
// that slot writers and bookings of one doctor queue; reads after it see what the previous lock
// holder committed (MySQL sessions run READ COMMITTED).
Result<domain::Doctor> LockSchedule(Transaction& tx, const domain::Principal& caller,
                                    Id doctor_id) {
  CLINIC_ASSIGN_OR_RETURN(auto doctor, tx.doctors().GetForUpdate(doctor_id));
  CLINIC_TRY_STATUS(domain::AuthorizeSchedule(caller, doctor));
  return doctor;
}

// The slot and its doctor's row, locked and authorized for a change by the caller.
Result<domain::Slot> LockSlot(Transaction& tx, const domain::Principal& caller, Id slot_id) {
  CLINIC_ASSIGN_OR_RETURN(auto slot, tx.slots().Get(slot_id));
  CLINIC_TRY_STATUS(LockSchedule(tx, caller, slot.doctor_id));
  return slot;
}

// The local calendar date of `t` in `zone`.
std::chrono::year_month_day LocalDate(const date::time_zone& zone, Instant t) {
  const auto local = domain::UtcToLocal(zone, t);
  return std::chrono::year_month_day{
      std::chrono::sys_days{date::floor<date::days>(local).time_since_epoch()}};
}

}  // namespace

SchedulingService::SchedulingService(storage::Store& store, const Clock& clock)
    : store_(store), clock_(clock) {}

Result<domain::WorkingHours> SchedulingService::GetWorkingHours(
    const domain::RequestContext& context, Id doctor_id) {
  return InTransaction(store_, TxMode::kRead, [&](Transaction& tx) -> Result<domain::WorkingHours> {
    CLINIC_ASSIGN_OR_RETURN(auto doctor, tx.doctors().Get(doctor_id));
    CLINIC_TRY_STATUS(domain::AuthorizeSchedule(context.actor, doctor));
    CLINIC_ASSIGN_OR_RETURN(auto hours, tx.working_hours().Get(doctor_id));
    if (!hours) {
      return Fail(Error::NotFound(fmt::format("doctor {} has no working hours", doctor_id)));
    }
    return std::move(*hours);
  });
}

Result<domain::WorkingHours> SchedulingService::SetWorkingHours(
    const domain::RequestContext& context, Id doctor_id, const WorkingHoursInput& input) {
  return InTransaction(
      store_, TxMode::kWrite, [&](Transaction& tx) -> Result<domain::WorkingHours> {
        CLINIC_TRY_STATUS(LockSchedule(tx, context.actor, doctor_id));
        CLINIC_ASSIGN_OR_RETURN(auto hours, CheckWorkingHours(doctor_id, input));
        CLINIC_TRY_STATUS(LoadLocation(tx, hours.location_id));
        CLINIC_TRY_STATUS(tx.working_hours().Replace(hours));
        CLINIC_TRY_STATUS(Audit(tx, clock_, context, "working_hours.replace", "doctor", doctor_id,
                                fmt::format("{} intervals", hours.weekly.size())));
        return hours;
      });
}

Result<GenerationResult> SchedulingService::GenerateSlots(const domain::RequestContext& context,
                                                          Id doctor_id,
                                                          std::chrono::year_month_day from,
                                                          std::chrono::year_month_day to) {
  if (std::chrono::sys_days{to} < std::chrono::sys_days{from}) {
    return Fail(Error::InvalidField("to", "must not be before from"));
  }
  CLINIC_ASSIGN_OR_RETURN(auto generated, GenerateInBatches(context, doctor_id, DateRange{from, to},
                                                            [&](Transaction& tx) -> Result<bool> {
                                                              CLINIC_TRY_STATUS(LockSchedule(
                                                                  tx, context.actor, doctor_id));
                                                              return true;
                                                            }));
  return generated.value_or(GenerationResult{});
}

Result<std::vector<DoctorGeneration>> SchedulingService::GenerateUpcomingSlots(
    const domain::RequestContext& context) {
  CLINIC_ASSIGN_OR_RETURN(auto doctor_ids,
                          InTransaction(store_, TxMode::kRead, [](Transaction& tx) {
                            return tx.working_hours().ListDoctorIds();
                          }));
  std::vector<DoctorGeneration> results;
  for (const Id doctor_id : doctor_ids) {
    // Doctor by doctor, batch by batch, so a large clinic never holds many locks or long ones.
    CLINIC_ASSIGN_OR_RETURN(
        auto generated,
        GenerateInBatches(context, doctor_id, std::nullopt, [&](Transaction& tx) -> Result<bool> {
          CLINIC_ASSIGN_OR_RETURN(auto doctor, tx.doctors().GetForUpdate(doctor_id));
          return !doctor.deleted_at && doctor.is_active;
        }));
    if (generated) results.push_back({.doctor_id = doctor_id, .result = *generated});
  }
  return results;
}

Result<std::optional<GenerationResult>> SchedulingService::GenerateInBatches(
    const domain::RequestContext& context, Id doctor_id, std::optional<DateRange> range,
    const std::function<Result<bool>(Transaction&)>& lock) {
  std::optional<GenerationResult> total;
  std::optional<std::chrono::year_month_day> batch_from;
  do {
    CLINIC_ASSIGN_OR_RETURN(
        auto batch, InTransaction(store_, TxMode::kWrite,
                                  [&](Transaction& tx) -> Result<std::optional<GenerationBatch>> {
                                    CLINIC_ASSIGN_OR_RETURN(const bool go_on, lock(tx));
                                    if (!go_on) return std::optional<GenerationBatch>{};
                                    CLINIC_ASSIGN_OR_RETURN(
                                        auto generated,
                                        GenerateLocked(tx, context, doctor_id, range, batch_from));
                                    return std::optional<GenerationBatch>{generated};
                                  }));
    if (!batch) break;
    if (!total) total.emplace();
    total->created += batch->result.created;
    total->skipped += batch->result.skipped;
    batch_from = batch->next;
  } while (batch_from);
  return total;
}

Result<SchedulingService::GenerationBatch> SchedulingService::GenerateLocked(
    Transaction& tx, const domain::RequestContext& context, Id doctor_id,
    std::optional<DateRange> range, std::optional<std::chrono::year_month_day> batch_from) {
  const Instant now = clock_.Now();
  CLINIC_ASSIGN_OR_RETURN(auto hours, tx.working_hours().Get(doctor_id));
  if (!hours) {
    return Fail(Error::FailedPrecondition(
        fmt::format("doctor {} has no working hours to generate slots from", doctor_id)));
  }
  CLINIC_ASSIGN_OR_RETURN(auto location, tx.locations().Get(hours->location_id));
  const auto* zone = domain::FindTimeZone(location.timezone);
  if (zone == nullptr) {
    return Fail(Error::FailedPrecondition(
        fmt::format("location {} has an unknown time zone", location.id)));
  }
  const auto today = LocalDate(*zone, now);
  const std::chrono::year_month_day last_day{std::chrono::sys_days{today} +
                                             std::chrono::days(hours->horizon_days)};
  const auto [from, to] = range.value_or(std::pair{today, last_day});
  // Slots never start in the past, so earlier days would only cost time inside the doctor's lock.
  // Checked before the first batch: a later one may start on a day that has just ended.
  if (!batch_from && std::chrono::sys_days{from} < std::chrono::sys_days{today}) {
    return Fail(Error::InvalidField(
        "from", fmt::format("must not be before today ({}) in the location's time zone",
                            FormatDate(today))));
  }
  if (std::chrono::sys_days{to} > std::chrono::sys_days{last_day}) {
    return Fail(
        Error::InvalidField("to", fmt::format("is beyond the booking horizon of {} days ({})",
                                              hours->horizon_days, FormatDate(last_day))));
  }
  const std::chrono::sys_days first{batch_from.value_or(from)};
  const std::chrono::sys_days last =
      std::min(first + std::chrono::days(kGenerationBatchDays - 1), std::chrono::sys_days{to});
  GenerationBatch batch;
  if (last < first) return batch;  // the horizon shrank between batches: nothing is left
  if (last < std::chrono::sys_days{to}) batch.next = last + std::chrono::days(1);
  const auto plan =
      domain::GenerateSlots(hours->weekly, *zone, std::chrono::minutes(hours->slot_minutes),
                            std::chrono::year_month_day{first}, std::chrono::year_month_day{last});
  GenerationResult& result = batch.result;
  result.skipped = plan.skipped;
  for (const auto& period : plan.slots) {
    if (period.start < now) {
      ++result.skipped;
      continue;
    }
    CLINIC_ASSIGN_OR_RETURN(const bool taken,
                            tx.slots().Overlaps(doctor_id, period.start, period.end));
    if (taken) {
      ++result.skipped;
      continue;
    }
    CLINIC_TRY_STATUS(tx.slots().Create({.doctor_id = doctor_id,
                                         .location_id = location.id,
                                         .start_time_utc = period.start,
                                         .end_time_utc = period.end}));
    ++result.created;
  }
  CLINIC_TRY_STATUS(Audit(
      tx, clock_, context, "slot.generate", "doctor", doctor_id,
      fmt::format("{} to {}: {} created, {} skipped",
                  FormatDate(std::chrono::year_month_day{first}),
                  FormatDate(std::chrono::year_month_day{last}), result.created, result.skipped)));
  return batch;
}

Result<Created<domain::Slot>> SchedulingService::CreateSlot(const domain::RequestContext& context,
                                                            Id doctor_id, const NewSlot& slot) {
  domain::Validator check;
  if (slot.end_time_utc <= slot.start_time_utc) check.Add("end_time_utc", "must be after start");
  if (slot.start_time_utc < clock_.Now()) check.Add("start_time_utc", "must not be in the past");
  return CreateOnce(
      store_, clock_, context, "slot.create",
      [&](Transaction& tx) -> Result<Id> {
        CLINIC_TRY_STATUS(LockSchedule(tx, context.actor, doctor_id));
        CLINIC_TRY_STATUS(check.Finish("the slot is not valid"));
        if (slot.location_id) CLINIC_TRY_STATUS(LoadLocation(tx, *slot.location_id));
        CLINIC_ASSIGN_OR_RETURN(
            const bool taken,
            tx.slots().Overlaps(doctor_id, slot.start_time_utc, slot.end_time_utc));
        if (taken) {
          return Fail(Error::AlreadyExists(
              fmt::format("doctor {} already has a slot overlapping this time", doctor_id)));
        }
        CLINIC_ASSIGN_OR_RETURN(auto created,
                                tx.slots().Create({.doctor_id = doctor_id,
                                                   .location_id = slot.location_id,
                                                   .start_time_utc = slot.start_time_utc,
                                                   .end_time_utc = slot.end_time_utc}));
        CLINIC_TRY_STATUS(Audit(tx, clock_, context, "slot.create", "slot", created.id));
        return created.id;
      },
      [](Transaction& tx, Id id) { return tx.slots().Get(id); });
}

Result<domain::Slot> SchedulingService::SetSlotAvailable(const domain::RequestContext& context,
                                                         Id slot_id, bool is_available) {
  return InTransaction(store_, TxMode::kWrite, [&](Transaction& tx) -> Result<domain::Slot> {
    CLINIC_TRY_STATUS(LockSlot(tx, context.actor, slot_id));
    CLINIC_TRY_STATUS(tx.slots().SetAvailable(slot_id, is_available));
    CLINIC_TRY_STATUS(Audit(tx, clock_, context, "slot.update", "slot", slot_id,
                            is_available ? "unblocked" : "blocked"));
    return tx.slots().Get(slot_id);
  });
}

namespace {

Status CheckScheduleRange(Instant from, Instant to) {
  domain::Validator check;
  if (to <= from) {
    check.Add("to", "must be after from");
  } else if (to - from > std::chrono::days(kMaxScheduleRangeDays)) {
    check.Add("to", fmt::format("must be at most {} days after from", kMaxScheduleRangeDays));
  }
  return check.Finish("the range is not valid");
}

}  // namespace

Result<RangeChange> SchedulingService::SetRangeAvailable(const domain::RequestContext& context,
                                                         Id doctor_id, Instant from, Instant to,
                                                         bool is_available) {
  // Filled by the transaction (afresh on each attempt, since a conflict retries it).
  RangeChange change;
  CLINIC_TRY_STATUS(store_.Run(TxMode::kWrite, [&](Transaction& tx) -> Status {
    change = {};
    CLINIC_TRY_STATUS(LockSchedule(tx, context.actor, doctor_id));
    CLINIC_TRY_STATUS(CheckScheduleRange(from, to));
    CLINIC_ASSIGN_OR_RETURN(
        const auto slots,
        tx.slots().ListForDoctor(doctor_id, from, to, domain::SeesDeletedPatients(context.actor)));
    for (const auto& listing : slots) {
      if (listing.appointment_id) change.booked.push_back(*listing.appointment_id);
    }
    CLINIC_ASSIGN_OR_RETURN(const auto changed,
                            tx.slots().SetAvailableInRange(doctor_id, from, to, is_available));
    change.changed = static_cast<int>(changed);
    return Audit(tx, clock_, context, is_available ? "slot.unblock_range" : "slot.block_range",
                 "doctor", doctor_id,
                 fmt::format("{} to {}: {} changed, {} booked", FormatRfc3339(from),
                             FormatRfc3339(to), change.changed, change.booked.size()));
  }));
  return change;
}

Result<std::vector<domain::DoctorSlotListing>> SchedulingService::ListDoctorSlots(
    const domain::RequestContext& context, Id doctor_id, Instant from, Instant to) {
  return InTransaction(store_, TxMode::kRead,
                       [&](Transaction& tx) -> Result<std::vector<domain::DoctorSlotListing>> {
                         CLINIC_ASSIGN_OR_RETURN(const auto doctor, tx.doctors().Get(doctor_id));
                         CLINIC_TRY_STATUS(domain::AuthorizeSchedule(context.actor, doctor));
                         CLINIC_TRY_STATUS(CheckScheduleRange(from, to));
                         return tx.slots().ListForDoctor(
                             doctor_id, from, to, domain::SeesDeletedPatients(context.actor));
                       });
}

Status SchedulingService::DeleteSlot(const domain::RequestContext& context, Id slot_id) {
  return store_.Run(TxMode::kWrite, [&](Transaction& tx) -> Status {
    CLINIC_TRY_STATUS(LockSlot(tx, context.actor, slot_id));
    auto deleted = tx.slots().Delete(slot_id);
    if (!deleted && deleted.error().code == ErrorCode::kFailedPrecondition) {
      return Fail(Error::FailedPrecondition(fmt::format(
          "slot {} has appointments and cannot be deleted; block it instead", slot_id)));
    }
    CLINIC_TRY_STATUS(std::move(deleted));
    return Audit(tx, clock_, context, "slot.delete", "slot", slot_id);
  });
}

std::string SlotQueryKey(const SlotQuery& query) {
  const auto text = [](const std::optional<std::string>& value) {
    return value ? fmt::format("{}:{}", value->size(), *value) : std::string("-");
  };
  const auto number = [](const std::optional<Id>& value) {
    return value ? std::to_string(*value) : std::string("-");
  };
  const auto instant = [](const std::optional<Instant>& value) {
    return value ? std::to_string(value->time_since_epoch().count()) : std::string("-");
  };
  return fmt::format("{}|{}|{}|{}|{}|{}|{}", number(query.doctor_id), number(query.location_id),
                     instant(query.from), instant(query.to), query.limit,
                     text(query.specialization), text(query.cursor));
}

Result<SlotSearchPage> SchedulingService::SearchSlots(const SlotQuery& query) {
  domain::Validator check;
  auto specialization =
      check.OptionalText("specialization", query.specialization, kSpecializationMaxChars);
  CLINIC_TRY_STATUS(check.Finish("the search is not valid"));
  storage::SlotSearch search{.doctor_id = query.doctor_id,
                             .specialization = std::move(specialization),
                             .location_id = query.location_id,
                             .not_before = clock_.Now(),
                             .from = query.from,
                             .to = query.to,
                             .limit = query.limit < 1 ? 1 : query.limit};
  if (query.cursor) {
    CLINIC_ASSIGN_OR_RETURN(search.after, DecodeStartCursor(*query.cursor));
  }
  CLINIC_ASSIGN_OR_RETURN(
      auto listings, InTransaction(store_, TxMode::kSingleRead,
                                   [&](Transaction& tx) { return tx.slots().Search(search); }));
  return MakeStartOrderedPage(std::move(listings), search.limit, [](const auto& listing) {
    return std::pair{listing.slot.start_time_utc, listing.slot.id};
  });
}

}  // namespace clinic::service
