#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clinic/common/clock.hpp"
#include "clinic/common/result.hpp"
#include "clinic/http/field_rules.hpp"
#include "clinic/http/request.hpp"

namespace clinic::http {

// Deepest nesting of arrays/objects a request body may have; real bodies need 3 or 4 levels and
// a bound keeps hostile input from costing stack and time.
inline constexpr std::size_t kMaxJsonDepth = 16;

// The request body as a JSON object. UnsupportedMediaType unless Content-Type is application/json
// (optionally with charset=utf-8); InvalidArgument when the body is not well-formed JSON (the
// message gives line and column), is nested deeper than kMaxJsonDepth, or is not an object.
Result<boost::json::object> ParseJsonObject(const Request& request);

// As ParseJsonObject, but an empty body is an empty object: for actions whose fields are all
// optional (POST .../cancel with an optional reason). A Content-Type other than JSON is refused
// (415) even without a body: what an HTML form of another site can send never reaches an action.
Result<boost::json::object> ParseOptionalJsonObject(const Request& request);

// For actions that take no fields (DELETE, POST /auth/logout): no body or an empty JSON object;
// InvalidArgument (400) for any field, UnsupportedMediaType (415) for a Content-Type other than
// JSON.
Status NoRequestBody(const Request& request);

// Reads the fields of one JSON object and collects every problem instead of stopping at the
// first, so one answer tells the caller everything to fix. A handler reads each field it knows,
// then calls Finish(), which also reports every field it did not read as unknown:
//
//   JsonFields fields(body);
//   NewPatient patient{.first_name = fields.RequiredString("first_name"),
//                      .phone = fields.OptionalString("phone")};
//   CLINIC_TRY_STATUS(fields.Finish());
//
// A reader that failed returns a default value (empty, 0, nullopt); Finish() then fails, so the
// value is never used. Optional readers treat an explicit null like an absent field; a PATCH that
// must tell "clear this" from "leave it" asks IsNull() first. Field names in errors are JSON paths
// ("weekly[2].start"). Not thread-safe; not copyable (nested readers point at their root's list).
class JsonFields {
 public:
  explicit JsonFields(const boost::json::object& object);
  JsonFields(const JsonFields&) = delete;
  JsonFields& operator=(const JsonFields&) = delete;

  // Any string, the empty one included: the service that takes it judges its content.
  std::string RequiredString(std::string_view name);
  std::optional<std::string> OptionalString(std::string_view name);

  std::int64_t RequiredInt(std::string_view name, const IntRule& rule = {});
  std::optional<std::int64_t> OptionalInt(std::string_view name, const IntRule& rule = {});

  bool RequiredBool(std::string_view name);
  std::optional<bool> OptionalBool(std::string_view name);

  // RFC 3339 instants; an explicit offset is converted to UTC.
  Instant RequiredInstant(std::string_view name);
  std::optional<Instant> OptionalInstant(std::string_view name);

  // Calendar dates, "2026-12-01".
  std::chrono::year_month_day RequiredDate(std::string_view name);
  std::optional<std::chrono::year_month_day> OptionalDate(std::string_view name);

  // A string that must be one of `allowed`.
  std::string RequiredEnum(std::string_view name, const std::vector<std::string_view>& allowed);
  std::optional<std::string> OptionalEnum(std::string_view name,
                                          const std::vector<std::string_view>& allowed);

  // An array of strings.
  std::optional<std::vector<std::string>> StringArray(std::string_view name,
                                                      const ArrayRule& array_rule);

  // Calls `read_item` with a reader for each element of array `name`, which must be objects.
  // Errors inside an element are reported as "name[i].field"; unknown fields too.
  void ObjectArray(std::string_view name, const ArrayRule& rule,
                   const std::function<void(JsonFields& item)>& read_item);

  // Calls `read` with a reader for object `name` when present; errors are "name.field".
  void Object(std::string_view name, bool required,
              const std::function<void(JsonFields& object)>& read);

  // True when the field is present with the value null (and counts it as read).
  bool IsNull(std::string_view name);

  // True when the field is present, whatever its value (does not count it as read).
  bool Has(std::string_view name) const;

  // Records a problem found by a rule across fields ("end must be after start").
  void AddError(std::string_view name, std::string message);

  // Reports every field that was not read as unknown, then fails with all collected problems as
  // one InvalidArgument, or succeeds when there are none.
  Status Finish();

 private:
  JsonFields(const boost::json::object& object, std::string path_prefix,
             std::vector<FieldError>* errors);

  // The field's value when present and not null (marking it read); records "is required" when
  // absent and `required`.
  const boost::json::value* Find(std::string_view name, bool required);
  std::optional<std::string> ReadString(std::string_view name, bool required);
  std::optional<std::int64_t> ReadInt(std::string_view name, bool required, const IntRule& rule);
  std::optional<bool> ReadBool(std::string_view name, bool required);
  std::optional<Instant> ReadInstant(std::string_view name, bool required);
  std::optional<std::chrono::year_month_day> ReadDate(std::string_view name, bool required);
  std::optional<std::string> ReadEnum(std::string_view name, bool required,
                                      const std::vector<std::string_view>& allowed);
  void ReportUnknownFields();
  std::string PathOf(std::string_view name) const;

  const boost::json::object& object_;
  std::string path_prefix_;
  std::vector<FieldError> own_errors_;
  std::vector<FieldError>* errors_;
  std::vector<std::string> read_names_;
};

}  // namespace clinic::http
