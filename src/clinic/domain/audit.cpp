#include "clinic/domain/audit.hpp"

#include <fmt/format.h>

#include "clinic/common/crypto.hpp"
#include "clinic/common/time.hpp"

namespace clinic::domain {
namespace {

// Separate names, not overloads: a std::string converts equally well to string_view and to
// optional<string>, so overloads would be ambiguous.
void AppendField(std::string& out, std::string_view field) {
  out += fmt::format("{}:{};", field.size(), field);
}

void AppendOptional(std::string& out, const std::optional<std::string>& field) {
  if (field) {
    AppendField(out, *field);
  } else {
    out += "-;";
  }
}

void AppendOptional(std::string& out, std::optional<Id> field) {
  AppendOptional(out, field ? std::optional<std::string>(std::to_string(*field)) : std::nullopt);
}

}  // namespace

std::string AuditChainHash(const AuditEntry& entry, const std::string& prev_hash) {
  std::string text;
  AppendField(text, prev_hash);
  AppendField(text, FormatRfc3339(entry.occurred_at));
  AppendField(text, Name(entry.actor_role));
  AppendOptional(text, entry.actor_id);
  AppendField(text, entry.action);
  AppendField(text, entry.entity);
  AppendOptional(text, entry.entity_id);
  AppendOptional(text, entry.client_addr);
  AppendOptional(text, entry.request_id);
  AppendOptional(text, entry.details);
  // Added later: rows from before (and rows without one) hash as they always did.
  if (entry.client_request_id) AppendField(text, *entry.client_request_id);
  return Sha256Hex(text);
}

}  // namespace clinic::domain
