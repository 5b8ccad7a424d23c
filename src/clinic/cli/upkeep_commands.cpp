#include "clinic/cli/upkeep_commands.hpp"

#include <fmt/format.h>

#include "clinic/service/audit_trail.hpp"
#include "clinic/service/maintenance.hpp"
#include "clinic/service/scheduling_service.hpp"

namespace clinic::cli {

int GenerateSlots(storage::Store& store, const Clock& clock, const Console& console) {
  service::SchedulingService scheduling(store, clock);
  auto generated = scheduling.GenerateUpcomingSlots({.request_id = "clinicctl generate-slots"});
  if (!generated) return ReportError(generated.error(), console);
  int created = 0;
  for (const auto& doctor : *generated) {
    console.out << fmt::format("doctor {}: {} created, {} skipped\n", doctor.doctor_id,
                               doctor.result.created, doctor.result.skipped);
    created += doctor.result.created;
  }
  console.out << fmt::format("{} slots created for {} doctors\n", created, generated->size());
  return kExitDone;
}

int Prune(storage::Store& store, const Clock& clock, const Console& console) {
  auto pruned = service::PruneExpiredRecords(store, clock);
  if (!pruned) return ReportError(pruned.error(), console);
  console.out << pruned->Describe() << '\n';
  return kExitDone;
}

int VerifyAudit(storage::Store& store, const Console& console) {
  auto verification = service::VerifyAuditChain(store);
  if (!verification) return ReportError(verification.error(), console);
  if (verification->first_broken_id) {
    console.out << fmt::format("audit trail broken at row {}: {}\n", *verification->first_broken_id,
                               verification->problem);
    return kExitFailed;
  }
  console.out << fmt::format("audit trail intact: {} rows in {} chains\n", verification->rows,
                             verification->chains);
  return kExitDone;
}

int RepairMessages(storage::MessageStore& messages, const Console& console) {
  auto repair = messages.RepairUnreadable();
  if (!repair) return ReportError(repair.error(), console);
  for (const auto& id : repair->unrepairable) {
    console.out << fmt::format("message {} cannot be read or repaired\n", id);
  }
  console.out << fmt::format("{} messages checked, {} repaired, {} unrepairable\n", repair->scanned,
                             repair->repaired, repair->unrepairable.size());
  return repair->unrepairable.empty() ? kExitDone : kExitFailed;
}

}  // namespace clinic::cli
