#pragma once

#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clinic::bench {

// One request of a workload.
struct Request {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string target;
  std::string body;   // JSON when not empty
  std::string token;  // bearer token when not empty
};

// What a load run asks of a workload. Called from the generator's single I/O thread, so an
// implementation needs no locking of its own.
class Workload {
 public:
  virtual ~Workload() = default;
  // The next request of connection `client`, or nullopt when this connection has nothing more to
  // send (the run then ends for it).
  virtual std::optional<Request> Next(int client) = 0;
  // Whether the answer is what the workload expects; a false answer counts as an error.
  virtual bool Check(int client, const Request& request, unsigned status,
                     std::string_view body) = 0;
};

// Latency figures of a run, in microseconds.
struct Percentiles {
  double p50 = 0, p95 = 0, p99 = 0, max = 0;
};
Percentiles PercentilesOf(std::vector<std::uint32_t> micros);

struct LoadResult {
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;  // failed checks and broken connections
  std::map<unsigned, std::uint64_t> statuses;
  std::chrono::duration<double> elapsed{};
  std::vector<std::uint32_t> latencies_us;
  std::string first_error;  // what the first failed check saw, for the report

  double throughput() const { return elapsed.count() > 0 ? requests / elapsed.count() : 0; }
};

struct LoadOptions {
  // The servers on 127.0.0.1: connection c talks to ports[c % ports.size()].
  std::vector<std::uint16_t> ports;
  int connections = 64;
  std::chrono::milliseconds duration{std::chrono::seconds(10)};
  // Requests per second offered over all connections (open loop); 0 sends each request as soon
  // as the previous answer is in (closed loop).
  double rate = 0;
};

// An HTTP/1.1 keep-alive load generator: `connections` connections to 127.0.0.1:ports for
// `duration` (or until every connection's workload is exhausted). Closed loop, a connection
// sends its workload's next request as soon as the previous answer is in, so the latencies
// include the wait in the server's queue that the connections themselves create. Open loop,
// requests are due at fixed times spread evenly over the connections, and a latency runs from
// the time the request was due, so an answer that comes late also counts against the requests
// it held up.
LoadResult RunLoad(const LoadOptions& options, Workload& workload);

}  // namespace clinic::bench
