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

int RepairMessages(storage::DocumentStores& documents, const Console& console) {
  // What was repaired of one kind of document ("messages", "upload records"); whether all could be.
  const auto report = [&](const storage::RepairReport& repair, std::string_view kind,
                          std::string_view one) {
    for (const auto& id : repair.unrepairable) {
      console.out << fmt::format("{} {} cannot be read or repaired\n", one, id);
    }
    console.out << fmt::format("{} {} checked, {} repaired, {} unrepairable\n", repair.scanned,
                               kind, repair.repaired, repair.unrepairable.size());
    return repair.unrepairable.empty();
  };
  auto messages = documents.messages->RepairUnreadable();
  if (!messages) return ReportError(messages.error(), console);
  const bool all_messages = report(*messages, "messages", "message");
  auto records = documents.attachments->RepairUnreadable();
  if (!records) return ReportError(records.error(), console);
  const bool all_records = report(*records, "upload records", "upload record");
  return all_messages && all_records ? kExitDone : kExitFailed;
}

}  // namespace clinic::cli
