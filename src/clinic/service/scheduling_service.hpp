#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/domain/entities.hpp"
#include "clinic/domain/principal.hpp"
#include "clinic/domain/slot_generation.hpp"
#include "clinic/service/create_once.hpp"
#include "clinic/service/start_cursor.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::service {

// One interval of working hours as the caller wrote it: local wall-clock "HH:MM" times.
struct WeeklyIntervalInput {
  std::int64_t weekday = 0;  // 1 = Monday .. 7 = Sunday
  std::string start;
  std::string end;
};

// The working hours a PUT replaces a doctor's with.
struct WorkingHoursInput {
  Id location_id = 0;
  std::int64_t slot_minutes = 0;
  std::int64_t horizon_days = 0;
  std::vector<WeeklyIntervalInput> weekly;
};

// What slot generation did: slots created, and slots the working hours describe that were not
// created (already there or overlapping an existing slot, in the past, or not existing in local
// time because of a DST change).
// Local days of slots one generation transaction creates at most.
inline constexpr int kGenerationBatchDays = 7;

struct GenerationResult {
  int created = 0;
  int skipped = 0;
};

// What generation did for one doctor.
struct DoctorGeneration {
  Id doctor_id = 0;
  GenerationResult result;
};

// A slot a doctor or an admin adds by hand.
struct NewSlot {
  std::optional<Id> location_id;
  Instant start_time_utc{};
  Instant end_time_utc{};
};

// Which free slots a search asks for (storage::SlotSearch without the paging internals).
struct SlotQuery {
  std::optional<Id> doctor_id;
  std::optional<std::string> specialization;
  std::optional<Id> location_id;
  std::optional<Instant> from;
  std::optional<Instant> to;
  int limit = 50;
  std::optional<std::string> cursor;  // a next_cursor this service issued
};

// What blocking or unblocking a range of a doctor's slots did: how many slots changed, and the
// active appointments of booked slots in the range, which are left as they are.
struct RangeChange {
  int changed = 0;
  std::vector<Id> booked;
};

// Every field of `query` in one string, strings with their length so that no two queries share
// one: what identifies a search's answer (it does not depend on who asks).
std::string SlotQueryKey(const SlotQuery& query);

// One page of search results; `next_cursor` is set when more follow.
using SlotSearchPage = StartOrderedPage<domain::SlotListing>;

// Doctors' availability: weekly working hours, slots generated from them or added by hand,
// blocking and deleting slots, and the public search for free slots. Changing a doctor's schedule
// is for that doctor and admins (domain::AuthorizeSchedule); searching is for anyone. A doctor's
// slots never overlap: every slot write locks the doctor's row first and checks for overlap in
// the same transaction. Each write is audited in its transaction ("working_hours.replace",
// "slot.generate", "slot.create", "slot.update", "slot.delete"). Thread-safe.
// The longest range a doctor's schedule is read or changed in at once.
inline constexpr int kMaxScheduleRangeDays = 366;

class SchedulingService {
 public:
  SchedulingService(storage::Store& store, const Clock& clock);

  // The doctor's working hours; kNotFound when none are set.
  Result<domain::WorkingHours> GetWorkingHours(const domain::RequestContext& context, Id doctor_id);
  // Replaces the doctor's working hours. Rules (kInvalidArgument naming each bad field): the
  // location exists, slot_minutes 15..120, horizon_days 1..365, weekday 1..7, times "HH:MM"
  // (end "24:00" allowed) with end after start, and one weekday's intervals do not overlap. An
  // empty `weekly` removes the working hours. Existing slots are left as they are.
  Result<domain::WorkingHours> SetWorkingHours(const domain::RequestContext& context, Id doctor_id,
                                               const WorkingHoursInput& input);
  // Creates the slots the working hours describe for the local dates [from, to] (inclusive) in
  // the location's time zone. `from` may not be before today and `to` at most horizon_days after
  // today (local; kInvalidArgument naming the field otherwise); slots that
  // would start in the past or overlap an existing slot of the doctor are skipped, so running it
  // twice creates nothing new. kFailedPrecondition when the doctor has no working hours.
  // Works in batches of kGenerationBatchDays days, each a transaction of its own (with its audit
  // row), so the doctor's lock is never held for a whole year of slots; a failure leaves the
  // batches before it committed, and running it again completes the range.
  Result<GenerationResult> GenerateSlots(const domain::RequestContext& context, Id doctor_id,
                                         std::chrono::year_month_day from,
                                         std::chrono::year_month_day to);
  // For the operator's tools (clinicctl generate-slots, run e.g. nightly): for every active doctor
  // with working hours, creates the slots from today (local) to the end of their booking horizon,
  // in batches per doctor as GenerateSlots does. Acts with the authority of whoever can reach the
  // database, so it checks no caller; `context` is what the audit rows record. Never exposed over
  // HTTP.
  Result<std::vector<DoctorGeneration>> GenerateUpcomingSlots(
      const domain::RequestContext& context);
  // Adds one slot: end after start, start not in the past, the location exists; a slot
  // overlapping another of the same doctor is kAlreadyExists (409). Other doctors may have slots
  // at the same time. Once per Idempotency-Key (CreateOnce).
  Result<Created<domain::Slot>> CreateSlot(const domain::RequestContext& context, Id doctor_id,
                                           const NewSlot& slot);
  // Blocks (false) or unblocks (true) a slot; a blocked slot is not offered for booking.
  Result<domain::Slot> SetSlotAvailable(const domain::RequestContext& context, Id slot_id,
                                        bool is_available);
  // Makes every slot of the doctor that starts in [from, to) unavailable (time off: a day, a
  // vacation) or available again, in one transaction audited as one "slot.block_range" or
  // "slot.unblock_range" row. Booked slots keep their appointments and are reported in `booked`.
  // `to` after `from`, at most kMaxScheduleRangeDays apart (kInvalidArgument naming the field).
  Result<RangeChange> SetRangeAvailable(const domain::RequestContext& context, Id doctor_id,
                                        Instant from, Instant to, bool is_available);
  // The doctor's own slots starting in [from, to) — free, blocked and booked — for that doctor
  // and admins; at most kMaxScheduleRangeDays apart.
  Result<std::vector<domain::DoctorSlotListing>> ListDoctorSlots(
      const domain::RequestContext& context, Id doctor_id, Instant from, Instant to);
  // Deletes a slot that was never booked; kFailedPrecondition (409) once any appointment, even a
  // cancelled one, refers to it, because appointments are history.
  Status DeleteSlot(const domain::RequestContext& context, Id slot_id);
  // Free, future, available slots of active doctors, by start time then id.
  Result<SlotSearchPage> SearchSlots(const SlotQuery& query);

 private:
  using DateRange = std::pair<std::chrono::year_month_day, std::chrono::year_month_day>;
  // One batch of generation and where the next starts (unset after the last).
  struct GenerationBatch {
    GenerationResult result;
    std::optional<std::chrono::year_month_day> next;
  };
  // One batch for a doctor whose row `tx` has locked: the local dates `range` (today to the
  // horizon when unset) are checked whole, and the slots of at most kGenerationBatchDays of them
  // from `batch_from` (the range's first day when unset) are created.
  Result<GenerationBatch> GenerateLocked(storage::Transaction& tx,
                                         const domain::RequestContext& context, Id doctor_id,
                                         std::optional<DateRange> range,
                                         std::optional<std::chrono::year_month_day> batch_from);
  // Every batch of `range`, each in a transaction of its own that first runs `lock`: it locks the
  // doctor's row and answers whether to go on (nullopt when the first batch did not).
  Result<std::optional<GenerationResult>> GenerateInBatches(
      const domain::RequestContext& context, Id doctor_id, std::optional<DateRange> range,
      const std::function<Result<bool>(storage::Transaction&)>& lock);

  storage::Store& store_;
  const Clock& clock_;
};

}  // namespace clinic::service
