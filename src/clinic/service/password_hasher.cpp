#include "clinic/service/password_hasher.hpp"

#include <sodium.h>

namespace clinic::service {

PasswordHasher::PasswordHasher(Cost cost)
    : ops_limit_(cost == Cost::kProduction ? 2 : crypto_pwhash_OPSLIMIT_MIN),
      mem_limit_(cost == Cost::kProduction ? 19u * 1024u * 1024u : crypto_pwhash_MEMLIMIT_MIN) {}

Result<std::string> PasswordHasher::Hash(std::string_view password) const {
  hashes_.fetch_add(1, std::memory_order_relaxed);
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops_limit_, mem_limit_,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Fail(Error::Unavailable("not enough memory to hash the password"));
  }
  return std::string(out);
}

bool PasswordHasher::Verify(std::string_view encoded_hash, std::string_view password) const {
  const std::string hash(encoded_hash);  // libsodium wants a NUL-terminated string
  verifications_.fetch_add(1, std::memory_order_relaxed);
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

PasswordHasher::Counters PasswordHasher::counters() const {
  return {.hashes = hashes_.load(std::memory_order_relaxed),
          .verifications = verifications_.load(std::memory_order_relaxed)};
}

}  // namespace clinic::service
