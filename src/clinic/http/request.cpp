#include "clinic/http/request.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>

namespace clinic::http {

Result<Request> Request::FromTarget(Method method, std::string_view target) {
  // Origin form ("/path?query") is what clients send to a server; absolute form
  // ("http://host/path") is what they send to a proxy, and servers must accept it too (RFC 9112
  // §3.2.2).
  auto url = boost::urls::parse_origin_form(target);
  if (!url) url = boost::urls::parse_absolute_uri(target);
  if (!url || !url->encoded_path().starts_with('/')) {
    return Fail(Error::InvalidArgument("The request target is not a valid path and query."));
  }
  Request request;
  request.method = method;
  request.path = std::string(url->encoded_path());
  for (auto segment : url->segments()) request.segments.push_back(segment);
  for (auto param : url->params()) {
    request.query.emplace_back(param.key, param.has_value ? param.value : std::string());
  }
  return request;
}

std::optional<std::string_view> Request::QueryParam(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::string_view Request::PathParam(std::string_view name) const {
  for (const auto& [key, value] : path_params) {
    if (key == name) return value;
  }
  return {};
}

Result<std::int64_t> Request::PathId(std::string_view name) const {
  std::string_view text = PathParam(name);
  std::int64_t id = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || id <= 0) {
    return Fail(Error::InvalidField(std::string(name), "must be a positive integer id"));
  }
  return id;
}

}  // namespace clinic::http
