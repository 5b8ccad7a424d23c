#include "clinic/storage/sql/connection_pool.hpp"

namespace clinic::storage::sql {

ConnectionLease& ConnectionLease::operator=(ConnectionLease&& other) noexcept {
  if (this != &other) {
    Return();
    pool_ = other.pool_;
    connection_ = std::move(other.connection_);
  }
  return *this;
}

ConnectionLease::~ConnectionLease() { Return(); }

void ConnectionLease::Return() {
  if (connection_ && pool_ != nullptr) pool_->Release(std::move(connection_));
}

ConnectionPool::ConnectionPool(std::unique_ptr<ConnectionFactory> factory, std::size_t max_size,
                               std::chrono::milliseconds wait_timeout)
    : factory_(std::move(factory)),
      dialect_(factory_->dialect()),
      max_size_(max_size == 0 ? 1 : max_size),
      wait_timeout_(wait_timeout) {}

Result<ConnectionLease> ConnectionPool::Acquire() {
  std::unique_lock lock(mutex_);
  const bool got_slot = available_.wait_for(
      lock, wait_timeout_, [this] { return !idle_.empty() || open_count_ < max_size_; });
  if (!got_slot) return Fail(Error::Unavailable("no database connection became free in time"));
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    return ConnectionLease(this, std::move(connection));
  }
  ++open_count_;
  lock.unlock();
  auto opened = factory_->Open();  // slow (network); done without holding the lock
  if (!opened) {
    lock.lock();
    --open_count_;
    available_.notify_one();
    return Fail(std::move(opened).error());
  }
  return ConnectionLease(this, std::move(*opened));
}

void ConnectionPool::Release(std::unique_ptr<Connection> connection) {
  std::unique_ptr<Connection> broken;  // closed after the lock is released
  {
    std::lock_guard lock(mutex_);
    if (connection->IsHealthy()) {
      idle_.push_back(std::move(connection));
    } else {
      broken = std::move(connection);
      --open_count_;
    }
  }
  available_.notify_one();
}

}  // namespace clinic::storage::sql
