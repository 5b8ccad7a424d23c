#pragma once

#include <optional>
#include <string>

#include "clinic/domain/enums.hpp"
#include "clinic/domain/ids.hpp"

namespace clinic::domain {

// Who is calling: a logged-in account (patient, doctor or admin) or the server itself.
struct Principal {
  Role role = Role::kSystem;
  Id id = 0;

  bool Is(Role r) const { return role == r; }
  bool IsUser(Role r, Id user_id) const { return role == r && id == user_id; }
};

// A create's Idempotency-Key as the client sent it (the service checks its shape) and a
// fingerprint of the request it came with (method, path, query and body, less any password): a
// retry carries the same pair, a reuse of the key for something else a different hash.
struct IdempotencyKey {
  std::string key;
  std::string request_hash;
};

// Where a request came from, for the audit trail, and the Idempotency-Key it carries.
struct RequestContext {
  Principal actor;
  std::optional<std::string> client_addr;
  std::optional<std::string> request_id;         // the server's own, unique
  std::optional<std::string> client_request_id;  // what the client sent as X-Request-Id
  std::optional<IdempotencyKey> idempotency;
};

}  // namespace clinic::domain
