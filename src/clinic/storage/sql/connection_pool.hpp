#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "clinic/storage/sql/connection.hpp"

namespace clinic::storage::sql {

class ConnectionPool;

// A connection borrowed from a pool; it goes back when the lease is destroyed (or is dropped,
// if it broke while borrowed).
class ConnectionLease {
 public:
  ConnectionLease(ConnectionPool* pool, std::unique_ptr<Connection> connection)
      : pool_(pool), connection_(std::move(connection)) {}
  ConnectionLease(ConnectionLease&& other) noexcept = default;
  ConnectionLease& operator=(ConnectionLease&& other) noexcept;
  ConnectionLease(const ConnectionLease&) = delete;
  ConnectionLease& operator=(const ConnectionLease&) = delete;
  ~ConnectionLease();

  Connection& operator*() const { return *connection_; }
  Connection* operator->() const { return connection_.get(); }

 private:
  void Return();

  ConnectionPool* pool_;
  std::unique_ptr<Connection> connection_;
};

// A bounded set of connections shared by the worker threads. Connections are opened lazily up to
// `max_size`; a caller that finds none free waits up to `wait_timeout`, then gets kUnavailable,
// so a stuck database turns into fast 503s instead of a growing queue. Thread-safe.
class ConnectionPool {
 public:
  ConnectionPool(std::unique_ptr<ConnectionFactory> factory, std::size_t max_size,
                 std::chrono::milliseconds wait_timeout = std::chrono::seconds(5));
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  Dialect dialect() const { return dialect_; }
  std::size_t max_size() const { return max_size_; }

  Result<ConnectionLease> Acquire();

 private:
  friend class ConnectionLease;
  void Release(std::unique_ptr<Connection> connection);

  std::unique_ptr<ConnectionFactory> factory_;
  const Dialect dialect_;
  const std::size_t max_size_;
  const std::chrono::milliseconds wait_timeout_;

  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_count_ = 0;  // idle + borrowed + being opened
};

}  // namespace clinic::storage::sql
