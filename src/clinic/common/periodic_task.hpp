#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace clinic {

// Runs `task` on a thread of its own every `period` (the first time one period after start) until
// destroyed; the destructor waits for a run in progress. For background work no request waits
// for: pruning expired rows, health probes, polling for other instances' messages. An owner
// declares it after everything `task` uses, so it stops first.
class PeriodicTask {
 public:
  PeriodicTask(std::chrono::milliseconds period, std::function<void()> task)
      : period_(period), task_(std::move(task)), thread_([this] { Run(); }) {}

  ~PeriodicTask() {
    {
      const std::scoped_lock lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  // Runs the task as soon as the thread is free instead of at the end of the period (wakes
  // arriving during a run make one more run).
  void Wake() {
    {
      const std::scoped_lock lock(mutex_);
      woken_ = true;
    }
    wake_.notify_all();
  }

 private:
  void Run() {
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait_for(lock, period_, [this] { return stopping_ || woken_; });
      if (stopping_) return;
      woken_ = false;
      lock.unlock();
      task_();
      lock.lock();
    }
  }

  std::chrono::milliseconds period_;
  std::function<void()> task_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;  // last: starts once everything it reads is initialised
};

}  // namespace clinic
