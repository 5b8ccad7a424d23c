#include "clinic/service/start_cursor.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdint>

#include "clinic/common/time.hpp"

namespace clinic::service {
namespace {

template <typename Int>
bool ParseWhole(std::string_view text, Int& out) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc{} && end == text.data() + text.size();
}

}  // namespace

std::string EncodeStartCursor(Instant start, Id id) {
  return fmt::format("{}.{}", start.time_since_epoch().count(), id);
}

Result<std::pair<Instant, Id>> DecodeStartCursor(std::string_view text) {
  const auto dot = text.find('.');
  std::int64_t seconds = 0;
  Id id = 0;
  if (dot == std::string_view::npos || !ParseWhole(text.substr(0, dot), seconds) ||
      !ParseWhole(text.substr(dot + 1), id) || id < 1 || seconds < 0 ||
      seconds > kLastInstant.time_since_epoch().count()) {
    return Fail(Error::InvalidField("cursor", "is not a cursor this server issued"));
  }
  return std::pair{Instant{std::chrono::seconds(seconds)}, id};
}

}  // namespace clinic::service
