#pragma once

#include <string>
#include <string_view>

#include "clinic/common/result.hpp"

namespace clinic::service {

// Hashes and checks passwords with argon2id (libsodium crypto_pwhash_str). The encoded hash
// carries its own salt and parameters, so hashes made with other costs still verify.
// Thread-safe.
class PasswordHasher {
 public:
  // The cost of a new hash. kProduction is OWASP's argon2id baseline (19 MiB, 2 passes), which
  // keeps a login near 50 ms and bounds memory under concurrent logins. kFastForTests is only for
  // test runs (an explicit flag), where hundreds of accounts are created.
  enum class Cost { kProduction, kFastForTests };

  explicit PasswordHasher(Cost cost = Cost::kProduction);

  Result<std::string> Hash(std::string_view password) const;
  bool Verify(std::string_view encoded_hash, std::string_view password) const;

 private:
  unsigned long long ops_limit_;
  std::size_t mem_limit_;
};

}  // namespace clinic::service
