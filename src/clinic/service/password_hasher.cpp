#include "clinic/service/password_hasher.hpp"

#include <sodium.h>

#include <algorithm>
#include <thread>

namespace clinic::service {

namespace {

// Holds one of the hasher's permits for a scope.
template <typename Semaphore>
class Permit {
 public:
  explicit Permit(Semaphore& semaphore) : semaphore_(semaphore) { semaphore_.acquire(); }
  ~Permit() { semaphore_.release(); }
  Permit(const Permit&) = delete;
  Permit& operator=(const Permit&) = delete;

 private:
  Semaphore& semaphore_;
};

// Half the cores: a burst of logins then leaves the other half to bookings and searches.
std::ptrdiff_t ConcurrentHashes() {
  return std::clamp<std::ptrdiff_t>(std::thread::hardware_concurrency() / 2, 1, 256);
}

}  // namespace

PasswordHasher::PasswordHasher(Cost cost)
    : ops_limit_(cost == Cost::kProduction ? 2 : crypto_pwhash_OPSLIMIT_MIN),
      mem_limit_(cost == Cost::kProduction ? 19u * 1024u * 1024u : crypto_pwhash_MEMLIMIT_MIN),
      running_(ConcurrentHashes()) {}

Result<std::string> PasswordHasher::Hash(std::string_view password) const {
  const Permit permit(running_);
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops_limit_, mem_limit_,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Fail(Error::Unavailable("not enough memory to hash the password"));
  }
  return std::string(out);
}

bool PasswordHasher::Verify(std::string_view encoded_hash, std::string_view password) const {
  const std::string hash(encoded_hash);  // libsodium wants a NUL-terminated string
  const Permit permit(running_);
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace clinic::service
