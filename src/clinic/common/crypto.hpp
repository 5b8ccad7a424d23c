#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct crypto_hash_sha256_state;  // libsodium's, for Sha256

namespace clinic {

// Thin wrappers over libsodium. Call InitCrypto() once at start-up before any other function.
void InitCrypto();

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// SHA-256 of data given in pieces (a file read in chunks): Update with each piece in order, then
// HexDigest once.
class Sha256 {
 public:
  Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  ~Sha256();

  void Update(std::string_view piece);
  // Lower-case hex of everything given to Update. The object is spent afterwards.
  std::string HexDigest();

 private:
  std::unique_ptr<crypto_hash_sha256_state> state_;
};

// Standard base64 (RFC 4648 §4, with padding) of `bytes`, and back; nullopt when `text` is not
// such base64.
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);

// `n` cryptographically random bytes, URL-safe base64 without padding (used for session tokens,
// request ids and file ids).
std::string RandomToken(std::size_t n);

}  // namespace clinic
