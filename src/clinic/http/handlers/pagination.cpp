#include "clinic/http/handlers/pagination.hpp"

#include <charconv>

namespace clinic::http {

Result<domain::PageRequest> ToPageRequest(const PageParams& params) {
  domain::PageRequest page;
  page.limit = static_cast<int>(params.limit);
  if (params.cursor) {
    const std::string& text = *params.cursor;
    Id after = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), after);
    if (error != std::errc{} || end != text.data() + text.size() || after < 1) {
      return Fail(Error::InvalidField("cursor", "is not a cursor this server issued"));
    }
    page.after_id = after;
  }
  return page;
}

}  // namespace clinic::http
