#include "clinic/common/time.hpp"

#include <date/date.h>

#include <sstream>

namespace clinic {
namespace {

template <typename T>
std::optional<T> ParseExactly(std::string_view text, const char* format) {
  std::istringstream in{std::string(text)};
  T value{};
  in >> date::parse(format, value);
  if (in.fail()) return std::nullopt;
  if (in.peek() != std::char_traits<char>::eof()) return std::nullopt;  // trailing garbage
  return value;
}

}  // namespace

std::string FormatRfc3339(Instant t) { return date::format("%FT%TZ", t); }

std::optional<Instant> ParseRfc3339(std::string_view text) {
  // date::parse's %T accepts fractional seconds for a seconds-precision target only when they
  // are zero-length, so "...:00.5Z" fails as it should.
  if (text.size() >= 20 && (text.back() == 'Z' || text.back() == 'z')) {
    auto body = text.substr(0, text.size() - 1);
    return ParseExactly<Instant>(body, "%Y-%m-%dT%H:%M:%S");
  }
  return ParseExactly<Instant>(text, "%Y-%m-%dT%H:%M:%S%Ez");
}

std::string FormatSqlDateTime(Instant t) { return date::format("%F %T", t); }

std::optional<Instant> ParseSqlDateTime(std::string_view text) {
  return ParseExactly<Instant>(text, "%Y-%m-%d %H:%M:%S");
}

std::string FormatDate(std::chrono::year_month_day d) {
  const date::year_month_day dd{date::year{static_cast<int>(d.year())},
                                date::month{static_cast<unsigned>(d.month())},
                                date::day{static_cast<unsigned>(d.day())}};
  return date::format("%F", dd);
}

std::optional<std::chrono::year_month_day> ParseDate(std::string_view text) {
  if (text.size() != 10) return std::nullopt;
  auto parsed = ParseExactly<date::sys_days>(text, "%Y-%m-%d");
  if (!parsed) return std::nullopt;
  return std::chrono::year_month_day{std::chrono::sys_days{parsed->time_since_epoch()}};
}

}  // namespace clinic
