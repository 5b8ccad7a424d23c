#include "clinic/common/time.hpp"

#include <date/date.h>

#include <algorithm>
#include <charconv>

namespace clinic {
namespace {

// `value` as `width` decimal digits at out[0, width), zero-padded.
void PutDigits(char* out, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// "YYYY-MM-DD<between>HH:MM:SS" digit by digit: these run for every instant of every row and
// answer, where a format string's parsing cost more than the rest of the work. Years outside
// 0–9999 take date::format's spelling.
std::string FormatDateTime(Instant t, char between) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {
    return date::format(between == 'T' ? "%FT%T" : "%F %T", t);
  }
  const std::chrono::hh_mm_ss time{t - day};
  std::string text = "0000-00-00 00:00:00";
  text[10] = between;
  PutDigits(&text[0], static_cast<unsigned>(year), 4);
  PutDigits(&text[5], static_cast<unsigned>(ymd.month()), 2);
  PutDigits(&text[8], static_cast<unsigned>(ymd.day()), 2);
  PutDigits(&text[11], static_cast<unsigned>(time.hours().count()), 2);
  PutDigits(&text[14], static_cast<unsigned>(time.minutes().count()), 2);
  PutDigits(&text[17], static_cast<unsigned>(time.seconds().count()), 2);
  return text;
}

// Digits at text[at, at + n) as a number; nullopt unless all are digits.
std::optional<int> Digits(std::string_view text, std::size_t at, std::size_t n) {
  int value = 0;
  const auto* end = text.data() + at + n;
  const auto [stop, error] = std::from_chars(text.data() + at, end, value);
  if (error != std::errc{} || stop != end || text[at] == '-' || text[at] == '+') {
    return std::nullopt;
  }
  return value;
}

// "YYYY-MM-DD" at the start of `text`: a real calendar date from year 0001; nullopt otherwise.
std::optional<std::chrono::year_month_day> ReadDate(std::string_view text) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto year = Digits(text, 0, 4);
  const auto month = Digits(text, 5, 2);
  const auto day = Digits(text, 8, 2);
  if (!year || !month || !day || *year < 1) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{*year},
                                         std::chrono::month{static_cast<unsigned>(*month)},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok()) return std::nullopt;
  return date;
}

// "YYYY-MM-DD?HH:MM:SS" at the start of `text`, whatever character stands between the date and
// the time (the caller checks it): a real calendar date from year 0001 and a time of day up to
// 23:59:59, as an instant; nullopt otherwise.
std::optional<Instant> ReadDateTime(std::string_view text) {
  if (text.size() < 19 || text[13] != ':' || text[16] != ':') return std::nullopt;
  const auto date = ReadDate(text);
  const auto hour = Digits(text, 11, 2);
  const auto minute = Digits(text, 14, 2);
  const auto second = Digits(text, 17, 2);
  if (!date || !hour || !minute || !second || *hour > 23 || *minute > 59 || *second > 59) {
    return std::nullopt;
  }
  return Instant{std::chrono::sys_days{*date}} + std::chrono::hours(*hour) +
         std::chrono::minutes(*minute) + std::chrono::seconds(*second);
}

// Whether text[at, end) is one or more decimal digits.
bool AllDigits(std::string_view text, std::size_t at) {
  if (at >= text.size()) return false;
  return std::all_of(text.begin() + static_cast<std::ptrdiff_t>(at), text.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string FormatRfc3339(Instant t) { return FormatDateTime(t, 'T') + 'Z'; }

std::optional<Instant> ParseRfc3339(std::string_view text) {
  // date-time = YYYY-MM-DD "T" HH:MM:SS [ "." 1*DIGIT ] ( "Z" / ("+" / "-") HH:MM ), RFC 3339 §5.6.
  if (text.size() < 20 || (text[10] != 'T' && text[10] != 't')) return std::nullopt;
  const auto local = ReadDateTime(text);
  if (!local) return std::nullopt;
  std::size_t at = 19;
  if (text[at] == '.') {
    const std::size_t digits_start = ++at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
    if (at == digits_start) return std::nullopt;
  }
  std::chrono::minutes offset{0};
  const std::string_view zone = text.substr(at);
  if (zone == "Z" || zone == "z") {
    // UTC
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    const auto offset_hours = Digits(zone, 1, 2);
    const auto offset_minutes = Digits(zone, 4, 2);
    if (!offset_hours || !offset_minutes || *offset_hours > 23 || *offset_minutes > 59) {
      return std::nullopt;
    }
    offset = std::chrono::hours(*offset_hours) + std::chrono::minutes(*offset_minutes);
    if (zone[0] == '-') offset = -offset;
  } else {
    return std::nullopt;
  }
  const Instant utc = *local - offset;
  if (utc < kFirstInstant || utc > kLastInstant) return std::nullopt;
  return utc;
}

std::string FormatSqlDateTime(Instant t) { return FormatDateTime(t, ' '); }

std::optional<Instant> ParseSqlDateTime(std::string_view text) {
  // The shape both databases return; a fraction of a second (a DATETIME(6) column) is dropped.
  if (text.size() < 19 || text[10] != ' ') return std::nullopt;
  if (text.size() > 19 && (text[19] != '.' || !AllDigits(text, 20))) return std::nullopt;
  return ReadDateTime(text);
}

std::string FormatDate(std::chrono::year_month_day d) {
  const date::year_month_day dd{date::year{static_cast<int>(d.year())},
                                date::month{static_cast<unsigned>(d.month())},
                                date::day{static_cast<unsigned>(d.day())}};
  return date::format("%F", dd);
}

std::optional<std::chrono::year_month_day> ParseDate(std::string_view text) {
  if (text.size() != 10) return std::nullopt;
  return ReadDate(text);
}

}  // namespace clinic
