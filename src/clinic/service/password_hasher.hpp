#pragma once

#include <semaphore>
#include <string>
#include <string_view>

#include "clinic/common/result.hpp"

namespace clinic::service {

// Hashes and checks passwords with argon2id (libsodium crypto_pwhash_str). The encoded hash
// carries its own salt and parameters, so hashes made with other costs still verify. At most one
// hash per two cores runs at a time (the others wait): each takes 19 MiB and a core, so a burst of
// logins costs login latency instead of memory, and leaves half the machine to everything else.
// Thread-safe.
class PasswordHasher {
 public:
  // The cost of a new hash. kProduction is OWASP's argon2id baseline (19 MiB, 2 passes), which
  // keeps a login near 50 ms and bounds memory under concurrent logins. kFastForTests is only for
  // test runs (an explicit flag), where hundreds of accounts are created.
  enum class Cost { kProduction, kFastForTests };

  explicit PasswordHasher(Cost cost = Cost::kProduction);

  PasswordHasher(const PasswordHasher&) = delete;
  PasswordHasher& operator=(const PasswordHasher&) = delete;

  Result<std::string> Hash(std::string_view password) const;
  bool Verify(std::string_view encoded_hash, std::string_view password) const;

 private:
  static constexpr std::ptrdiff_t kMaxConcurrentHashes = 256;

  unsigned long long ops_limit_;
  std::size_t mem_limit_;
  mutable std::counting_semaphore<kMaxConcurrentHashes> running_;
};

}  // namespace clinic::service
