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

// Where a request came from, for the audit trail.
struct RequestContext {
  Principal actor;
  std::optional<std::string> client_addr;
  std::optional<std::string> request_id;
};

}  // namespace clinic::domain
