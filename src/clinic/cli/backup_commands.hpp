#pragma once

#include <string>

#include "clinic/cli/console.hpp"
#include "clinic/common/clock.hpp"
#include "clinic/service/backup_service.hpp"

namespace clinic::cli {

// The commands that copy a whole Clinic out to a folder and back. Each returns clinicctl's exit
// code (console.hpp); a failure is reported on console.err, in one line.

// `clinicctl backup DIR`: service::TakeBackup, then one line on what the backup holds.
int Backup(const std::string& directory, const service::OpenBackupStores& open, const Clock& clock,
           const Console& console);

// `clinicctl restore DIR`: service::RestoreBackup, then one line on what was restored.
int Restore(const std::string& directory, const service::OpenBackupStores& open,
            const Console& console);

}  // namespace clinic::cli
