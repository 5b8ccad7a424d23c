// clinic-bench: measures booking, search, messaging, login and the smallest GET of a real clinicd
// over HTTP, next to the ceilings of the same machine (the booking transaction without HTTP, and
// nginx serving a file of /health's size), and prints one table. --smoke runs every workload for
// a moment on small data and fails on any wrong answer or double booking (the test command runs
// it so the benchmark cannot rot).

#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "clinic/app/config.hpp"
#include "clinic/app/stores.hpp"
#include "clinic/common/crypto.hpp"
#include "clinic/common/time.hpp"
#include "clinic/service/admin_accounts.hpp"
#include "clinic/service/appointment_service.hpp"
#include "clinic/service/attachment_service.hpp"
#include "clinic/service/message_service.hpp"
#include "clinic/service/outbox.hpp"
#include "clinic/service/password_hasher.hpp"
#include "clinic/storage/mysql/mysql_connection.hpp"
#include "clinic/storage/sqlite/sqlite_connection.hpp"
#include "load.hpp"
#include "server_stats.hpp"
#include "testkit/clinicd_process.hpp"
#include "workloads.hpp"

namespace clinic::bench {
namespace {

namespace fs = std::filesystem;
using boost::beast::http::verb;
using boost::json::array;
using boost::json::object;

constexpr const char* kPassword = "bench-password-1";
constexpr std::array<std::string_view, 5> kSpecializations{
    "Cardiology", "Dermatology", "General Medicine", "Neurology", "Pediatrics"};

constexpr std::array<const char*, 7> kWorkloads{"health",   "search", "book",       "race",
                                                "messages", "login",  "login-flood"};

struct Options {
  std::string backend = "sqlite";  // or "mysql", or "galera"
  // The MariaDB server; for "galera", each node's, comma-separated (one clinicd per node).
  std::string mysql = "mysql://root@127.0.0.1:3306/";
  std::string docs;  // empty: a SQLite file
  int connections = 64;
  double seconds = 10;
  int doctors = 50;
  int days = 60;
  int patients = 10000;
  int raw_threads = 8;
  std::string nginx = "/usr/sbin/nginx";
  bool smoke = false;
  int latency_target_ms = 5;  // search's p99 target
  std::set<std::string> workloads{kWorkloads.begin(), kWorkloads.end()};

  bool Runs(const std::string& workload) const { return workloads.contains(workload); }
};

// One line of the report.
struct Row {
  std::string workload;
  std::string backend;
  LoadResult result;
  std::string ratio;
  std::uint64_t rss_kib = 0;
  double cpu_seconds = 0;
  std::string note;
};

// Preparation and set-up failures end the run (main reports them).
[[noreturn]] void Die(const std::string& what) { throw std::runtime_error(what); }

template <typename T>
T Must(Result<T> result, std::string_view what) {
  if (!result) Die(fmt::format("{}: {}", what, result.error().message));
  return std::move(*result);
}

boost::json::value ParseJson(const std::string& body) {
  boost::system::error_code error;
  auto json = boost::json::parse(body, error);
  return error ? boost::json::value() : json;
}

// Every answer must have `status`; returns the bodies parsed.
std::vector<boost::json::value> Expect(std::vector<Answer> answers, unsigned status,
                                       std::string_view what) {
  std::vector<boost::json::value> parsed;
  parsed.reserve(answers.size());
  for (auto& answer : answers) {
    if (answer.status != status) {
      Die(fmt::format("{}: HTTP {} {}", what, answer.status, answer.body.substr(0, 300)));
    }
    parsed.push_back(ParseJson(answer.body));
  }
  return parsed;
}

Request Post(std::string target, const object& body, std::string token = "") {
  return {.method = verb::post,
          .target = std::move(target),
          .body = boost::json::serialize(body),
          .token = std::move(token)};
}

std::unique_ptr<storage::sql::ConnectionFactory> FactoryFor(const std::string& uri) {
  if (uri.starts_with("mysql:")) {
    return storage::mysql::MakeMysqlConnectionFactory(
        Must(storage::mysql::ParseMysqlUri(uri), "the MariaDB URI"));
  }
  return storage::sqlite::MakeSqliteConnectionFactory(
      Must(storage::sqlite::ParseSqliteUri(uri), "the SQLite URI"));
}

std::string Today(int plus_days) {
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return FormatDate(std::chrono::year_month_day{today + std::chrono::days(plus_days)});
}

// Locations, doctors with working hours and generated slots, patients with sessions: all through
// the API, as a clinic would set itself up.
BenchData Prepare(std::uint16_t port, const Options& options, const std::string& db_uri) {
  BenchData data;
  data.specializations.assign(kSpecializations.begin(), kSpecializations.end());
  data.days = options.days;
  data.first_day = Today(1);
  const auto login =
      Expect(RunRequests(port, {Post("/api/v1/auth/login",
                                     object{{"username", "bench"}, {"password", kPassword}})}),
             200, "admin login");
  data.admin_token = std::string(login[0].at("token").as_string());

  std::vector<Request> locations;
  for (const auto* zone : {"Asia/Singapore", "Asia/Kolkata"}) {
    locations.push_back(Post("/api/v1/locations",
                             object{{"name", fmt::format("Clinic {}", zone)},
                                    {"address_line1", "1 Main Road"},
                                    {"city", "Bench"},
                                    {"country", "SG"},
                                    {"timezone", zone}},
                             data.admin_token));
  }
  for (const auto& location : Expect(RunRequests(port, locations), 201, "locations")) {
    data.locations.push_back(location.at("id").as_int64());
  }

  std::vector<Request> doctors;
  doctors.reserve(static_cast<std::size_t>(options.doctors));
  for (int i = 0; i < options.doctors; ++i) {
    doctors.push_back(
        Post("/api/v1/doctors",
             object{{"first_name", "Bench"},
                    {"last_name", fmt::format("Doctor {}", i)},
                    {"email", fmt::format("doctor{}@bench.example", i)},
                    {"specialization",
                     kSpecializations[static_cast<std::size_t>(i) % kSpecializations.size()]},
                    {"password", kPassword}},
             data.admin_token));
  }
  const auto created = Expect(RunRequests(port, doctors), 201, "doctors");
  std::vector<Request> hours;
  std::vector<Request> generate;
  hours.reserve(created.size());
  generate.reserve(created.size());
  for (std::size_t i = 0; i < created.size(); ++i) {
    const Id doctor = created[i].at("id").as_int64();
    array weekly;
    for (int day = 1; day <= 7; ++day) {
      weekly.push_back(object{{"weekday", day}, {"start", "09:00"}, {"end", "17:00"}});
    }
    hours.push_back({.method = verb::put,
                     .target = fmt::format("/api/v1/doctors/{}/working-hours", doctor),
                     .body = boost::json::serialize(
                         object{{"location_id", data.locations[i % data.locations.size()]},
                                {"slot_minutes", 15},
                                {"horizon_days", options.days + 2},
                                {"weekly", std::move(weekly)}}),
                     .token = data.admin_token});
    generate.push_back(Post(fmt::format("/api/v1/doctors/{}/slots/generate", doctor),
                            object{{"from", Today(1)}, {"to", Today(options.days)}},
                            data.admin_token));
  }
  Expect(RunRequests(port, hours), 200, "working hours");
  Expect(RunRequests(port, generate, 2), 200, "slot generation");

  std::vector<Request> registrations;
  registrations.reserve(static_cast<std::size_t>(options.patients));
  for (int i = 0; i < options.patients; ++i) {
    registrations.push_back(
        Post("/api/v1/auth/register", object{{"first_name", "Bench"},
                                             {"last_name", fmt::format("Patient {}", i)},
                                             {"email", fmt::format("patient{}@bench.example", i)},
                                             {"password", kPassword}}));
  }
  std::vector<Patient> patients;
  std::vector<Request> logins;
  patients.reserve(registrations.size());
  logins.reserve(registrations.size());
  for (const auto& patient : Expect(RunRequests(port, registrations), 201, "registrations")) {
    logins.push_back(Post("/api/v1/auth/login",
                          object{{"email", fmt::format("patient{}@bench.example", patients.size())},
                                 {"password", kPassword}}));
    patients.push_back({.id = patient.at("id").as_int64()});
  }
  const auto sessions = Expect(RunRequests(port, logins), 200, "patient logins");
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    patients[i].token = std::string(sessions[i].at("token").as_string());
  }
  // The racers first (one per connection), then two thirds of the rest book over HTTP.
  const auto racers = static_cast<std::size_t>(options.connections);
  if (patients.size() < racers + 2) Die("--patients must exceed --connections by 2 or more");
  data.race_patients.assign(patients.begin(), patients.begin() + static_cast<long>(racers));
  const auto book_end = racers + (patients.size() - racers) * 2 / 3;
  data.book_patients.assign(patients.begin() + static_cast<long>(racers),
                            patients.begin() + static_cast<long>(book_end));
  data.raw_patients.assign(patients.begin() + static_cast<long>(book_end), patients.end());

  // Free future slots by start time: half for booking over HTTP, a quarter each for the race and
  // for the booking transaction without HTTP.
  auto connection = Must(FactoryFor(db_uri)->Open(), "opening the database");
  const auto rows =
      Must(connection->Query(
               "SELECT id FROM doctor_time_slots WHERE start_time_utc > ? ORDER BY "
               "start_time_utc, id",
               {storage::sql::Value{FormatSqlDateTime(std::chrono::floor<std::chrono::seconds>(
                   std::chrono::system_clock::now() + std::chrono::hours(1)))}}),
           "reading the slots");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Id id = rows[i].Int(0);
    (i % 4 < 2 ? data.book_slots : i % 4 == 2 ? data.race_slots : data.raw_slots).push_back(id);
  }
  // Statistics, as after any bulk load: InnoDB refreshes them on its own only some time after
  // this many rows arrived, and until then may plan the slot search by doctor instead of by
  // location and day, reading ten times the index entries.
  if (db_uri.starts_with("mysql:")) {
    Must(connection->Query("ANALYZE TABLE doctor_time_slots, doctors, patients, sessions"),
         "analyzing the tables");
  }
  return data;
}

// "a,b,c" → {"a", "b", "c"}, without empty items.
std::vector<std::string> SplitList(const std::string& list) {
  std::vector<std::string> items;
  std::size_t begin = 0;
  while (begin <= list.size()) {
    const auto end = std::min(list.find(',', begin), list.size());
    if (end > begin) items.push_back(list.substr(begin, end - begin));
    begin = end + 1;
  }
  return items;
}

// Runs one workload against the server and notes its CPU time and peak RSS meanwhile.
// `rate` > 0 offers that many requests per second (open loop) instead of closing the loop.
// With several servers (`ports`), the connections are spread over them evenly and the CPU time and
// RSS are those of the first (`server`).
Row Measure(std::string name, std::string backend, pid_t server, std::vector<std::uint16_t> ports,
            const Options& options, Workload& workload, int connections = 0, double rate = 0) {
  const auto before = SampleProcess(server);
  RssWatcher rss(server);
  LoadResult result = RunLoad(
      {.ports = std::move(ports),
       .connections = connections > 0 ? connections : options.connections,
       .duration = std::chrono::milliseconds(static_cast<std::int64_t>(options.seconds * 1000)),
       .rate = rate},
      workload);
  const auto after = SampleProcess(server);
  return {.workload = std::move(name),
          .backend = std::move(backend),
          .result = std::move(result),
          .rss_kib = std::max(rss.peak_kib(), after.rss_kib),
          .cpu_seconds = after.cpu_seconds - before.cpu_seconds};
}

// Runs `operation(thread, i)` for i = 0, 1, 2 … on `threads` threads (numbered from 0) as fast as
// they can until the workload's time is up or `operation` says there is nothing left (nullopt);
// each call answers whether it failed (a non-empty message) or succeeded (an empty one).
LoadResult RunInProcess(
    const Options& options, int threads,
    const std::function<std::optional<std::string>(int, std::size_t)>& operation) {
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  LoadResult result;
  const auto started = std::chrono::steady_clock::now();
  const auto deadline =
      started + std::chrono::milliseconds(static_cast<std::int64_t>(options.seconds * 1000));
  std::vector<std::thread> workers;
  workers.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::vector<std::uint32_t> latencies;
      std::uint64_t errors = 0;
      std::string first_error;
      while (std::chrono::steady_clock::now() < deadline) {
        const auto begin = std::chrono::steady_clock::now();
        const auto failure = operation(t, next++);
        if (!failure) break;
        latencies.push_back(
            static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                           std::chrono::steady_clock::now() - begin)
                                           .count()));
        if (!failure->empty()) {
          ++errors;
          if (first_error.empty()) first_error = *failure;
        }
      }
      std::lock_guard lock(mutex);
      result.requests += latencies.size();
      result.errors += errors;
      if (result.first_error.empty()) result.first_error = first_error;
      result.latencies_us.insert(result.latencies_us.end(), latencies.begin(), latencies.end());
    });
  }
  for (auto& worker : workers) worker.join();
  result.elapsed = std::chrono::steady_clock::now() - started;
  return result;
}

// The booking transaction without HTTP: the same services clinicd runs (booking, its audit row
// and outbox entry; the relay posting the system message on the thread meanwhile), called by
// `raw_threads` threads as fast as they can, on the first half of the raw slots.
Row MeasureServiceBooking(const Options& options, const app::StorageConfig& storage,
                          const std::string& files_dir, const BenchData& data,
                          const std::string& backend) {
  auto store = Must(app::OpenStore(storage, static_cast<std::size_t>(options.raw_threads)),
                    "opening the database");
  auto documents = Must(
      app::OpenDocumentStores(storage, static_cast<std::size_t>(options.raw_threads), files_dir),
      "opening the document store");
  SystemClock clock;
  service::AttachmentService attachments(*store, *documents.messages, *documents.attachments,
                                         clock);
  service::MessageService messages(*store, *documents.messages, attachments, clock);
  const service::OutboxWriter outbox(clock, "clinic-bench");
  service::OutboxRelay relay(*store, messages, clock, {});
  service::AppointmentService appointments(*store, clock, &relay, &outbox);
  const std::size_t slots = data.raw_slots.size() / 2;
  auto result = RunInProcess(
      options, options.raw_threads, [&](int, std::size_t i) -> std::optional<std::string> {
        if (i >= slots || data.raw_patients.empty()) return std::nullopt;
        const auto& patient = data.raw_patients[i % data.raw_patients.size()];
        auto booked =
            appointments.Book({.actor = {.role = domain::Role::kPatient, .id = patient.id}},
                              {.slot_id = data.raw_slots[i]});
        return booked ? std::string() : booked.error().message;
      });
  return {.workload = "book, no HTTP",
          .backend = backend,
          .result = std::move(result),
          .note = fmt::format("{} threads in-process", options.raw_threads)};
}

// The ceiling a booking is judged against: the raw two-statement booking transaction on the same
// database, one connection per load connection, durable commits as the server configures them —
// INSERT of an appointment and a guarded UPDATE of its slot, on the second half of the raw slots.
Row MeasureRawTransaction(const Options& options, const std::string& db_uri, const BenchData& data,
                          const std::string& backend) {
  const auto factory = FactoryFor(db_uri);
  std::vector<std::unique_ptr<storage::sql::Connection>> connections;
  connections.reserve(static_cast<std::size_t>(options.connections));
  for (int i = 0; i < options.connections; ++i) {
    connections.push_back(Must(factory->Open(), "opening a connection"));
  }
  const std::size_t first = data.raw_slots.size() / 2;
  const std::string now =
      FormatSqlDateTime(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  auto result = RunInProcess(
      options, options.connections, [&](int thread, std::size_t i) -> std::optional<std::string> {
        if (first + i >= data.raw_slots.size() || data.raw_patients.empty()) return std::nullopt;
        auto& connection = connections[static_cast<std::size_t>(thread)];
        const storage::sql::Value slot{data.raw_slots[first + i]};
        const storage::sql::Value patient{data.raw_patients[i % data.raw_patients.size()].id};
        auto booked = [&]() -> Status {
          CLINIC_TRY_STATUS(connection->Begin(storage::TxMode::kWrite));
          CLINIC_TRY_STATUS(connection->Execute(
              "INSERT INTO appointments (slot_id, doctor_id, patient_id, location_id, status) "
              "SELECT id, doctor_id, ?, location_id, 'scheduled' FROM doctor_time_slots "
              "WHERE id = ?",
              {patient, slot}));
          CLINIC_ASSIGN_OR_RETURN(auto guarded,
                                  connection->Execute("UPDATE doctor_time_slots SET updated_at = ? "
                                                      "WHERE id = ? AND is_available = 1",
                                                      {storage::sql::Value{now}, slot}));
          if (guarded.affected_rows != 1) return Fail(Error::Internal("the slot is not free"));
          return connection->Commit();
        }();
        if (booked) return std::string();
        (void)connection->Rollback();
        return booked.error().message;
      });
  return {.workload = "booking transaction, raw SQL (ceiling)",
          .backend = backend,
          .result = std::move(result),
          .note = fmt::format("INSERT + guarded UPDATE, {} connections", options.connections)};
}

std::uint16_t FreePort() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

// nginx serving a static file as large as /health's answer: the HTTP ceiling of this machine.
std::optional<Row> MeasureNginx(const Options& options, const fs::path& directory,
                                std::size_t body_bytes) {
  if (!fs::exists(options.nginx)) return std::nullopt;
  const fs::path root = directory / "nginx";
  fs::create_directories(root / "www");
  std::ofstream(root / "www" / "health.json") << std::string(body_bytes, 'x');
  const std::uint16_t port = FreePort();
  std::ofstream(root / "nginx.conf") << fmt::format(
      "daemon off;\nworker_processes 2;\npid {0}/nginx.pid;\nerror_log {0}/error.log;\n"
      "events {{ worker_connections 4096; }}\n"
      "http {{ access_log off; keepalive_requests 1000000; client_body_temp_path {0}; "
      "proxy_temp_path {0}; fastcgi_temp_path {0}; uwsgi_temp_path {0}; scgi_temp_path {0};\n"
      "  server {{ listen 127.0.0.1:{1}; root {0}/www; }} }}\n",
      root.string(), port);
  const std::string conf = (root / "nginx.conf").string();
  const std::string prefix = root.string() + "/";
  std::vector<char*> argv{const_cast<char*>(options.nginx.c_str()), const_cast<char*>("-c"),
                          const_cast<char*>(conf.c_str()),          const_cast<char*>("-p"),
                          const_cast<char*>(prefix.c_str()),        nullptr};
  pid_t pid = 0;
  if (posix_spawn(&pid, options.nginx.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
    return std::nullopt;
  }
  // Ready once it answers.
  GetWorkload probe("/health.json");
  for (int i = 0; i < 100; ++i) {
    if (RunLoad({.ports = {port}, .connections = 1, .duration = std::chrono::milliseconds(1)},
                probe)
            .statuses[200] > 0) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  GetWorkload workload("/health.json");
  auto row = Measure("static file (nginx, ceiling)", "nginx", pid, {port}, options, workload);
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  return row;
}

std::string Millis(double micros) { return fmt::format("{:.2f}", micros / 1000.0); }

void PrintTable(const std::vector<Row>& rows) {
  fmt::print(
      "\n| workload | backend | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | "
      "errors | ratio to ceiling | server RSS MB | server CPU s | notes |\n");
  fmt::print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|\n");
  for (const auto& row : rows) {
    const auto p = PercentilesOf(row.result.latencies_us);
    fmt::print(
        "| {} | {} | {} | {:.0f} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", row.workload,
        row.backend, row.result.requests, row.result.throughput(), Millis(p.p50), Millis(p.p95),
        Millis(p.p99), Millis(p.max), row.result.errors, row.ratio.empty() ? "–" : row.ratio,
        row.rss_kib > 0 ? fmt::format("{:.1f}", static_cast<double>(row.rss_kib) / 1024.0) : "–",
        row.cpu_seconds > 0 ? fmt::format("{:.1f}", row.cpu_seconds) : "–", row.note);
  }
}

// "0.75× raw": the row's throughput as a share of its ceiling's, named `ceiling_name`.
std::string Ratio(const Row& row, const Row& ceiling, std::string_view ceiling_name) {
  if (ceiling.result.throughput() <= 0) return "";
  return fmt::format("{:.2f}× {}", row.result.throughput() / ceiling.result.throughput(),
                     ceiling_name);
}

// Slots holding more than one active appointment: must be none, whatever the load.
std::int64_t DoubleBookings(const std::string& db_uri) {
  auto connection = Must(FactoryFor(db_uri)->Open(), "opening the database");
  const auto rows = Must(
      connection->Query("SELECT COUNT(*) FROM (SELECT slot_id FROM appointments WHERE status = "
                        "'scheduled' GROUP BY slot_id HAVING COUNT(*) > 1) doubled"),
      "counting double bookings");
  return rows.front().Int(0);
}

// Transactions the instances on `ports` have run again so far (clinic_db_retries_total of their
// /metrics, every reason): what their writers lost to each other, on a cluster across nodes.
std::uint64_t TransactionsRunAgain(const std::vector<std::uint16_t>& ports) {
  constexpr std::string_view kCounter = "clinic_db_retries_total{";
  std::uint64_t total = 0;
  for (const auto port : ports) {
    const auto metrics = RunRequests(port, {Request{.target = "/metrics"}}).front();
    if (metrics.status != 200) Die(fmt::format("/metrics: HTTP {}", metrics.status));
    std::istringstream lines(metrics.body);
    for (std::string line; std::getline(lines, line);) {
      if (!line.starts_with(kCounter)) continue;
      total += std::stoull(line.substr(line.rfind(' ') + 1));
    }
  }
  return total;
}

// Measures `measure()` and notes on its row how many transactions the instances ran again
// meanwhile.
Row WithTransactionsRunAgain(const std::vector<std::uint16_t>& ports,
                             const std::function<Row()>& measure) {
  const auto before = TransactionsRunAgain(ports);
  Row row = measure();
  const auto again = TransactionsRunAgain(ports) - before;
  row.note += fmt::format("{}{} transactions run again", row.note.empty() ? "" : "; ", again);
  return row;
}

int Run(const Options& options) {
  const fs::path directory = fs::temp_directory_path() / ("clinic-bench-" + RandomToken(6));
  fs::create_directories(directory);
  std::string db_uri = "sqlite://" + (directory / "clinic.db").string();
  std::string mysql_database;
  std::unique_ptr<storage::sql::Connection> mysql_admin;
  // The database's URI on each MariaDB server clinicd instances run on: one, or each Galera node.
  std::vector<std::string> node_uris;
  if (options.backend != "sqlite") {
    const auto servers = SplitList(options.mysql);
    if (options.backend == "galera" && servers.size() < 2) {
      Die("--backend galera needs every node's URI in --mysql, comma-separated");
    }
    if (options.backend == "mysql" && servers.size() != 1) Die("--mysql names one server");
    auto server = Must(storage::mysql::ParseMysqlUri(servers.front()), "--mysql");
    server.database.clear();
    mysql_admin = Must(storage::mysql::MakeMysqlConnectionFactory(server)->Open(), "MariaDB");
    mysql_database = "clinic_bench_" + Sha256Hex(RandomToken(8)).substr(0, 12);
    if (auto created =
            mysql_admin->ExecuteScript("CREATE DATABASE " + mysql_database +
                                       " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci");
        !created) {
      Die("cannot create the benchmark database: " + created.error().message);
    }
    for (auto uri : servers) {
      if (!uri.ends_with('/')) uri += '/';
      node_uris.push_back(uri + mysql_database);
    }
    db_uri = node_uris.front();
  }
  std::string docs_uri =
      options.docs.empty() ? "sqlite://" + (directory / "docs.db").string() : options.docs;
  // A MongoDB URI without a database gets a fresh one, so runs never read each other's threads.
  if (const auto slash = docs_uri.find("/?");
      docs_uri.starts_with("mongodb") && slash != std::string::npos) {
    docs_uri.insert(slash + 1, "clinic_bench_" + Sha256Hex(RandomToken(8)).substr(0, 12));
  }
  const std::string files_dir = (directory / "files").string();
  app::StorageConfig storage{.db_uri = db_uri, .docs_uri = docs_uri};
  const std::string backend = options.backend == "sqlite" ? "SQLite"
                              : options.backend == "mysql"
                                  ? "MariaDB"
                                  : fmt::format("Galera, {} nodes", node_uris.size());
  const std::string docs_backend = docs_uri.starts_with("mongodb") ? "MongoDB" : "SQLite";

  // The admin the preparation logs in as (cheap hash), and accounts with production-cost hashes
  // for the login workload.
  BenchData data;
  {
    auto store = Must(app::OpenStore(storage, 1), "migrating the database");
    const service::PasswordHasher fast(service::PasswordHasher::Cost::kFastForTests);
    const service::PasswordHasher production(service::PasswordHasher::Cost::kProduction);
    Must(service::CreateAdmin(*store, fast, {"bench", "bench@bench.example", kPassword}),
         "creating the admin");
    for (int i = 0; i < 4; ++i) {
      const auto username = fmt::format("login{}", i);
      Must(service::CreateAdmin(*store, production,
                                {username, username + "@bench.example", kPassword}),
           "creating login accounts");
      data.login_accounts.emplace_back(username, kPassword);
    }
  }
  const auto start_clinicd = [&](std::vector<std::string> extra_args,
                                 const std::string& database_uri) {
    std::vector<std::string> args{"--db", database_uri, "--docs", docs_uri, "--files", files_dir,
                                  "--listen", "127.0.0.1:0", "--log-level", "warn",
                                  "--insecure-fast-password-hashing", "--registrations-per-address",
                                  "1000000",
                                  // Every load connection comes from 127.0.0.1.
                                  "--max-connections-per-address", "100000"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    return Must(test_support::ClinicdProcess::Start(
                    {.args = std::move(args), .env = {{"MONGOC_DISABLE_SHM", "1"}}}),
                "starting clinicd");
  };
  auto server = start_clinicd({}, db_uri);
  const auto port = server->port();
  const pid_t pid = server->pid();
  fmt::print("clinic-bench: {} + {} documents, {} connections, {:.1f} s per workload, {} cores\n",
             backend, docs_backend, options.connections, options.seconds,
             std::thread::hardware_concurrency());
  const auto prepare_start = std::chrono::steady_clock::now();
  auto prepared = Prepare(port, options, db_uri);
  prepared.login_accounts = data.login_accounts;
  data = std::move(prepared);
  fmt::print(
      "prepared {} doctors, {} slots, {} patients with sessions in {:.1f} s\n", options.doctors,
      data.book_slots.size() + data.race_slots.size() + data.raw_slots.size(),
      data.book_patients.size() + data.raw_patients.size() + data.race_patients.size(),
      std::chrono::duration<double>(std::chrono::steady_clock::now() - prepare_start).count());

  // On a cluster, one more clinicd on each other node: the book and race workloads also run
  // across all of them, and the spread booking is judged against one instance alone.
  std::vector<std::unique_ptr<test_support::ClinicdProcess>> peers;
  std::vector<std::uint16_t> every_port{port};
  for (std::size_t node = 1; node < node_uris.size(); ++node) {
    peers.push_back(start_clinicd({}, node_uris[node]));
    every_port.push_back(peers.back()->port());
  }
  const auto instances = fmt::format("{} instances, one per node", every_port.size());

  std::vector<Row> rows;
  if (options.Runs("health")) {
    GetWorkload health("/health");
    rows.push_back(Measure("health", backend, pid, {port}, options, health));
    const auto health_body = RunRequests(port, {Request{.target = "/health"}}).front().body;
    if (auto nginx = MeasureNginx(options, directory, health_body.size())) {
      rows.back().ratio = Ratio(rows.back(), *nginx, "nginx");
      rows.push_back(std::move(*nginx));
    }
  }
  if (options.Runs("search")) {
    const auto slots = data.book_slots.size() + data.race_slots.size() + data.raw_slots.size();
    // Closed loop, the latency is mostly the queue the connections build themselves (64
    // connections / throughput). The latency target is met at some lower, steady rate: the
    // highest of a few offered rates, halving the interval each time, where p99 stays within it.
    const auto measure_search = [&](const std::string& name, pid_t server_pid,
                                    std::uint16_t server_port, const std::string& note) {
      SearchWorkload closed(data);
      rows.push_back(Measure(name, backend, server_pid, {server_port}, options, closed));
      rows.back().note = fmt::format("{} slots{}", slots, note);
      const double target_us = options.latency_target_ms * 1000;
      double low = 0;
      double high = rows.back().result.throughput();
      std::optional<Row> best;
      std::optional<Row> lowest_missed;
      for (int step = 0; step < 4; ++step) {
        const double rate = (low + high) / 2;
        SearchWorkload open(data);
        Row row = Measure(fmt::format("{}, p99 ≤ {} ms", name, options.latency_target_ms), backend,
                          server_pid, {server_port}, options, open, 0, rate);
        const bool met =
            row.result.errors == 0 && PercentilesOf(row.result.latencies_us).p99 <= target_us;
        (met ? low : high) = rate;
        (met ? best : lowest_missed) = std::move(row);
      }
      if (best) {
        best->note = fmt::format("{} slots{}, open loop: the most of 4 offered rates that met it",
                                 slots, note);
        rows.push_back(std::move(*best));
      } else {
        lowest_missed->note = fmt::format(
            "{} slots{}, open loop: missed even at the least offered rate", slots, note);
        rows.push_back(std::move(*lowest_missed));
      }
    };
    measure_search("search", pid, port, "");
    // Every search reaching the database: what a search costs when its answer is not at hand.
    auto uncached = start_clinicd({"--slot-search-cache-ms", "0"}, db_uri);
    measure_search("search, answer cache off", uncached->pid(), uncached->port(),
                   ", --slot-search-cache-ms 0");
    if (uncached->Terminate() != 0) Die("the second clinicd did not stop cleanly");
  }
  // The messages go to the threads of the appointments booked here.
  BookWorkload book(data);
  if (options.Runs("book") || options.Runs("messages")) {
    rows.push_back(WithTransactionsRunAgain(
        {port}, [&] { return Measure("book", backend, pid, {port}, options, book); }));
    auto raw = MeasureRawTransaction(options, db_uri, data, backend);
    rows.back().ratio = Ratio(rows.back(), raw, "raw");
    if (!peers.empty()) {
      const Row& one_instance = rows.back();
      Row spread = WithTransactionsRunAgain(every_port, [&] {
        Row row =
            Measure(fmt::format("book, {}", instances), backend, pid, every_port, options, book);
        row.note = "RSS and CPU of the first instance";
        return row;
      });
      spread.ratio = Ratio(spread, one_instance, "one instance");
      rows.push_back(std::move(spread));
    }
    auto service = MeasureServiceBooking(options, storage, files_dir, data, backend);
    service.ratio = Ratio(service, raw, "raw");
    rows.push_back(std::move(service));
    rows.push_back(std::move(raw));
  }
  std::int64_t doubled = 0;
  if (options.Runs("race")) {
    RaceWorkload race(data, options.connections);
    rows.push_back(WithTransactionsRunAgain(every_port, [&] {
      Row row = Measure(peers.empty() ? "race" : fmt::format("race, {}", instances), backend, pid,
                        every_port, options, race);
      doubled = DoubleBookings(db_uri);
      row.note = fmt::format("{} booked, {} conflicts, {} double bookings", race.successes(),
                             race.conflicts(), doubled);
      return row;
    }));
  }
  if (options.Runs("messages")) {
    MessageWorkload messages(data, book.booked());
    rows.push_back(Measure("messages", docs_backend, pid, {port}, options, messages));
    rows.back().note = "post + list, hot and cold threads";
  }
  if (options.Runs("login")) {
    LoginWorkload login(data);
    rows.push_back(
        Measure("login", backend, pid, {port}, options, login, std::min(options.connections, 8)));
    const auto busy = rows.back().result.statuses[429];
    rows.back().note =
        fmt::format("argon2id 19 MiB, t=2; {} answered 429 (password workers full)", busy);
  }
  if (options.Runs("login-flood")) {
    // Searches while 32 more connections log in as fast as they can: logins run on the password
    // workers, so the request workers stay free, and the search latency shows whether they do.
    LoginWorkload flood(data);
    LoadResult flooded;
    std::thread flooder([&] {
      flooded = RunLoad({.ports = {port},
                         .connections = 32,
                         .duration = std::chrono::milliseconds(
                             static_cast<std::int64_t>(options.seconds * 1000))},
                        flood);
    });
    SearchWorkload search(data);
    rows.push_back(Measure("search during a login flood", backend, pid, {port}, options, search));
    flooder.join();
    rows.back().note =
        fmt::format("32 connections logging in meanwhile: {} logins, {} answered 429, {} errors",
                    flooded.requests, flooded.statuses[429], flooded.errors);
    rows.back().result.errors += flooded.errors;
  }

  PrintTable(rows);
  const auto final_stats = SampleProcess(pid);
  fmt::print("\nclinicd peak RSS over the whole run (VmHWM): {:.1f} MB\n",
             static_cast<double>(final_stats.peak_rss_kib) / 1024.0);

  int failures = 0;
  for (const auto& row : rows) {
    if (row.result.errors > 0 || row.result.requests == 0) {
      ++failures;
      fmt::print(stderr, "clinic-bench: {}: {} errors in {} requests; first: {}\n", row.workload,
                 row.result.errors, row.result.requests, row.result.first_error);
    }
  }
  if (doubled != 0) {
    ++failures;
    fmt::print(stderr, "clinic-bench: {} slots are double-booked\n", doubled);
  }
  const auto stop = [&](test_support::ClinicdProcess& instance) {
    if (instance.Terminate() == 0) return;
    ++failures;
    fmt::print(stderr, "clinic-bench: clinicd did not stop cleanly:\n{}\n", instance.Output());
  };
  stop(*server);
  for (auto& peer : peers) stop(*peer);
  if (mysql_admin) (void)mysql_admin->ExecuteScript("DROP DATABASE IF EXISTS " + mysql_database);
  fs::remove_all(directory);
  return failures == 0 ? 0 : 1;
}

}  // namespace
}  // namespace clinic::bench

int main(int argc, char** argv) {
  clinic::InitCrypto();
  CLI::App cli{"clinic-bench: load tests of clinicd against this machine's ceilings"};
  clinic::bench::Options options;
  cli.add_option("--backend", options.backend,
                 "sqlite, mysql, or galera (book and race also across one clinicd per node)")
      ->check(CLI::IsMember({"sqlite", "mysql", "galera"}))
      ->capture_default_str();
  cli.add_option("--mysql", options.mysql,
                 "MariaDB server URI (a database is created and dropped); for galera every "
                 "node's, comma-separated")
      ->capture_default_str();
  cli.add_option("--docs", options.docs, "document store URI (default: a SQLite file)");
  cli.add_option("--connections", options.connections, "concurrent connections")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cli.add_option("--seconds", options.seconds, "duration of each workload")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  cli.add_option("--doctors", options.doctors)->check(CLI::Range(1, 1000))->capture_default_str();
  cli.add_option("--days", options.days, "days of slots")
      ->check(CLI::Range(1, 300))
      ->capture_default_str();
  cli.add_option("--patients", options.patients)
      ->check(CLI::Range(10, 1000000))
      ->capture_default_str();
  cli.add_option("--raw-threads", options.raw_threads, "threads of the no-HTTP booking ceiling")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cli.add_option("--nginx", options.nginx, "nginx binary for the HTTP ceiling (skipped if absent)")
      ->capture_default_str();
  cli.add_option("--latency-target-ms", options.latency_target_ms,
                 "search's p99 target: the highest offered rate that meets it is reported")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cli.add_option("--workloads", options.workloads,
                 "the workloads to run (messages also runs book, whose appointments it writes to)")
      ->delimiter(',')
      ->check(CLI::IsMember(std::vector<std::string>(clinic::bench::kWorkloads.begin(),
                                                     clinic::bench::kWorkloads.end())))
      ->capture_default_str();
  cli.add_flag("--smoke", options.smoke,
               "a moment per workload on small data; fails on any wrong answer (for the tests)");
  CLI11_PARSE(cli, argc, argv);
  if (options.smoke) {
    options.doctors = 4;
    options.days = 3;
    options.patients = 150;
    options.connections = 16;
    options.seconds = 1;
    options.raw_threads = 4;
  }
  try {
    return clinic::bench::Run(options);
  } catch (const std::exception& e) {
    std::cerr << "clinic-bench: " << e.what() << "\n";
    return 1;
  }
}
