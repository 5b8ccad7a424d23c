#include "clinic/cli/backup_commands.hpp"

#include <fmt/format.h>

namespace clinic::cli {
namespace {

std::string Describe(const service::BackupSummary& summary, std::string_view from_or_into) {
  return fmt::format(
      "schema version {}, {} tables ({} rows) {} {}, {} collections ({} documents) {} {}, {} "
      "attachments ({} bytes)",
      summary.schema_version, summary.tables, summary.rows, from_or_into,
      summary.relational_backend, summary.collections, summary.documents, from_or_into,
      summary.documents_backend, summary.attachments, summary.attachment_bytes);
}

}  // namespace

int Backup(const std::string& directory, const service::OpenBackupStores& open, const Clock& clock,
           const Console& console) {
  auto summary = service::TakeBackup(directory, open, clock);
  if (!summary) return ReportError(summary.error(), console);
  console.out << fmt::format("backup written to {}: {}\n", directory, Describe(*summary, "from"));
  return kExitDone;
}

int Restore(const std::string& directory, const service::OpenBackupStores& open,
            const Console& console) {
  auto summary = service::RestoreBackup(directory, open);
  if (!summary) return ReportError(summary.error(), console);
  console.out << fmt::format("restored {}: {}\n", directory, Describe(*summary, "into"));
  return kExitDone;
}

}  // namespace clinic::cli
