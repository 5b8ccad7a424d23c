#include "clinic/domain/time_zone.hpp"

#include <stdexcept>
#include <string>

namespace clinic::domain {

const date::time_zone* FindTimeZone(std::string_view name) {
  if (name.empty() || name.size() > 64) return nullptr;
  try {
    return date::locate_zone(std::string(name));
  } catch (const std::runtime_error&) {
    return nullptr;  // the library reports an unknown name by throwing
  }
}

std::optional<Instant> LocalToUtc(const date::time_zone& zone, date::local_seconds local) {
  const auto info = zone.get_info(local);
  switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous:  // the first occurrence: the earlier, pre-change offset
      return Instant{local.time_since_epoch() - info.first.offset};
    default:
      return std::nullopt;
  }
}

date::local_seconds UtcToLocal(const date::time_zone& zone, Instant t) { return zone.to_local(t); }

}  // namespace clinic::domain
