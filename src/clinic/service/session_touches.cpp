#include "clinic/service/session_touches.hpp"

#include <spdlog/spdlog.h>

#include <utility>

namespace clinic::service {

SessionTouches::SessionTouches(storage::Store& store, std::chrono::milliseconds period)
    : store_(store) {
  flusher_.emplace(period, [this] {
    if (auto flushed = Flush(); !flushed) {
      spdlog::warn("sessions: storing when they were last used failed: {}",
                   flushed.error().message);
    }
  });
}

SessionTouches::~SessionTouches() {
  flusher_.reset();
  if (auto flushed = Flush(); !flushed) {
    spdlog::warn("sessions: storing when they were last used failed at shutdown: {}",
                 flushed.error().message);
  }
}

void SessionTouches::Note(Id id, Instant last_seen_at, Instant expires_at) {
  const std::scoped_lock lock(mutex_);
  auto [it, added] = pending_.try_emplace(id, Use{last_seen_at, expires_at});
  if (!added && it->second.last_seen_at < last_seen_at) it->second = {last_seen_at, expires_at};
}

Status SessionTouches::Flush() {
  std::unordered_map<Id, Use> uses;
  {
    const std::scoped_lock lock(mutex_);
    uses.swap(pending_);
  }
  if (uses.empty()) return Ok();
  auto stored = store_.Run(storage::TxMode::kWrite, [&](storage::Transaction& tx) -> Status {
    for (const auto& [id, use] : uses) {
      auto touched = tx.sessions().Touch(id, use.last_seen_at, use.expires_at);
      if (!touched && touched.error().code != ErrorCode::kNotFound) return touched;
    }
    return Ok();
  });
  if (!stored) {
    const std::scoped_lock lock(mutex_);
    for (auto& [id, use] : uses) pending_.try_emplace(id, use);
  }
  return stored;
}

}  // namespace clinic::service
