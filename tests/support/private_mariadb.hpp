#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "clinic/common/result.hpp"

namespace clinic::testing {

// The full path of program `name` on PATH or in the sbin folders a Debian package installs
// servers into (often not on a user's PATH); nullopt when it is not installed.
std::optional<std::filesystem::path> FindProgram(const std::string& name);

// A port of 127.0.0.1 nothing listens on right now, chosen by the kernel; nullopt when no socket
// could be had.
std::optional<std::uint16_t> FreePort();

// A MariaDB server of a test's own: mariadbd in a fresh temporary datadir, on a free loopback
// port, with the character set, collation and time zone of the shared test server. For tests that
// kill the database server and start it again, which the shared server other tests use must never
// be. The server is killed and its datadir removed with this object.
class PrivateMariadb {
 public:
  // Why a server cannot be had: `installed` is false when mariadbd or mariadb-install-db is
  // missing (a test skips), true when they are there but the server did not start (a test fails).
  struct StartFailure {
    bool installed = false;
    std::string reason;
  };

  static tl::expected<std::unique_ptr<PrivateMariadb>, StartFailure> Start();

  ~PrivateMariadb();
  PrivateMariadb(const PrivateMariadb&) = delete;
  PrivateMariadb& operator=(const PrivateMariadb&) = delete;

  // mysql://root@127.0.0.1:PORT/, for MakeMysqlTestDatabase.
  std::string uri() const;

  // Kills the server as a crash would (SIGKILL) and waits until it is gone.
  void Kill();
  // Starts the server again on the same datadir and port and waits until it accepts connections
  // (after InnoDB's crash recovery); kUnavailable, with the end of its log, when it does not.
  Status Restart();

 private:
  PrivateMariadb(std::filesystem::path mariadbd, std::filesystem::path directory,
                 std::uint16_t port);
  Status Spawn();

  std::filesystem::path mariadbd_;
  std::filesystem::path directory_;
  std::uint16_t port_;
  pid_t pid_ = -1;
};

}  // namespace clinic::testing
