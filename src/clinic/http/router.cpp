#include "clinic/http/router.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "clinic/http/problem.hpp"

namespace clinic::http {

struct Router::Node {
  std::map<std::string, std::unique_ptr<Node>, std::less<>> literals;
  std::unique_ptr<Node> param;  // the {name} child; names live in each Route
  std::vector<std::unique_ptr<Route>> routes;

  const Route* RouteFor(Method method) const {
    for (const auto& route : routes) {
      if (route->method == method) return route.get();
    }
    return method == Method::head ? RouteFor(Method::get) : nullptr;
  }

  std::string AllowHeader() const {
    std::string allow;
    auto append = [&allow](Method method) {
      if (!allow.empty()) allow += ", ";
      allow += boost::beast::http::to_string(method);
    };
    for (const auto& route : routes) {
      append(route->method);
      if (route->method == Method::get && RouteFor(Method::head) == route.get()) {
        append(Method::head);
      }
    }
    return allow;
  }
};

namespace {

constexpr std::string_view kApiSegment = "api";

bool IsParamNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

struct PatternSegment {
  std::string text;  // the literal, or the parameter's name
  bool is_param = false;
};

std::vector<PatternSegment> ParsePattern(std::string_view pattern) {
  auto invalid = [pattern](std::string_view why) {
    return std::invalid_argument("route pattern \"" + std::string(pattern) +
                                 "\": " + std::string(why));
  };
  if (pattern.empty() || pattern.front() != '/') throw invalid("must start with '/'");
  std::vector<PatternSegment> segments;
  if (pattern == "/") return segments;
  std::string_view rest = pattern.substr(1);
  while (true) {
    auto slash = rest.find('/');
    std::string_view segment = rest.substr(0, slash);
    if (segment.empty()) throw invalid("has an empty segment");
    if (segment.front() == '{') {
      std::string_view name = segment.substr(1, segment.size() - 2);
      if (segment.back() != '}' || name.empty() ||
          !std::all_of(name.begin(), name.end(), IsParamNameChar)) {
        throw invalid("a parameter must be a whole segment {name} of letters, digits and '_'");
      }
      for (const auto& previous : segments) {
        if (previous.is_param && previous.text == name) throw invalid("repeats a parameter name");
      }
      segments.push_back({std::string(name), true});
    } else {
      if (segment.find_first_of("{}") != std::string_view::npos) {
        throw invalid("a parameter must be a whole segment");
      }
      segments.push_back({std::string(segment), false});
    }
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  return segments;
}

}  // namespace

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

void Router::Add(Method method, std::string_view pattern, Handler handler, RouteOptions options) {
  auto route = std::make_unique<Route>();
  route->method = method;
  route->pattern = std::string(pattern);
  route->handler = std::move(handler);
  route->options = std::move(options);
  Node* node = root_.get();
  for (auto& segment : ParsePattern(pattern)) {
    if (segment.is_param) {
      route->param_names.push_back(std::move(segment.text));
      if (!node->param) node->param = std::make_unique<Node>();
      node = node->param.get();
    } else {
      auto& child = node->literals[segment.text];
      if (!child) child = std::make_unique<Node>();
      node = child.get();
    }
  }
  for (const auto& existing : node->routes) {
    if (existing->method == method) {
      throw std::invalid_argument("route " + std::string(boost::beast::http::to_string(method)) +
                                  " " + std::string(pattern) + " clashes with " +
                                  existing->pattern);
    }
  }
  node->routes.push_back(std::move(route));
}

std::vector<std::pair<Method, std::string>> Router::Routes() const {
  std::vector<std::pair<Method, std::string>> found;
  std::vector<const Node*> pending{root_.get()};
  while (!pending.empty()) {
    const Node* node = pending.back();
    pending.pop_back();
    for (const auto& route : node->routes) found.emplace_back(route->method, route->pattern);
    for (const auto& [text, child] : node->literals) pending.push_back(child.get());
    if (node->param) pending.push_back(node->param.get());
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second, a.first) < std::tie(b.second, b.first);
  });
  return found;
}

void Router::SetFallback(std::string label, Handler handler, RouteOptions options) {
  fallback_ = std::make_unique<Route>();
  fallback_->method = Method::get;
  fallback_->pattern = std::move(label);
  fallback_->handler = std::move(handler);
  fallback_->options = std::move(options);
}

namespace {

// Depth-first in precedence order: at each position the literal child before the {name} child.
// Returns the first route for `method`; `first_path_node` gets the first node reached that has
// routes at all, which decides between 405 and 404 when no route has the method.
template <typename Node>
const Route* Search(const Node& node, const std::vector<std::string>& segments, std::size_t index,
                    Method method, std::vector<std::string_view>& values,
                    const Node*& first_path_node) {
  if (index == segments.size()) {
    if (node.routes.empty()) return nullptr;
    if (first_path_node == nullptr) first_path_node = &node;
    return node.RouteFor(method);
  }
  const std::string& segment = segments[index];
  if (auto it = node.literals.find(segment); it != node.literals.end()) {
    if (const Route* route =
            Search(*it->second, segments, index + 1, method, values, first_path_node)) {
      return route;
    }
  }
  if (node.param && !segment.empty()) {
    values.push_back(segment);
    if (const Route* route =
            Search(*node.param, segments, index + 1, method, values, first_path_node)) {
      return route;
    }
    values.pop_back();
  }
  return nullptr;
}

}  // namespace

RouteMatch Router::Match(Method method, const std::vector<std::string>& segments) const {
  RouteMatch match;
  std::vector<std::string_view> values;
  const Node* first_path_node = nullptr;
  if (const Route* route = Search(*root_, segments, 0, method, values, first_path_node)) {
    match.route = route;
    match.label = route->pattern;
    for (std::size_t i = 0; i < route->param_names.size(); ++i) {
      match.path_params.emplace_back(route->param_names[i], values[i]);
    }
    return match;
  }
  if (first_path_node != nullptr) {
    match.rejection = HttpStatus::method_not_allowed;
    match.allow = first_path_node->AllowHeader();
    match.label = first_path_node->routes.front()->pattern;
    return match;
  }
  bool under_api = !segments.empty() && segments.front() == kApiSegment;
  if (fallback_ && !under_api) {
    match.label = fallback_->pattern;
    if (method == Method::get || method == Method::head) {
      match.route = fallback_.get();
    } else {
      match.rejection = HttpStatus::method_not_allowed;
      match.allow = "GET, HEAD";
    }
  }
  return match;
}

Response RejectionResponse(const RouteMatch& match) {
  if (match.rejection == HttpStatus::method_not_allowed) {
    Response response = Problem(
        HttpStatus::method_not_allowed,
        ProblemDocument(HttpStatus::method_not_allowed, "method-not-allowed",
                        "This path does not accept this method; it accepts " + match.allow + "."));
    response.set(boost::beast::http::field::allow, match.allow);
    return response;
  }
  return Problem(Error::NotFound("There is no resource at this path."));
}

}  // namespace clinic::http
