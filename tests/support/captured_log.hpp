#pragma once

// What code under test logs through spdlog, kept for the test to read.

#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace clinic::testing {

// Keeps each logged line's message (without time or level) so tests can read them.
class CapturingSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  // Waits until at least `count` lines were logged (or 10 s passed) and returns them all.
  std::vector<std::string> WaitForLines(std::size_t count);
  // The lines logged so far.
  std::vector<std::string> Lines();

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override;
  void flush_() override {}

 private:
  std::mutex lines_mutex_;
  std::condition_variable lines_changed_;
  std::vector<std::string> lines_;
};

// Sends what is logged through spdlog's default logger to a sink while it lives. Destroy it only
// once nothing under test logs any more (a server has stopped).
class CapturedLog {
 public:
  explicit CapturedLog(std::shared_ptr<spdlog::sinks::sink> sink);
  ~CapturedLog();
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

 private:
  std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace clinic::testing
