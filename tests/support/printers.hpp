#pragma once

#include <ostream>

#include "clinic/common/error.hpp"

namespace clinic {

// Lets GoogleTest print error codes by name in failure messages.
void PrintTo(ErrorCode code, std::ostream* out);

}  // namespace clinic
