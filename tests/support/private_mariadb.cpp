#include "support/private_mariadb.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>
#include <vector>

#include "support/run_command.hpp"

extern char** environ;

namespace clinic::testing {
namespace {

namespace fs = std::filesystem;

// InnoDB's crash recovery on two busy cores under the sanitizers has taken several seconds.
constexpr std::chrono::seconds kStartupTimeout{60};

sockaddr_in Loopback(std::uint16_t port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

bool Accepts(std::uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address = Loopback(port);
  const bool connected = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  // NOLINTEND(cppcoreguidelines-pro-type-reinterpret-cast)
  close(fd);
  return connected;
}

std::string LastLines(const fs::path& file, std::size_t count) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::ostringstream text;
  for (std::size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) {
    text << lines[i] << "\n";
  }
  return text.str();
}

}  // namespace

std::optional<std::uint16_t> FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return std::nullopt;
  sockaddr_in address = Loopback(0);
  socklen_t length = sizeof(address);
  std::optional<std::uint16_t> port;
  // NOLINTBEGIN(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API takes sockaddr*.
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

std::optional<fs::path> FindProgram(const std::string& name) {
  // Tests never change their environment, so reading it cannot race with a setenv().
  const char* path = std::getenv("PATH");  // NOLINT(concurrency-mt-unsafe)
  std::string folders = path == nullptr ? "" : path;
  folders += ":/usr/local/sbin:/usr/sbin:/sbin";
  std::istringstream list(folders);
  for (std::string folder; std::getline(list, folder, ':');) {
    if (folder.empty()) continue;
    const fs::path candidate = fs::path(folder) / name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

PrivateMariadb::PrivateMariadb(fs::path mariadbd, fs::path directory, std::uint16_t port)
    : mariadbd_(std::move(mariadbd)), directory_(std::move(directory)), port_(port) {}

tl::expected<std::unique_ptr<PrivateMariadb>, PrivateMariadb::StartFailure>
PrivateMariadb::Start() {
  const auto mariadbd = FindProgram("mariadbd");
  const auto install_db = FindProgram("mariadb-install-db");
  if (!mariadbd || !install_db) {
    return tl::unexpected(StartFailure{
        false,
        "mariadbd and mariadb-install-db are not installed (apt-get install mariadb-server)"});
  }
  std::string pattern = (fs::temp_directory_path() / "clinic-mariadb-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return tl::unexpected(StartFailure{true, "cannot create a temporary directory"});
  }
  const auto port = FreePort();
  if (!port) return tl::unexpected(StartFailure{true, "no free port on 127.0.0.1"});
  std::unique_ptr<PrivateMariadb> server(new PrivateMariadb(*mariadbd, pattern, *port));
  const auto installed = RunCommand(
      install_db->string(),
      {"--no-defaults", "--user=root", "--datadir=" + (server->directory_ / "data").string(),
       "--auth-root-authentication-method=normal", "--skip-test-db"});
  if (installed.exit_code != 0) {
    return tl::unexpected(StartFailure{true, "mariadb-install-db failed: " + installed.output});
  }
  if (auto started = server->Spawn(); !started) {
    return tl::unexpected(StartFailure{true, started.error().message});
  }
  return server;
}

PrivateMariadb::~PrivateMariadb() {
  Kill();
  std::error_code ignored;
  fs::remove_all(directory_, ignored);
}

std::string PrivateMariadb::uri() const {
  return "mysql://root@127.0.0.1:" + std::to_string(port_) + "/";
}

void PrivateMariadb::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

Status PrivateMariadb::Restart() {
  Kill();
  return Spawn();
}

Status PrivateMariadb::Spawn() {
  const fs::path log = directory_ / "error.log";
  const std::vector<std::string> args{mariadbd_.string(),
                                      "--no-defaults",
                                      "--user=root",
                                      "--datadir=" + (directory_ / "data").string(),
                                      "--bind-address=127.0.0.1",
                                      "--port=" + std::to_string(port_),
                                      "--socket=" + (directory_ / "mysqld.sock").string(),
                                      "--pid-file=" + (directory_ / "mysqld.pid").string(),
                                      "--log-error=" + log.string(),
                                      "--skip-name-resolve",
                                      "--character-set-server=utf8mb4",
                                      "--collation-server=utf8mb4_unicode_520_ci",
                                      "--default-time-zone=+00:00",
                                      "--max-connections=500"};
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  const std::string output = (directory_ / "mariadbd.out").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  const int spawned =
      posix_spawn(&pid_, mariadbd_.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    pid_ = -1;
    return Fail(
        Error::Unavailable("cannot start mariadbd: " + std::system_category().message(spawned)));
  }
  const auto deadline = std::chrono::steady_clock::now() + kStartupTimeout;
  while (!Accepts(port_)) {
    int status = 0;
    const bool exited = waitpid(pid_, &status, WNOHANG) == pid_;
    if (exited || std::chrono::steady_clock::now() > deadline) {
      if (exited) pid_ = -1;
      Kill();
      return Fail(
          Error::Unavailable("mariadbd did not start; its log ends:\n" + LastLines(log, 30)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Ok();
}

}  // namespace clinic::testing
