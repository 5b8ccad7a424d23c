#include "support/captured_log.hpp"

#include <spdlog/spdlog.h>

namespace clinic::testing {

std::vector<std::string> CapturingSink::WaitForLines(std::size_t count) {
  std::unique_lock lock(lines_mutex_);
  lines_changed_.wait_for(lock, std::chrono::seconds(10), [&] { return lines_.size() >= count; });
  return lines_;
}

std::vector<std::string> CapturingSink::Lines() {
  const std::lock_guard lock(lines_mutex_);
  return lines_;
}

void CapturingSink::sink_it_(const spdlog::details::log_msg& message) {
  const std::lock_guard lock(lines_mutex_);
  lines_.emplace_back(message.payload.data(), message.payload.size());
  lines_changed_.notify_all();
}

CapturedLog::CapturedLog(std::shared_ptr<spdlog::sinks::sink> sink)
    : previous_(spdlog::default_logger()) {
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("captured", std::move(sink)));
}

CapturedLog::~CapturedLog() { spdlog::set_default_logger(previous_); }

}  // namespace clinic::testing
