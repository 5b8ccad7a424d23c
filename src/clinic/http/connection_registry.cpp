#include "clinic/http/connection_registry.hpp"

#include <vector>

namespace clinic::http::detail {

ConnectionRegistry::ConnectionRegistry(std::size_t max_connections,
                                       std::size_t max_connections_per_address)
    : max_connections_(max_connections),
      max_connections_per_address_(max_connections_per_address) {}

Admission ConnectionRegistry::Admit(const std::string& address) {
  std::vector<std::shared_ptr<Connection>> held;  // released after the lock: may end connections
  std::shared_ptr<Connection> idle;
  {
    std::lock_guard lock(mutex_);
    if (!address.empty()) {
      const auto found = open_per_address_.find(address);
      if (found != open_per_address_.end() && found->second >= max_connections_per_address_) {
        refused_.fetch_add(1, std::memory_order_relaxed);
        return Admission::kAddressFull;
      }
    }
    if (open_ >= max_connections_) {
      for (const auto& [key, weak] : live_) {
        auto connection = weak.lock();
        if (!connection) continue;
        const bool waiting = connection->Idle();
        held.push_back(std::move(connection));
        if (waiting) {
          idle = held.back();
          break;
        }
      }
      if (!idle) {
        refused_.fetch_add(1, std::memory_order_relaxed);
        return Admission::kServerFull;
      }
    }
    ++open_;
    if (!address.empty()) ++open_per_address_[address];
  }
  if (idle) {
    shed_.fetch_add(1, std::memory_order_relaxed);
    idle->CloseIfIdle();
  }
  return Admission::kAdmitted;
}

void ConnectionRegistry::Release(const std::string& address) {
  std::lock_guard lock(mutex_);
  --open_;
  if (address.empty()) return;
  const auto found = open_per_address_.find(address);
  if (found != open_per_address_.end() && --found->second == 0) open_per_address_.erase(found);
}

void ConnectionRegistry::Register(const Connection* connection, std::weak_ptr<Connection> handle) {
  std::lock_guard lock(mutex_);
  live_.emplace(connection, std::move(handle));
}

void ConnectionRegistry::Unregister(const Connection* connection) {
  std::lock_guard lock(mutex_);
  live_.erase(connection);
  live_changed_.notify_all();
}

void ConnectionRegistry::NotifyStopping() {
  // Outside the lock: dropping the last reference to a connection unregisters it, which locks.
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, weak] : live_) {
      if (auto connection = weak.lock()) live.push_back(std::move(connection));
    }
  }
  for (const auto& connection : live) connection->OnServerStopping();
}

std::size_t ConnectionRegistry::WaitUntilClosed(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  live_changed_.wait_until(lock, deadline, [this] { return live_.empty(); });
  return live_.size();
}

std::size_t ConnectionRegistry::open() const {
  std::lock_guard lock(mutex_);
  return open_;
}

}  // namespace clinic::http::detail
