#pragma once

#include <atomic>
#include <cstdint>
#include <semaphore>
#include <string>
#include <string_view>

#include "clinic/common/result.hpp"

namespace clinic::service {

// Hashes and checks passwords with argon2id (libsodium crypto_pwhash_str). The encoded hash
// carries its own salt and parameters, so hashes made with other costs still verify. At most one
// hash per two cores runs at a time (the others wait): each takes 19 MiB and a core, so a burst of
// logins costs login latency instead of memory, and leaves half the machine to everything else.
// Admission is bounded too: at most `max_admitted` callers are inside at once (running or
// waiting), and one more is refused at once with kResourceExhausted (429, Retry-After 1), so a
// flood of logins or registrations holds at most that many request workers and the others keep
// serving every other route. Thread-safe.
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
    std::uint64_t refused = 0;  // turned away because max_admitted callers were inside
  };

  // max_admitted 0: no bound (command-line tools).
  explicit PasswordHasher(Cost cost = Cost::kProduction, std::size_t max_admitted = 0);

  PasswordHasher(const PasswordHasher&) = delete;
  PasswordHasher& operator=(const PasswordHasher&) = delete;

  Result<std::string> Hash(std::string_view password) const;
  // Whether `password` matches; kResourceExhausted when the hasher is full.
  Result<bool> Verify(std::string_view encoded_hash, std::string_view password) const;

  Counters counters() const;

 private:
  static constexpr std::ptrdiff_t kMaxConcurrentHashes = 256;

  // Admits the caller and waits for a running permit, or refuses when max_admitted are inside.
  class Turn;

  unsigned long long ops_limit_;
  std::size_t mem_limit_;
  std::size_t max_admitted_;
  mutable std::counting_semaphore<kMaxConcurrentHashes> running_;
  mutable std::atomic<std::size_t> admitted_{0};
  mutable std::atomic<std::uint64_t> hashes_{0};
  mutable std::atomic<std::uint64_t> verifications_{0};
  mutable std::atomic<std::uint64_t> refused_{0};
};

}  // namespace clinic::service
