#include "testkit/clinicd_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string_view>
#include <system_error>

namespace clinic::test_support {
namespace {

constexpr std::string_view kListeningMarker = "listening on http://";

std::string ErrnoText(int error) {
  return std::error_code(error, std::generic_category()).message();
}

// The child's environment: the test's own, with `overrides` replacing or adding variables.
std::vector<std::string> ChildEnvironment(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view variable(*entry);
    std::string_view name = variable.substr(0, variable.find('='));
    bool overridden = false;
    for (const auto& [key, value] : overrides) overridden = overridden || key == name;
    if (!overridden) environment.emplace_back(variable);
  }
  for (const auto& [key, value] : overrides) {
    std::string variable = key;
    variable += '=';
    variable += value;
    environment.push_back(std::move(variable));
  }
  return environment;
}

std::vector<char*> NullTerminated(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (auto& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

// The port of the first complete line containing "listening on http://HOST:PORT".
std::optional<std::uint16_t> FindPort(std::string_view output) {
  auto marker = output.find(kListeningMarker);
  if (marker == std::string_view::npos) return std::nullopt;
  std::string_view rest = output.substr(marker + kListeningMarker.size());
  auto line_end = rest.find('\n');
  if (line_end == std::string_view::npos) return std::nullopt;
  std::string_view authority = rest.substr(0, std::min(line_end, rest.find_first_of("/ \r\t")));
  auto colon = authority.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view digits = authority.substr(colon + 1);
  std::uint16_t port = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (error != std::errc() || end != digits.data() + digits.size() || port == 0) {
    return std::nullopt;
  }
  return port;
}

}  // namespace

Result<std::unique_ptr<ClinicdProcess>> ClinicdProcess::Start(Options options) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0)
    return Fail(Error::Unavailable("pipe2: " + ErrnoText(errno)));

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  // The child starts with default signal handling and nothing blocked, whatever the test runner
  // did to its own.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t no_signals;
  sigemptyset(&no_signals);
  sigset_t default_signals;
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGTERM);
  sigaddset(&default_signals, SIGINT);
  sigaddset(&default_signals, SIGPIPE);
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  posix_spawnattr_setsigdefault(&attributes, &default_signals);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> argv_strings{options.binary};
  argv_strings.insert(argv_strings.end(), options.args.begin(), options.args.end());
  std::vector<std::string> env_strings = ChildEnvironment(options.env);
  std::vector<char*> argv = NullTerminated(argv_strings);
  std::vector<char*> envp = NullTerminated(env_strings);

  pid_t pid = 0;
  int spawn_error =
      posix_spawn(&pid, options.binary.c_str(), &actions, &attributes, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(pipe_fds[1]);
  if (spawn_error != 0) {
    close(pipe_fds[0]);
    return Fail(
        Error::Unavailable("cannot start " + options.binary + ": " + ErrnoText(spawn_error)));
  }

  std::unique_ptr<ClinicdProcess> process(new ClinicdProcess(pid, pipe_fds[0]));
  auto port = process->WaitForPort(std::chrono::steady_clock::now() + options.startup_timeout);
  if (!port) {
    std::string output = process->Output();
    process.reset();
    return Fail(Error::Unavailable(
        options.binary + " did not report \"listening on http://HOST:PORT\"; its output:\n" +
        output));
  }
  process->port_ = *port;
  return process;
}

ClinicdProcess::ClinicdProcess(pid_t pid, int output_fd)
    : pid_(pid), output_fd_(output_fd), reader_([this] { ReadOutput(); }) {}

ClinicdProcess::~ClinicdProcess() {
  if (!exit_code_) {
    kill(pid_, SIGKILL);
    Reap(std::chrono::steady_clock::time_point::max());
  }
  reader_.join();
  close(output_fd_);
}

void ClinicdProcess::ReadOutput() {
  char chunk[4096];
  while (true) {
    ssize_t n = read(output_fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    std::lock_guard lock(mutex_);
    if (n <= 0) {
      output_closed_ = true;
      output_changed_.notify_all();
      return;
    }
    output_.append(chunk, static_cast<std::size_t>(n));
    output_changed_.notify_all();
  }
}

std::optional<std::uint16_t> ClinicdProcess::WaitForPort(
    std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  std::optional<std::uint16_t> port;
  output_changed_.wait_until(lock, deadline, [&] {
    port = FindPort(output_);
    return port.has_value() || output_closed_;
  });
  return port;
}

bool ClinicdProcess::Reap(std::chrono::steady_clock::time_point deadline) {
  while (true) {
    int status = 0;
    pid_t reaped = waitpid(pid_, &status, WNOHANG);
    if (reaped == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return true;
    }
    if (reaped < 0 && errno != EINTR) {
      exit_code_ = -1;
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

int ClinicdProcess::Terminate(std::chrono::milliseconds timeout) {
  if (exit_code_) return *exit_code_;
  kill(pid_, SIGTERM);
  if (!Reap(std::chrono::steady_clock::now() + timeout)) {
    kill(pid_, SIGKILL);
    Reap(std::chrono::steady_clock::time_point::max());
  }
  return *exit_code_;
}

std::string ClinicdProcess::Output() const {
  std::lock_guard lock(mutex_);
  return output_;
}

}  // namespace clinic::test_support
