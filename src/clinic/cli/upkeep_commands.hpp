#pragma once

#include "clinic/cli/console.hpp"
#include "clinic/common/clock.hpp"
#include "clinic/storage/attachment_store.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::cli {

// The commands an operator runs on a database in use, by hand or on a timer. Each returns
// clinicctl's exit code (console.hpp); a failure is reported on console.err.

// `clinicctl generate-slots`: SchedulingService::GenerateUpcomingSlots, then one line per doctor
// (slots created and skipped) and the total.
int GenerateSlots(storage::Store& store, const Clock& clock, const Console& console);

// `clinicctl prune`: service::PruneExpiredRecords, then how many rows of each kind went.
int Prune(storage::Store& store, const Clock& clock, const Console& console);

// `clinicctl audit verify`: service::VerifyAuditChain. kExitFailed, with the first broken row and
// what is wrong there, when the trail was altered; otherwise how many rows in how many chains.
int VerifyAudit(storage::Store& store, const Console& console);

// `clinicctl repair-messages`: MessageStore::RepairUnreadable and AttachmentStore's, then each
// message or upload record that could not be repaired and the counts of each. kExitFailed when
// there is such a message or record.
int RepairMessages(storage::DocumentStores& documents, const Console& console);

}  // namespace clinic::cli
