#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace clinic {

// Thin wrappers over libsodium. Call InitCrypto() once at start-up before any other function.
void InitCrypto();

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// `n` cryptographically random bytes, URL-safe base64 without padding (used for session tokens,
// request ids and file ids).
std::string RandomToken(std::size_t n);

}  // namespace clinic
