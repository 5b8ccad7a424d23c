#pragma once

#include "clinic/common/result.hpp"
#include "clinic/http/query_params.hpp"
#include "clinic/storage/repositories.hpp"

namespace clinic::http {

// The storage page a list request asks for. The cursor is the one a previous page answered in
// `next_cursor` (PageJson); anything else is a 400 naming `cursor`.
Result<domain::PageRequest> ToPageRequest(const PageParams& params);

}  // namespace clinic::http
