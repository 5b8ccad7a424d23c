#include "support/printers.hpp"

namespace clinic {

void PrintTo(ErrorCode code, std::ostream* out) { *out << ErrorCodeName(code); }

}  // namespace clinic
