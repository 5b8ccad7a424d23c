#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "clinic/common/result.hpp"
#include "clinic/service/attachment_service.hpp"

namespace clinic::app {

// Where the data lives. Both binaries take these as --db / --docs or CLINIC_DB / CLINIC_DOCS.
struct StorageConfig {
  std::string db_uri = "sqlite://clinic.db";  // sqlite://… or mysql://…
  std::string docs_uri;                       // sqlite://… or mongodb://…; empty: the --db file
  // The MySQL password kept out of the command line (where every user of the machine can read it
  // in the process list): read from --db-password-file, else CLINIC_DB_PASSWORD. Empty: the
  // URI's own, if any.
  std::string db_password_file;
  std::string db_password;
};

// Everything clinicd is told at start-up.
struct ServerConfig {
  StorageConfig storage;
  std::string listen = "127.0.0.1:8080";
  // Where /metrics is served instead of on `listen`; empty: on `listen`.
  std::string metrics_listen;
  std::string files_dir = "clinic-files";
  std::string web_dir;   // the built browser UI; default: the source tree's build/web
  unsigned threads = 0;  // I/O threads; 0: one per core
  unsigned workers = 0;  // request workers (and database connections); 0: 4 per core
  // Threads for the routes that hash or check a password, apart from the request workers;
  // 0: one per two cores.
  unsigned password_workers = 0;
  // Load balancers whose X-Forwarded-For is believed (CIDR networks or addresses).
  std::vector<std::string> trusted_proxies;
  std::uint64_t max_body_bytes = std::uint64_t{1024} * 1024;
  std::uint64_t max_attachment_bytes = std::uint64_t{10} * 1024 * 1024;
  // Request body bytes held at once across all connections; a body beyond it is answered 503.
  std::uint64_t max_body_bytes_in_flight = std::uint64_t{256} * 1024 * 1024;
  std::uint64_t upload_quota_bytes = service::kDefaultUploadQuotaBytes;  // per account, 24 hours
  std::string log_level = "info";
  bool fast_password_hashing = false;  // tests only: cheap argon2id parameters
  unsigned session_idle_minutes = 12 * 60;
  int login_failures_per_account = 10;  // per minute, then 429
  int login_failures_per_address = 100;
  int registrations_per_address = 20;  // per hour, then 429
  std::size_t max_connections = 4096;
  std::size_t max_connections_per_address = 128;
  bool secure_cookie = false;
  // With several instances: how often each looks for messages the others stored, to deliver them
  // live; 0: never (one instance).
  unsigned live_poll_ms = 0;
  // How long a free-slot search's answer may be reused while nothing was written through this
  // instance; 0: never.
  unsigned slot_search_cache_ms = 5000;
};

// Registers --db and --docs (each also read from its environment variable).
void AddStorageOptions(CLI::App& cli, StorageConfig& config);
void AddServerOptions(CLI::App& cli, ServerConfig& config);

// Checks the values CLI11 cannot: URI schemes, the listen address, ranges. The message names the
// option and what is wrong, for the one line clinicd prints before exiting with code 2.
Status ValidateStorageConfig(StorageConfig& config);
Status ValidateServerConfig(ServerConfig& config);

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};
Result<ListenAddress> ParseListenAddress(const std::string& text,
                                         std::string_view option = "--listen");

}  // namespace clinic::app
