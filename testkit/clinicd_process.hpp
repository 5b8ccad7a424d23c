#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "clinic/common/result.hpp"

namespace clinic::test_support {

// A server binary (clinicd) running as a child process, for end-to-end tests and the benchmark.
//
// Start() spawns it with posix_spawn, its stdout and stderr both read through one pipe, and waits
// until it prints a line containing "listening on http://HOST:PORT" (the port it bound, with
// --listen 127.0.0.1:0). Its output keeps being read and kept (Output()) so the child never
// blocks on a full pipe and a failing test can show what the server said. Terminate() sends
// SIGTERM and returns the exit code; the destructor kills a child that is still running.
class ClinicdProcess {
 public:
  struct Options {
    std::string binary = CLINICD_PATH;  // the clinicd of this build
    std::vector<std::string> args{};
    // Set in the child's environment on top of (or replacing) the test's own.
    std::vector<std::pair<std::string, std::string>> env{};
    std::chrono::milliseconds startup_timeout{std::chrono::seconds(20)};
  };

  // Unavailable (with the output so far) when the binary cannot be spawned, exits, or does not
  // report a port within the timeout.
  static Result<std::unique_ptr<ClinicdProcess>> Start(Options options);

  ~ClinicdProcess();
  ClinicdProcess(const ClinicdProcess&) = delete;
  ClinicdProcess& operator=(const ClinicdProcess&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }

  // Sends SIGTERM and waits for the exit; SIGKILL when `timeout` passes first. Returns the exit
  // status, or 128 + the signal number when a signal ended the process (143 for SIGTERM).
  int Terminate(std::chrono::milliseconds timeout = std::chrono::seconds(20));

  // Everything the process wrote so far.
  std::string Output() const;

 private:
  ClinicdProcess(pid_t pid, int output_fd);
  void ReadOutput();
  // Waits until a "listening on http://" line arrives, the output ends, or the deadline passes.
  std::optional<std::uint16_t> WaitForPort(std::chrono::steady_clock::time_point deadline);
  // Reaps the child when it has exited, waiting at most until `deadline`.
  bool Reap(std::chrono::steady_clock::time_point deadline);

  pid_t pid_;
  int output_fd_;
  std::uint16_t port_ = 0;
  std::optional<int> exit_code_;
  mutable std::mutex mutex_;
  std::condition_variable output_changed_;
  std::string output_;
  bool output_closed_ = false;
  std::thread reader_;  // last: it starts in the constructor and uses the members above
};

}  // namespace clinic::test_support
