// libFuzzer target: the parsers of text a client sends outside JSON — RFC 3339 instants, dates,
// the query string — and the UTF-8 rules. Whatever parses formats back to itself; whatever is
// cleaned is valid UTF-8 within its limit; every problem document is valid UTF-8.

#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "clinic/common/time.hpp"
#include "clinic/common/utf8.hpp"
#include "clinic/http/problem.hpp"
#include "clinic/http/query_params.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using clinic::fuzz::Require;
  using clinic::fuzz::RequireUtf8;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (const auto instant = clinic::ParseRfc3339(text)) {
    Require(clinic::ParseRfc3339(clinic::FormatRfc3339(*instant)) == instant);
    Require(clinic::ParseSqlDateTime(clinic::FormatSqlDateTime(*instant)) == instant);
  }
  if (const auto stored = clinic::ParseSqlDateTime(text)) {
    Require(clinic::ParseSqlDateTime(clinic::FormatSqlDateTime(*stored)) == stored);
  }
  if (const auto date = clinic::ParseDate(text)) {
    Require(clinic::ParseDate(clinic::FormatDate(*date)) == date);
  }
  const auto clean = clinic::SanitizeUtf8(text, 255);
  Require(clean.size() <= 255);
  RequireUtf8(clean);
  if (clinic::Utf8Length(text)) Require(clinic::SanitizeUtf8(text, text.size()) == text);

  using namespace clinic::http;
  auto request = Request::FromTarget(Method::get, "/fuzz?" + std::string(text));
  if (!request) {
    RequireUtf8(boost::json::serialize(ProblemDocument(request.error())));
    return 0;
  }
  QueryFields query(*request);
  (void)query.Page();
  if (const auto q = query.OptionalString("q")) RequireUtf8(*q);
  (void)query.OptionalInt("location_id", {.min = 1});
  (void)query.OptionalBool("include_deleted");
  (void)query.OptionalInstant("from");
  (void)query.OptionalDate("date");
  (void)query.OptionalEnum("status", {"scheduled", "completed"});
  if (auto finished = query.Finish(); !finished) {
    RequireUtf8(boost::json::serialize(ProblemDocument(finished.error())));
  }
  return 0;
}
