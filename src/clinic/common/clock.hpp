#pragma once

#include <atomic>
#include <chrono>

namespace clinic {

using Instant = std::chrono::sys_seconds;

// The source of "now". Rules that depend on time take a Clock so tests can fix it.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant Now() const = 0;
};

// Wall-clock UTC time, truncated to whole seconds like the database columns.
class SystemClock final : public Clock {
 public:
  Instant Now() const override {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  }
};

// A clock that stays where a test puts it. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Instant start) : now_(start.time_since_epoch().count()) {}
  Instant Now() const override { return Instant(std::chrono::seconds(now_.load())); }
  void Set(Instant t) { now_.store(t.time_since_epoch().count()); }
  void Advance(std::chrono::seconds d) { now_.fetch_add(d.count()); }

 private:
  std::atomic<std::chrono::seconds::rep> now_;
};

}  // namespace clinic
