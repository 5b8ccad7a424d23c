#pragma once

// Internal to the HTTP server (server.cpp and the connection types it serves).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace clinic::http::detail {

// An open connection, as the server's shutdown and its connection caps see it. Implementations
// are thread-safe: any thread may call these.
class Connection {
 public:
  virtual ~Connection() = default;
  // The server is shutting down: finish what is in flight, then close.
  virtual void OnServerStopping() = 0;
  // Whether it waits for a request that has not started: what may be closed to make room.
  virtual bool Idle() const { return false; }
  // Closes it if it still waits for a request that has not started.
  virtual void CloseIfIdle() {}
};

// Whether the server takes a new connection (ConnectionRegistry::Admit).
enum class Admission { kAdmitted, kServerFull, kAddressFull };

// The server's open connections: the caps on how many may be open, in all and per peer address
// (ServerOptions::max_connections and max_connections_per_address), and the live connections
// the shutdown tells to stop and waits for. Thread-safe.
//
// Admission and liveness are counted apart: a place is taken when a connection is accepted and
// given back when its last holder ends (ConnectionSlot), while a connection is live from Register
// to Unregister, and a WebSocket upgrade registers a second connection in the same place.
class ConnectionRegistry {
 public:
  ConnectionRegistry(std::size_t max_connections, std::size_t max_connections_per_address);
  ConnectionRegistry(const ConnectionRegistry&) = delete;
  ConnectionRegistry& operator=(const ConnectionRegistry&) = delete;

  // Takes a place for a new connection from `address` ("" when it is not counted per address),
  // closing an idle connection to make room at the total cap. A connection that gets no place is
  // counted as refused.
  Admission Admit(const std::string& address);
  // Gives back a place Admit took.
  void Release(const std::string& address);

  void Register(const Connection* connection, std::weak_ptr<Connection> handle);
  void Unregister(const Connection* connection);

  // Tells every live connection that the server is stopping.
  void NotifyStopping();
  // Waits until no connection is live or `deadline` has passed; how many still are.
  std::size_t WaitUntilClosed(std::chrono::steady_clock::time_point deadline);

  // For the metrics: places taken now, connections refused a place, idle ones closed for room.
  std::size_t open() const;
  std::uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }
  std::uint64_t shed() const { return shed_.load(std::memory_order_relaxed); }

 private:
  const std::size_t max_connections_;
  const std::size_t max_connections_per_address_;

  mutable std::mutex mutex_;
  std::condition_variable live_changed_;
  std::unordered_map<const Connection*, std::weak_ptr<Connection>> live_;
  std::size_t open_ = 0;
  std::unordered_map<std::string, std::size_t> open_per_address_;
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<std::uint64_t> shed_{0};
};

// An admitted connection's place under the caps: held by its HTTP session, and by the WebSocket
// session an upgrade turns it into, and given back when the last of them ends.
class ConnectionSlot {
 public:
  ConnectionSlot(std::shared_ptr<ConnectionRegistry> registry, std::string address)
      : registry_(std::move(registry)), address_(std::move(address)) {}
  ~ConnectionSlot() { registry_->Release(address_); }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;

 private:
  std::shared_ptr<ConnectionRegistry> registry_;
  std::string address_;
};

}  // namespace clinic::http::detail
