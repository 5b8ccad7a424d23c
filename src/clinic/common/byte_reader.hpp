#pragma once

#include <cstddef>
#include <span>

#include "clinic/common/result.hpp"

namespace clinic {

// Bytes read front to back a piece at a time, such as a stored file: for content too large to
// hold in memory at once, so that whoever passes it on holds one piece, never the whole. One
// caller at a time (the calls may come from different threads, one after another).
class ByteReader {
 public:
  virtual ~ByteReader() = default;

  // Copies the next bytes into the front of `buffer` and answers how many: at least one while any
  // remain (for a non-empty buffer), 0 at the end. May block on a disk or a network. After an
  // error the reader is not read again.
  virtual Result<std::size_t> Read(std::span<char> buffer) = 0;
};

}  // namespace clinic
