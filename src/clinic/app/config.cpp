#include "clinic/app/config.hpp"

#include <fmt/format.h>

#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "clinic/http/client_address.hpp"
#include "clinic/storage/mysql/mysql_connection.hpp"
#include "clinic/storage/sqlite/sqlite_connection.hpp"

#ifndef CLINIC_DEFAULT_WEB_DIR
#define CLINIC_DEFAULT_WEB_DIR "build/web"
#endif

namespace clinic::app {
namespace {

Error InvalidOption(std::string_view option, std::string_view why) {
  return Error::InvalidArgument(fmt::format("{}: {}", option, why));
}

Status Invalid(std::string_view option, std::string_view why) {
  return Fail(InvalidOption(option, why));
}

}  // namespace

void AddStorageOptions(CLI::App& cli, StorageConfig& config) {
  cli.add_option("--db", config.db_uri,
                 "relational database: sqlite:///abs/path.db, sqlite://rel.db or "
                 "mysql://user:pass@host:port/db[?socket=/path]")
      ->envname("CLINIC_DB")
      ->capture_default_str();
  cli.add_option(
         "--docs", config.docs_uri,
         "message document store: sqlite://… or mongodb://… (default: the --db SQLite file)")
      ->envname("CLINIC_DOCS");
  cli.add_option("--db-password-file", config.db_password_file,
                 "file whose first line is the MySQL password (instead of one in --db); the "
                 "environment variable CLINIC_DB_PASSWORD is the other way to give it")
      ->envname("CLINIC_DB_PASSWORD_FILE");
}

void AddServerOptions(CLI::App& cli, ServerConfig& config) {
  AddStorageOptions(cli, config.storage);
  cli.add_option("--listen", config.listen, "HOST:PORT to listen on (port 0: any free port)")
      ->envname("CLINIC_LISTEN")
      ->capture_default_str();
  cli.add_option("--metrics-listen", config.metrics_listen,
                 "HOST:PORT for /metrics on a listener of its own (for a private network); "
                 "/metrics then leaves the main listener")
      ->envname("CLINIC_METRICS_LISTEN");
  cli.add_option("--files", config.files_dir, "folder for message attachments")
      ->envname("CLINIC_FILES")
      ->capture_default_str();
  cli.add_option("--web", config.web_dir, "folder of the browser UI served at /")
      ->envname("CLINIC_WEB");
  cli.add_option("--trusted-proxies", config.trusted_proxies,
                 "comma-separated addresses or networks (10.0.0.0/8) of load balancers whose "
                 "X-Forwarded-For names the client, for throttling and the audit trail")
      ->envname("CLINIC_TRUSTED_PROXIES")
      ->delimiter(',');
  cli.add_option("--threads", config.threads, "I/O threads (0: one per core)")
      ->envname("CLINIC_THREADS");
  cli.add_option("--workers", config.workers,
                 "request worker threads and database connections (0: four per core)")
      ->envname("CLINIC_WORKERS");
  cli.add_option("--password-workers", config.password_workers,
                 "threads that hash and check passwords, apart from the request workers (0: one "
                 "per two cores)")
      ->envname("CLINIC_PASSWORD_WORKERS");
  cli.add_option("--max-body", config.max_body_bytes, "largest JSON request body in bytes")
      ->envname("CLINIC_MAX_BODY")
      ->capture_default_str();
  cli.add_option("--max-body-in-flight", config.max_body_bytes_in_flight,
                 "request body bytes held at once across all connections; a body beyond it is "
                 "answered 503 before it is read")
      ->envname("CLINIC_MAX_BODY_IN_FLIGHT")
      ->capture_default_str();
  cli.add_option("--live-poll-ms", config.live_poll_ms,
                 "with several instances: poll the document store for messages stored by the "
                 "others every N ms (0: off)")
      ->envname("CLINIC_LIVE_POLL_MS")
      ->capture_default_str();
  cli.add_option("--slot-search-cache-ms", config.slot_search_cache_ms,
                 "reuse a free-slot search's answer for up to N ms while nothing is written "
                 "through this instance (0: off)")
      ->envname("CLINIC_SLOT_SEARCH_CACHE_MS")
      ->capture_default_str();
  cli.add_option("--max-attachment", config.max_attachment_bytes,
                 "largest attachment upload in bytes")
      ->envname("CLINIC_MAX_ATTACHMENT")
      ->capture_default_str();
  cli.add_option("--upload-quota", config.upload_quota_bytes,
                 "bytes one account may upload in any 24 hours")
      ->envname("CLINIC_UPLOAD_QUOTA")
      ->capture_default_str();
  cli.add_option("--log-level", config.log_level, "trace, debug, info, warn, error or off")
      ->envname("CLINIC_LOG_LEVEL")
      ->capture_default_str();
  cli.add_flag("--insecure-fast-password-hashing", config.fast_password_hashing,
               "cheap argon2id parameters; for automated tests only, never in production")
      ->envname("CLINIC_INSECURE_FAST_PASSWORD_HASHING");
  cli.add_option("--session-idle-minutes", config.session_idle_minutes,
                 "a session ends after this long without use")
      ->envname("CLINIC_SESSION_IDLE_MINUTES")
      ->capture_default_str();
  cli.add_option("--login-failures-per-account", config.login_failures_per_account,
                 "failed logins per account per minute before 429")
      ->envname("CLINIC_LOGIN_FAILURES_PER_ACCOUNT")
      ->capture_default_str();
  cli.add_option("--login-failures-per-address", config.login_failures_per_address,
                 "failed logins per client address per minute before 429")
      ->envname("CLINIC_LOGIN_FAILURES_PER_ADDRESS")
      ->capture_default_str();
  cli.add_option("--max-connections", config.max_connections,
                 "open connections at most; at the cap idle ones make room, else 503")
      ->envname("CLINIC_MAX_CONNECTIONS")
      ->capture_default_str();
  cli.add_option("--max-connections-per-address", config.max_connections_per_address,
                 "open connections from one client address at most (not counting trusted "
                 "proxies), else 503")
      ->envname("CLINIC_MAX_CONNECTIONS_PER_ADDRESS")
      ->capture_default_str();
  cli.add_option("--registrations-per-address", config.registrations_per_address,
                 "self-registrations per client address per hour before 429")
      ->envname("CLINIC_REGISTRATIONS_PER_ADDRESS")
      ->capture_default_str();
  cli.add_flag("--secure-cookie", config.secure_cookie,
               "mark the session cookie Secure (when served over HTTPS)")
      ->envname("CLINIC_SECURE_COOKIE");
}

namespace {

// Fills config.db_password from --db-password-file or CLINIC_DB_PASSWORD.
Status ReadDatabasePassword(StorageConfig& config, bool uri_has_password) {
  std::string password;
  std::string_view source;
  if (!config.db_password_file.empty()) {
    std::ifstream file(config.db_password_file);
    if (!file) return Invalid("--db-password-file", "cannot read " + config.db_password_file);
    std::getline(file, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    if (password.empty()) return Invalid("--db-password-file", "the file's first line is empty");
    source = "--db-password-file";
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read at start-up, before any other thread runs.
  } else if (const char* from_environment = std::getenv("CLINIC_DB_PASSWORD");
             from_environment != nullptr && *from_environment != '\0') {
    password = from_environment;
    source = "CLINIC_DB_PASSWORD";
  }
  if (password.empty()) return Ok();
  if (uri_has_password) {
    return Invalid(source, "the --db URI has a password too; give it in one place only");
  }
  config.db_password = std::move(password);
  return Ok();
}

}  // namespace

Status ValidateStorageConfig(StorageConfig& config) {
  if (config.db_uri.starts_with("sqlite:")) {
    if (auto path = storage::sqlite::ParseSqliteUri(config.db_uri); !path) {
      return Invalid("--db", path.error().message);
    }
  } else if (config.db_uri.starts_with("mysql:")) {
    if (auto options = storage::mysql::ParseMysqlUri(config.db_uri); !options) {
      return Invalid("--db", options.error().message);
    } else if (options->database.empty()) {
      return Invalid("--db", "the mysql URI must name a database: mysql://user:pass@host:port/db");
    } else {
      CLINIC_TRY_STATUS(ReadDatabasePassword(config, !options->password.empty()));
    }
  } else {
    return Invalid("--db", "expected a sqlite:// or mysql:// URI");
  }
  if (config.docs_uri.empty()) {
    if (!config.db_uri.starts_with("sqlite:")) {
      return Invalid("--docs", "required when --db is not SQLite (sqlite://… or mongodb://…)");
    }
    config.docs_uri = config.db_uri;
  } else if (config.docs_uri.starts_with("sqlite:")) {
    if (auto path = storage::sqlite::ParseSqliteUri(config.docs_uri); !path) {
      return Invalid("--docs", path.error().message);
    }
  } else if (!config.docs_uri.starts_with("mongodb://") &&
             !config.docs_uri.starts_with("mongodb+srv://")) {
    return Invalid("--docs", "expected a sqlite:// or mongodb:// URI");
  }
  return Ok();
}

Result<ListenAddress> ParseListenAddress(const std::string& text, std::string_view option) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Fail(InvalidOption(option, "expected HOST:PORT, e.g. 127.0.0.1:8080"));
  }
  ListenAddress address;
  address.host = text.substr(0, colon);
  if (address.host.size() > 2 && address.host.front() == '[' && address.host.back() == ']') {
    address.host = address.host.substr(1, address.host.size() - 2);
  }
  boost::system::error_code ec;
  boost::asio::ip::make_address(address.host, ec);
  if (ec && address.host != "localhost") {
    return Fail(InvalidOption(
        option, fmt::format("'{}' is not an IP address (or localhost)", address.host)));
  }
  if (address.host == "localhost") address.host = "127.0.0.1";
  const std::string port = text.substr(colon + 1);
  unsigned value = 0;
  const auto [end, err] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (err != std::errc{} || end != port.data() + port.size() || value > 65535 || port.empty()) {
    return Fail(InvalidOption(option, fmt::format("'{}' is not a port number", port)));
  }
  address.port = static_cast<std::uint16_t>(value);
  return address;
}

Status ValidateServerConfig(ServerConfig& config) {
  CLINIC_TRY_STATUS(ValidateStorageConfig(config.storage));
  CLINIC_TRY_STATUS(ParseListenAddress(config.listen));
  if (!config.metrics_listen.empty()) {
    CLINIC_TRY_STATUS(ParseListenAddress(config.metrics_listen, "--metrics-listen"));
  }
  for (const auto& proxy : config.trusted_proxies) {
    if (auto network = http::IpNetwork::Parse(proxy); !network) {
      return Invalid("--trusted-proxies", network.error().message);
    }
  }
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  if (config.threads == 0) config.threads = cores;
  if (config.workers == 0) config.workers = 4 * cores;
  if (config.threads > 256) return Invalid("--threads", "must be between 1 and 256");
  if (config.workers > 1024) return Invalid("--workers", "must be between 1 and 1024");
  if (config.password_workers == 0) config.password_workers = std::max(1u, cores / 2);
  if (config.password_workers > 256) {
    return Invalid("--password-workers", "must be between 1 and 256");
  }
  if (config.max_body_bytes_in_flight < 1024ull * 1024 ||
      config.max_body_bytes_in_flight > 1024ull * 1024 * 1024 * 1024) {
    return Invalid("--max-body-in-flight", "must be between 1 MiB and 1 TiB");
  }
  if (config.max_body_bytes < 1024 || config.max_body_bytes > 64ull * 1024 * 1024) {
    return Invalid("--max-body", "must be between 1 KiB and 64 MiB");
  }
  if (config.live_poll_ms > 60000) return Invalid("--live-poll-ms", "must be between 0 and 60000");
  if (config.slot_search_cache_ms > 60000) {
    return Invalid("--slot-search-cache-ms", "must be between 0 and 60000");
  }
  if (config.max_attachment_bytes < 1024 || config.max_attachment_bytes > 1024ull * 1024 * 1024) {
    return Invalid("--max-attachment", "must be between 1 KiB and 1 GiB");
  }
  if (config.upload_quota_bytes < config.max_attachment_bytes ||
      config.upload_quota_bytes > 1024ull * 1024 * 1024 * 1024) {
    return Invalid("--upload-quota", "must be between --max-attachment and 1 TiB");
  }
  if (config.web_dir.empty()) config.web_dir = CLINIC_DEFAULT_WEB_DIR;
  if (config.session_idle_minutes < 1 || config.session_idle_minutes > 30 * 24 * 60) {
    return Invalid("--session-idle-minutes", "must be between 1 and 43200");
  }
  if (config.login_failures_per_account < 1 || config.login_failures_per_address < 1) {
    return Invalid("--login-failures-per-account/--login-failures-per-address",
                   "must be at least 1");
  }
  if (config.max_connections < 1 || config.max_connections_per_address < 1) {
    return Invalid("--max-connections/--max-connections-per-address", "must be at least 1");
  }
  if (config.registrations_per_address < 1) {
    return Invalid("--registrations-per-address", "must be at least 1");
  }
  if (config.files_dir.empty()) return Invalid("--files", "must name a folder");
  static constexpr std::array kLevels{"trace", "debug", "info", "warn", "error", "off"};
  if (std::find(kLevels.begin(), kLevels.end(), config.log_level) == kLevels.end()) {
    return Invalid("--log-level", "must be trace, debug, info, warn, error or off");
  }
  return Ok();
}

}  // namespace clinic::app
