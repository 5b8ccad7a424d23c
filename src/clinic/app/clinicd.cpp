#include "clinic/app/clinicd.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <optional>

#include "clinic/app/api.hpp"
#include "clinic/app/config.hpp"
#include "clinic/app/stores.hpp"
#include "clinic/common/crypto.hpp"
#include "clinic/common/periodic_task.hpp"
#include "clinic/http/metrics.hpp"
#include "clinic/http/operations_routes.hpp"
#include "clinic/http/router.hpp"
#include "clinic/http/server.hpp"
#include "clinic/http/static_files.hpp"
#include "clinic/service/maintenance.hpp"

namespace clinic::app {
namespace {

constexpr int kCannotStart = 1;
constexpr int kBadConfiguration = 2;

int BadConfiguration(const Error& error) {
  std::cerr << "clinicd: " << error.message << "\n";
  return kBadConfiguration;
}

}  // namespace

int ClinicdMain(int argc, char** argv) {
  InitCrypto();
  CLI::App cli{"clinicd: the Clinic scheduling and records server"};
  ServerConfig config;
  AddServerOptions(cli, config);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return cli.exit(e);
    std::cerr << "clinicd: " << e.what() << "\n";
    return kBadConfiguration;
  }
  if (auto valid = ValidateServerConfig(config); !valid) return BadConfiguration(valid.error());
  const auto listen = ParseListenAddress(config.listen).value();

  // Logs go to stderr; stdout carries only the one "listening on" line that scripts wait for.
  spdlog::set_default_logger(spdlog::stderr_color_mt("clinicd"));
  spdlog::set_level(spdlog::level::from_str(config.log_level));

  auto store = OpenStore(config.storage, config.workers);
  if (!store) {
    std::cerr << "clinicd: cannot open the database: " << store.error().message << "\n";
    return kCannotStart;
  }
  // A document store that does not answer yet costs the messages only: bookings go on, and
  // /health/ready keeps the instance in the load balancer (docs/decisions.md "Operations").
  auto documents = OpenDocumentStores(config.storage, config.workers, config.files_dir,
                                      storage::mongo::ServerAtOpen::kMayBeDown);
  if (!documents) {
    std::cerr << "clinicd: cannot open the document store: " << documents.error().message << "\n";
    return kCannotStart;
  }

  auto metrics = std::make_shared<http::Metrics>();
  // With --metrics-listen the figures are served only there (a private network), not to clients.
  const bool metrics_apart = !config.metrics_listen.empty();
  http::Router router;
  http::AddOperationsRoutes(router, {.health_probe =
                                         [&store = **store, &messages = *documents->messages] {
                                           return std::vector<http::HealthCheck>{
                                               {"database", store.Ping()},
                                               {"documents", messages.Ping(),
                                                /*essential=*/false}};
                                         },
                                     .health_cache = std::chrono::seconds(1),
                                     .metrics = metrics_apart ? nullptr : metrics});
  Api api(**store, *documents, config);
  api.AddRoutes(router);
  api.AddMetrics(*metrics);
  // A missing UI is no reason to refuse the API: "/" then says how to build it.
  if (auto web = http::StaticFiles::Open({.root = config.web_dir})) {
    http::AddStaticFiles(router, *web);
  } else {
    spdlog::warn("no browser UI in {}: build it with `cd ui && npm ci && npm run build`",
                 config.web_dir);
    http::AddUiNotBuiltPage(router, config.web_dir);
  }

  std::vector<http::IpNetwork> trusted_proxies;
  for (const auto& proxy : config.trusted_proxies) {
    trusted_proxies.push_back(http::IpNetwork::Parse(proxy).value());  // validated above
  }
  http::Server server({.host = listen.host,
                       .port = listen.port,
                       .io_threads = config.threads,
                       .worker_threads = config.workers,
                       .cpu_worker_threads = config.password_workers,
                       .max_connections = config.max_connections,
                       .max_connections_per_address = config.max_connections_per_address,
                       .max_body_bytes = config.max_body_bytes,
                       .max_body_bytes_in_flight = config.max_body_bytes_in_flight,
                       .trusted_proxies = std::move(trusted_proxies),
                       .metrics = metrics},
                      std::move(router));
  if (auto started = server.Start(); !started) {
    std::cerr << "clinicd: cannot listen on " << config.listen << ": " << started.error().message
              << "\n";
    return kCannotStart;
  }
  std::optional<http::Server> metrics_server;
  if (metrics_apart) {
    const auto at = ParseListenAddress(config.metrics_listen, "--metrics-listen").value();
    http::Router metrics_router;
    http::AddOperationsRoutes(metrics_router, {.metrics = metrics});
    metrics_server.emplace(http::ServerOptions{.host = at.host,
                                               .port = at.port,
                                               .io_threads = 1,
                                               .worker_threads = 1,
                                               .handle_signals = false,
                                               .metrics = metrics,
                                               .export_connection_metrics = false},
                           std::move(metrics_router));
    if (auto started = metrics_server->Start(); !started) {
      std::cerr << "clinicd: cannot listen on " << config.metrics_listen << ": "
                << started.error().message << "\n";
      return kCannotStart;
    }
    spdlog::info("metrics on http://{}:{}/metrics", at.host, metrics_server->port());
  }
  const SystemClock clock;
  const PeriodicTask pruning(std::chrono::hours(1), [&store = **store, &clock] {
    if (auto pruned = service::PruneExpiredRecords(store, clock); !pruned) {
      spdlog::warn("pruning expired records failed: {}", pruned.error().message);
    } else if (!pruned->empty()) {
      spdlog::info("{}", pruned->Describe());
    }
  });
  std::cout << "listening on http://" << listen.host << ":" << server.port() << std::endl;
  spdlog::info("clinicd started: database {}, {} I/O threads, {} workers", (*store)->backend(),
               config.threads, config.workers);
  server.Wait();
  spdlog::info("clinicd stopped");
  return 0;
}

}  // namespace clinic::app
