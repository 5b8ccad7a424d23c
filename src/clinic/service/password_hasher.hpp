#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "clinic/common/result.hpp"

namespace clinic::service {

// Hashes and checks passwords with argon2id (libsodium crypto_pwhash_str). The encoded hash
// carries its own salt and parameters, so hashes made with other costs still verify. Each call
// takes tens of milliseconds of a core and, at production cost, 19 MiB: callers bound how many
// run at once. clinicd runs every route that hashes on the HTTP server's CPU pool (half the
// cores, with a bounded queue answered 429 when full), so a flood of logins holds neither the
// request workers nor more memory than that pool's threads use. Thread-safe.
class PasswordHasher {
 public:
  // The cost of a new hash. kProduction is OWASP's argon2id baseline (19 MiB, 2 passes), which
  // keeps a login near 50 ms and bounds memory under concurrent logins. kFastForTests is only for
  // test runs (an explicit flag), where hundreds of accounts are created.
  enum class Cost { kProduction, kFastForTests };

  // What the hasher did since it started, for /metrics.
  struct Counters {
    std::uint64_t hashes = 0;
    std::uint64_t verifications = 0;
  };

  explicit PasswordHasher(Cost cost = Cost::kProduction);

  PasswordHasher(const PasswordHasher&) = delete;
  PasswordHasher& operator=(const PasswordHasher&) = delete;

  Result<std::string> Hash(std::string_view password) const;
  // Whether `password` matches `encoded_hash` (false for a hash it cannot read).
  bool Verify(std::string_view encoded_hash, std::string_view password) const;

  Counters counters() const;

 private:
  unsigned long long ops_limit_;
  std::size_t mem_limit_;
  mutable std::atomic<std::uint64_t> hashes_{0};
  mutable std::atomic<std::uint64_t> verifications_{0};
};

}  // namespace clinic::service
