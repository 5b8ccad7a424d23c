#pragma once

#include <string>
#include <string_view>

#include "clinic/domain/entities.hpp"

namespace clinic::domain {

// The hash that links an audit row to the one before it: SHA-256 (hex) over the previous row's
// hash and every field of this row but its id and hashes, in a fixed, unambiguous text form (each
// field length-prefixed, so no choice of values can make two different rows serialise alike).
// The first row chains to kAuditGenesisHash. The id is left out because it is assigned on insert;
// order is already fixed by each row naming its predecessor's hash.
std::string AuditChainHash(const AuditEntry& entry, const std::string& prev_hash);

inline constexpr std::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// How many audit chains a current schema has (migration 0015; 0009 made sixteen). Appenders are
// spread over them; verification walks every chain whose head row is present, so a database not
// yet migrated to all of them verifies too.
inline constexpr int kAuditChains = 64;

}  // namespace clinic::domain
