#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/http/field_rules.hpp"
#include "clinic/http/request.hpp"

namespace clinic::http {

// One page of a list, from `?limit=` and `?cursor=` (DESIGN.md §6).
struct PageParams {
  std::int64_t limit = 50;
  std::optional<std::string> cursor{};  // opaque; the service that issued it decodes it
};

// Reads query parameters the way JsonFields reads a body: every problem is collected, each
// parameter may appear once, and Finish() reports parameters that were not read as unknown.
//
//   QueryFields query(request);
//   PageParams page = query.Page();
//   std::optional<Instant> from = query.OptionalInstant("from");
//   CLINIC_TRY_STATUS(query.Finish());
//
// Booleans are "true"/"false" (also "1"/"0"). An empty value ("?from=") counts as absent, the way
// HTML forms send untouched inputs. Not thread-safe.
class QueryFields {
 public:
  explicit QueryFields(const Request& request);

  // Any valid UTF-8 (after percent-decoding): the service that takes it judges its content.
  std::optional<std::string> OptionalString(std::string_view name);
  std::optional<std::int64_t> OptionalInt(std::string_view name, const IntRule& rule = {});
  std::optional<bool> OptionalBool(std::string_view name);
  std::optional<Instant> OptionalInstant(std::string_view name);
  // The epoch when absent or invalid (the problem is recorded; Finish() fails).
  Instant RequiredInstant(std::string_view name);
  std::optional<std::chrono::year_month_day> OptionalDate(std::string_view name);
  std::optional<std::string> OptionalEnum(std::string_view name,
                                          const std::vector<std::string_view>& allowed);

  // `limit` (1..max_limit, default_limit when absent) and `cursor`.
  PageParams Page(std::int64_t default_limit = 50, std::int64_t max_limit = 200);

  // Records a problem found by a rule across parameters ("to must be after from").
  void AddError(std::string_view name, std::string message);

  // Reports unread parameters as unknown; fails with all collected problems, if any.
  Status Finish();

 private:
  // The parameter's value when present and not empty (marking it read); records an error for a
  // repeated parameter, and for an absent one when `required`.
  std::optional<std::string_view> Find(std::string_view name, bool required);

  const std::vector<std::pair<std::string, std::string>>& params_;
  std::vector<std::string> read_names_;
  std::vector<FieldError> errors_;
};

}  // namespace clinic::http
