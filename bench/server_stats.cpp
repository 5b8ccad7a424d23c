#include "server_stats.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

namespace clinic::bench {

ProcessSample SampleProcess(pid_t pid) {
  ProcessSample sample;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    std::istringstream fields(line);
    std::string key;
    std::uint64_t kib = 0;
    fields >> key >> kib;
    if (key == "VmRSS:") sample.rss_kib = kib;
    if (key == "VmHWM:") sample.peak_rss_kib = kib;
  }
  // /proc/<pid>/stat: utime and stime are fields 14 and 15, after the parenthesised name.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close != std::string::npos) {
    std::istringstream rest(text.substr(close + 2));
    std::string field;
    std::uint64_t utime = 0;
    std::uint64_t stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
    }
    sample.cpu_seconds =
        static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  return sample;
}

RssWatcher::RssWatcher(pid_t pid) : pid_(pid) {
  thread_ = std::thread([this] {
    while (!stop_) {
      const auto rss = SampleProcess(pid_).rss_kib;
      std::uint64_t seen = peak_kib_;
      while (rss > seen && !peak_kib_.compare_exchange_weak(seen, rss)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
}

RssWatcher::~RssWatcher() {
  stop_ = true;
  thread_.join();
}

}  // namespace clinic::bench
