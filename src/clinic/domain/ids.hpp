#pragma once

#include <cstdint>

namespace clinic {

// Row ids of the relational core (INT UNSIGNED AUTO_INCREMENT in MySQL).
using Id = std::int64_t;

}  // namespace clinic
