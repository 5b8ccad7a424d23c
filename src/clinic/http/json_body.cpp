#include "clinic/http/json_body.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/stream_parser.hpp>
#include <set>
#include <utility>
#include <vector>

#include "clinic/common/time.hpp"
#include "clinic/http/response.hpp"

namespace clinic::http {
namespace {

std::string_view Trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t";
  auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  auto last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

// application/json, optionally with a charset parameter that must be utf-8 (RFC 8259 allows
// nothing else). Media type and parameter names are case-insensitive (RFC 9110 §8.3.1).
bool IsJsonMediaType(std::string_view content_type) {
  auto semicolon = content_type.find(';');
  if (!boost::beast::iequals(Trim(content_type.substr(0, semicolon)), kJsonContentType)) {
    return false;
  }
  while (semicolon != std::string_view::npos) {
    content_type.remove_prefix(semicolon + 1);
    semicolon = content_type.find(';');
    std::string_view parameter = Trim(content_type.substr(0, semicolon));
    if (parameter.empty()) continue;
    auto equals = parameter.find('=');
    if (equals == std::string_view::npos) return false;
    std::string_view name = Trim(parameter.substr(0, equals));
    std::string_view value = Trim(parameter.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (!boost::beast::iequals(name, "charset") || !boost::beast::iequals(value, "utf-8")) {
      return false;
    }
  }
  return true;
}

Error MalformedJson(std::string_view body, std::size_t offset,
                    const boost::system::error_code& ec) {
  offset = std::min(offset, body.size());
  std::string_view before = body.substr(0, offset);
  auto line = 1 + std::count(before.begin(), before.end(), '\n');
  auto last_newline = before.rfind('\n');
  auto column = last_newline == std::string_view::npos ? offset + 1 : offset - last_newline;
  if (ec == boost::json::error::too_deep) {
    return Error::InvalidArgument(
        fmt::format("The request body is nested deeper than {} levels (line {}, column {}).",
                    kMaxJsonDepth, line, column));
  }
  return Error::InvalidArgument(fmt::format(
      "The request body is not valid JSON: {} (line {}, column {}).", ec.message(), line, column));
}

// Reads a JSON text already known to be valid and finds the first key that appears twice in one
// object. Boost.JSON keeps only the last of such keys, so without this check a client could have
// one value checked by a proxy or a log reader and another one stored.
class DuplicateKeyFinder {
 public:
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

  // The duplicate's path ("items[2].name"), once the parse stopped at it.
  const std::optional<std::string>& duplicate() const { return duplicate_; }

  bool on_document_begin(boost::system::error_code& /*ec*/) { return true; }
  bool on_document_end(boost::system::error_code& /*ec*/) { return true; }
  bool on_array_begin(boost::system::error_code& /*ec*/) { return Open(true); }
  bool on_array_end(std::size_t /*n*/, boost::system::error_code& /*ec*/) { return Close(); }
  bool on_object_begin(boost::system::error_code& /*ec*/) { return Open(false); }
  bool on_object_end(std::size_t /*n*/, boost::system::error_code& /*ec*/) { return Close(); }
  bool on_string_part(std::string_view /*s*/, std::size_t /*n*/,
                      boost::system::error_code& /*ec*/) {
    return true;
  }
  bool on_string(std::string_view /*s*/, std::size_t /*n*/, boost::system::error_code& /*ec*/) {
    return Scalar();
  }
  bool on_key_part(std::string_view s, std::size_t /*n*/, boost::system::error_code& /*ec*/) {
    key_.append(s);
    return true;
  }
  bool on_key(std::string_view s, std::size_t /*n*/, boost::system::error_code& ec) {
    key_.append(s);
    Frame& object = frames_.back();
    if (!object.keys.insert(key_).second) {
      duplicate_ = PathTo(key_);
      ec = boost::json::error::extra_data;
      return false;
    }
    object.key = std::move(key_);
    key_.clear();
    return true;
  }
  bool on_number_part(std::string_view /*s*/, boost::system::error_code& /*ec*/) { return true; }
  bool on_int64(std::int64_t /*i*/, std::string_view /*s*/, boost::system::error_code& /*ec*/) {
    return Scalar();
  }
  bool on_uint64(std::uint64_t /*u*/, std::string_view /*s*/, boost::system::error_code& /*ec*/) {
    return Scalar();
  }
  bool on_double(double /*d*/, std::string_view /*s*/, boost::system::error_code& /*ec*/) {
    return Scalar();
  }
  bool on_bool(bool /*b*/, boost::system::error_code& /*ec*/) { return Scalar(); }
  bool on_null(boost::system::error_code& /*ec*/) { return Scalar(); }
  bool on_comment_part(std::string_view /*s*/, boost::system::error_code& /*ec*/) { return true; }
  bool on_comment(std::string_view /*s*/, boost::system::error_code& /*ec*/) { return true; }

 private:
  struct Frame {
    bool is_array = false;
    std::size_t values = 0;  // in an array: how many have begun
    std::string key;         // in an object: the key of the current value
    std::set<std::string, std::less<>> keys;
  };

  bool Scalar() {
    if (!frames_.empty() && frames_.back().is_array) ++frames_.back().values;
    return true;
  }
  bool Open(bool is_array) {
    Scalar();
    frames_.push_back(Frame{.is_array = is_array});
    return true;
  }
  bool Close() {
    frames_.pop_back();
    return true;
  }

  std::string PathTo(std::string_view key) const {
    std::string path;
    for (std::size_t i = 0; i + 1 < frames_.size(); ++i) {
      const Frame& frame = frames_[i];
      if (frame.is_array) {
        path += fmt::format("[{}]", frame.values - 1);
      } else {
        if (!path.empty()) path += '.';
        path += frame.key;
      }
    }
    if (!path.empty()) path += '.';
    path += key;
    return path;
  }

  std::vector<Frame> frames_;
  std::string key_;
  std::optional<std::string> duplicate_;
};

Status NoDuplicateKeys(std::string_view body) {
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::json::basic_parser<DuplicateKeyFinder> parser(options);
  boost::system::error_code ec;
  parser.write_some(false, body.data(), body.size(), ec);
  if (const auto& duplicate = parser.handler().duplicate()) {
    return Fail(Error::InvalidField(*duplicate, "appears more than once"));
  }
  return Ok();
}

Result<boost::json::object> ParseObject(std::string_view body) {
  if (body.empty()) {
    return Fail(Error::InvalidArgument("The request body is empty; a JSON object is expected."));
  }
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::json::stream_parser parser({}, options);
  boost::system::error_code ec;
  std::size_t consumed = parser.write_some(body.data(), body.size(), ec);
  if (!ec && consumed < body.size()) ec = boost::json::error::extra_data;
  if (!ec) parser.finish(ec);
  if (ec) return Fail(MalformedJson(body, consumed, ec));
  CLINIC_TRY_STATUS(NoDuplicateKeys(body));
  boost::json::value value = parser.release();
  if (!value.is_object()) {
    return Fail(Error::InvalidArgument("The request body must be a JSON object."));
  }
  return std::move(value.as_object());
}

Error NotJson() {
  return Error{ErrorCode::kUnsupportedMediaType,
               "The request body must be sent with Content-Type: application/json.",
               {}};
}

// A Content-Type, when there is one, must be JSON.
Status NoFormContentType(const Request& request) {
  const auto content_type = request.headers[boost::beast::http::field::content_type];
  if (!content_type.empty() && !IsJsonMediaType(content_type)) return Fail(NotJson());
  return Ok();
}

}  // namespace

Result<boost::json::object> ParseJsonObject(const Request& request) {
  if (!IsJsonMediaType(request.headers[boost::beast::http::field::content_type])) {
    return Fail(NotJson());
  }
  return ParseObject(request.body);
}

Result<boost::json::object> ParseOptionalJsonObject(const Request& request) {
  CLINIC_TRY_STATUS(NoFormContentType(request));
  if (request.body.empty()) return boost::json::object();
  return ParseJsonObject(request);
}

Status NoRequestBody(const Request& request) {
  CLINIC_ASSIGN_OR_RETURN(const auto fields, ParseOptionalJsonObject(request));
  if (!fields.empty()) {
    return Fail(Error::InvalidArgument("This action takes no fields: send no body or {}."));
  }
  return Ok();
}

JsonFields::JsonFields(const boost::json::object& object) : JsonFields(object, "", nullptr) {}

JsonFields::JsonFields(const boost::json::object& object, std::string path_prefix,
                       std::vector<FieldError>* errors)
    : object_(object),
      path_prefix_(std::move(path_prefix)),
      errors_(errors != nullptr ? errors : &own_errors_) {}

std::string JsonFields::PathOf(std::string_view name) const {
  return path_prefix_ + std::string(name);
}

void JsonFields::AddError(std::string_view name, std::string message) {
  errors_->push_back({PathOf(name), std::move(message)});
}

const boost::json::value* JsonFields::Find(std::string_view name, bool required) {
  read_names_.emplace_back(name);
  auto it = object_.find(name);
  if (it == object_.end()) {
    if (required) AddError(name, "is required");
    return nullptr;
  }
  if (it->value().is_null()) {
    if (required) AddError(name, "must not be null");
    return nullptr;
  }
  return &it->value();
}

bool JsonFields::IsNull(std::string_view name) {
  read_names_.emplace_back(name);
  auto it = object_.find(name);
  return it != object_.end() && it->value().is_null();
}

bool JsonFields::Has(std::string_view name) const { return object_.contains(name); }

std::optional<std::string> JsonFields::ReadString(std::string_view name, bool required) {
  const boost::json::value* value = Find(name, required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    AddError(name, "must be a string");
    return std::nullopt;
  }
  return std::string(value->get_string());
}

std::optional<std::int64_t> JsonFields::ReadInt(std::string_view name, bool required,
                                                const IntRule& rule) {
  const boost::json::value* value = Find(name, required);
  if (value == nullptr) return std::nullopt;
  if (value->is_uint64()) {
    AddError(name, fmt::format("must be at most {}", rule.max));
    return std::nullopt;
  }
  if (!value->is_int64()) {
    AddError(name, "must be an integer");
    return std::nullopt;
  }
  if (auto problem = CheckInt(value->get_int64(), rule)) {
    AddError(name, std::move(*problem));
    return std::nullopt;
  }
  return value->get_int64();
}

std::optional<bool> JsonFields::ReadBool(std::string_view name, bool required) {
  const boost::json::value* value = Find(name, required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_bool()) {
    AddError(name, "must be true or false");
    return std::nullopt;
  }
  return value->get_bool();
}

std::optional<Instant> JsonFields::ReadInstant(std::string_view name, bool required) {
  auto text = ReadString(name, required);
  if (!text) return std::nullopt;
  auto instant = ParseRfc3339(*text);
  if (!instant) AddError(name, std::string(kInstantFormatMessage));
  return instant;
}

std::optional<std::chrono::year_month_day> JsonFields::ReadDate(std::string_view name,
                                                                bool required) {
  auto text = ReadString(name, required);
  if (!text) return std::nullopt;
  auto date = ParseDate(*text);
  if (!date) AddError(name, std::string(kDateFormatMessage));
  return date;
}

std::optional<std::string> JsonFields::ReadEnum(std::string_view name, bool required,
                                                const std::vector<std::string_view>& allowed) {
  auto text = ReadString(name, required);
  if (!text) return std::nullopt;
  if (auto problem = CheckOneOf(*text, allowed)) {
    AddError(name, std::move(*problem));
    return std::nullopt;
  }
  return text;
}

std::string JsonFields::RequiredString(std::string_view name) {
  return ReadString(name, true).value_or(std::string());
}

std::optional<std::string> JsonFields::OptionalString(std::string_view name) {
  return ReadString(name, false);
}

std::int64_t JsonFields::RequiredInt(std::string_view name, const IntRule& rule) {
  return ReadInt(name, true, rule).value_or(0);
}

std::optional<std::int64_t> JsonFields::OptionalInt(std::string_view name, const IntRule& rule) {
  return ReadInt(name, false, rule);
}

bool JsonFields::RequiredBool(std::string_view name) {
  return ReadBool(name, true).value_or(false);
}

std::optional<bool> JsonFields::OptionalBool(std::string_view name) {
  return ReadBool(name, false);
}

Instant JsonFields::RequiredInstant(std::string_view name) {
  return ReadInstant(name, true).value_or(Instant{});
}

std::optional<Instant> JsonFields::OptionalInstant(std::string_view name) {
  return ReadInstant(name, false);
}

std::chrono::year_month_day JsonFields::RequiredDate(std::string_view name) {
  return ReadDate(name, true).value_or(std::chrono::year_month_day{});
}

std::optional<std::chrono::year_month_day> JsonFields::OptionalDate(std::string_view name) {
  return ReadDate(name, false);
}

std::string JsonFields::RequiredEnum(std::string_view name,
                                     const std::vector<std::string_view>& allowed) {
  return ReadEnum(name, true, allowed).value_or(std::string());
}

std::optional<std::string> JsonFields::OptionalEnum(std::string_view name,
                                                    const std::vector<std::string_view>& allowed) {
  return ReadEnum(name, false, allowed);
}

std::optional<std::vector<std::string>> JsonFields::StringArray(std::string_view name,
                                                                const ArrayRule& array_rule) {
  const boost::json::value* value = Find(name, array_rule.required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_array()) {
    AddError(name, "must be an array");
    return std::nullopt;
  }
  const boost::json::array& items = value->get_array();
  if (items.size() < array_rule.min_items) {
    AddError(name, fmt::format("must have at least {} item(s)", array_rule.min_items));
  } else if (items.size() > array_rule.max_items) {
    AddError(name, fmt::format("must have at most {} item(s)", array_rule.max_items));
    return std::nullopt;
  }
  std::vector<std::string> strings;
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string item_name = fmt::format("{}[{}]", name, i);
    if (!items[i].is_string()) {
      AddError(item_name, "must be a string");
      continue;
    }
    strings.emplace_back(items[i].get_string());
  }
  return strings;
}

void JsonFields::ObjectArray(std::string_view name, const ArrayRule& rule,
                             const std::function<void(JsonFields& item)>& read_item) {
  const boost::json::value* value = Find(name, rule.required);
  if (value == nullptr) return;
  if (!value->is_array()) {
    AddError(name, "must be an array");
    return;
  }
  const boost::json::array& items = value->get_array();
  if (items.size() < rule.min_items) {
    AddError(name, fmt::format("must have at least {} item(s)", rule.min_items));
  } else if (items.size() > rule.max_items) {
    AddError(name, fmt::format("must have at most {} item(s)", rule.max_items));
    return;
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string item_name = fmt::format("{}[{}]", name, i);
    if (!items[i].is_object()) {
      AddError(item_name, "must be an object");
      continue;
    }
    JsonFields item(items[i].get_object(), PathOf(item_name) + ".", errors_);
    read_item(item);
    item.ReportUnknownFields();
  }
}

void JsonFields::Object(std::string_view name, bool required,
                        const std::function<void(JsonFields& object)>& read) {
  const boost::json::value* value = Find(name, required);
  if (value == nullptr) return;
  if (!value->is_object()) {
    AddError(name, "must be an object");
    return;
  }
  JsonFields nested(value->get_object(), PathOf(name) + ".", errors_);
  read(nested);
  nested.ReportUnknownFields();
}

void JsonFields::ReportUnknownFields() {
  for (const auto& field : object_) {
    if (std::find(read_names_.begin(), read_names_.end(), field.key()) == read_names_.end()) {
      AddError(field.key(), "is not a known field");
    }
  }
}

Status JsonFields::Finish() {
  ReportUnknownFields();
  if (errors_->empty()) return Ok();
  return Fail(InvalidFields(*errors_));
}

}  // namespace clinic::http
