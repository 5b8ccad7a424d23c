#include "clinic/service/password_hasher.hpp"

#include <sodium.h>

#include <algorithm>
#include <thread>

namespace clinic::service {

namespace {

// Half the cores: a burst of logins then leaves the other half to bookings and searches.
std::ptrdiff_t ConcurrentHashes() {
  return std::clamp<std::ptrdiff_t>(std::thread::hardware_concurrency() / 2, 1, 256);
}

Error HasherFull() {
  return Error::ResourceExhausted("the server is busy checking passwords; try again in a moment",
                                  1);
}

}  // namespace

class PasswordHasher::Turn {
 public:
  explicit Turn(const PasswordHasher& hasher) : hasher_(hasher) {
    const std::size_t inside = hasher_.admitted_.fetch_add(1, std::memory_order_acq_rel) + 1;
    if (hasher_.max_admitted_ != 0 && inside > hasher_.max_admitted_) {
      hasher_.admitted_.fetch_sub(1, std::memory_order_acq_rel);
      hasher_.refused_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    admitted_ = true;
    hasher_.running_.acquire();
  }
  ~Turn() {
    if (!admitted_) return;
    hasher_.running_.release();
    hasher_.admitted_.fetch_sub(1, std::memory_order_acq_rel);
  }
  Turn(const Turn&) = delete;
  Turn& operator=(const Turn&) = delete;

  bool admitted() const { return admitted_; }

 private:
  const PasswordHasher& hasher_;
  bool admitted_ = false;
};

PasswordHasher::PasswordHasher(Cost cost, std::size_t max_admitted)
    : ops_limit_(cost == Cost::kProduction ? 2 : crypto_pwhash_OPSLIMIT_MIN),
      mem_limit_(cost == Cost::kProduction ? 19u * 1024u * 1024u : crypto_pwhash_MEMLIMIT_MIN),
      max_admitted_(max_admitted),
      running_(ConcurrentHashes()) {}

Result<std::string> PasswordHasher::Hash(std::string_view password) const {
  const Turn turn(*this);
  if (!turn.admitted()) return Fail(HasherFull());
  hashes_.fetch_add(1, std::memory_order_relaxed);
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), ops_limit_, mem_limit_,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Fail(Error::Unavailable("not enough memory to hash the password"));
  }
  return std::string(out);
}

Result<bool> PasswordHasher::Verify(std::string_view encoded_hash,
                                    std::string_view password) const {
  const std::string hash(encoded_hash);  // libsodium wants a NUL-terminated string
  const Turn turn(*this);
  if (!turn.admitted()) return Fail(HasherFull());
  verifications_.fetch_add(1, std::memory_order_relaxed);
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

PasswordHasher::Counters PasswordHasher::counters() const {
  return {.hashes = hashes_.load(std::memory_order_relaxed),
          .verifications = verifications_.load(std::memory_order_relaxed),
          .refused = refused_.load(std::memory_order_relaxed)};
}

}  // namespace clinic::service
