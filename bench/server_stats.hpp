#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

namespace clinic::bench {

// What the kernel says of a process: resident memory (VmRSS, VmHWM) and CPU time.
struct ProcessSample {
  std::uint64_t rss_kib = 0;
  std::uint64_t peak_rss_kib = 0;  // VmHWM: the highest RSS since the process started
  double cpu_seconds = 0;          // user + system
};
ProcessSample SampleProcess(pid_t pid);

// Samples a process every 20 ms while alive, keeping the highest RSS seen: the peak during one
// workload (VmHWM only ever grows, so it cannot tell workloads apart).
class RssWatcher {
 public:
  explicit RssWatcher(pid_t pid);
  ~RssWatcher();
  RssWatcher(const RssWatcher&) = delete;
  RssWatcher& operator=(const RssWatcher&) = delete;
  std::uint64_t peak_kib() const { return peak_kib_; }

 private:
  pid_t pid_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> peak_kib_{0};
  std::thread thread_;
};

}  // namespace clinic::bench
