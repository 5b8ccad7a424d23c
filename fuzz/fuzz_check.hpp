#pragma once

#include <cstdlib>
#include <string_view>

#include "clinic/common/utf8.hpp"

namespace clinic::fuzz {

// Stops the run as a crash (libFuzzer keeps the input) when an invariant does not hold.
inline void Require(bool holds) {
  if (!holds) std::abort();
}

// Whatever the server answers must be text a client can read.
inline void RequireUtf8(std::string_view text) { Require(Utf8Length(text).has_value()); }

}  // namespace clinic::fuzz
