#include "clinic/http/static_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <fstream>
#include <iterator>
#include <utility>

namespace clinic::http {
namespace {

namespace fs = std::filesystem;

struct ContentType {
  std::string_view extension;
  std::string_view media_type;
};

constexpr ContentType kContentTypes[] = {
    {".html", "text/html; charset=utf-8"},
    {".htm", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".txt", "text/plain; charset=utf-8"},
    {".csv", "text/csv; charset=utf-8"},
    {".xml", "application/xml"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".webp", "image/webp"},
    {".avif", "image/avif"},
    {".ico", "image/x-icon"},
    {".woff", "font/woff"},
    {".woff2", "font/woff2"},
    {".ttf", "font/ttf"},
    {".otf", "font/otf"},
    {".wasm", "application/wasm"},
    {".pdf", "application/pdf"},
};

std::string_view ContentTypeFor(const fs::path& file) {
  std::string extension = file.extension().string();
  for (const auto& entry : kContentTypes) {
    if (boost::beast::iequals(entry.extension, extension)) return entry.media_type;
  }
  return "application/octet-stream";
}

bool IsHtml(const fs::path& file) {
  std::string extension = file.extension().string();
  return boost::beast::iequals(extension, ".html") || boost::beast::iequals(extension, ".htm");
}

// A segment that names an ordinary entry of the directory it is in. Dot-files are refused as well
// as "." and "..": they are never part of a web UI, and .git or .env must not leak.
bool IsSafeSegment(std::string_view segment) {
  constexpr std::string_view kForbidden("/\\\0", 3);
  return !segment.empty() && segment.front() != '.' &&
         segment.find_first_of(kForbidden) == std::string_view::npos;
}

bool IsInside(const fs::path& root, const fs::path& candidate) {
  auto [root_end, unused] =
      std::mismatch(root.begin(), root.end(), candidate.begin(), candidate.end());
  return root_end == root.end();
}

std::string_view Trim(std::string_view text) {
  auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// If-None-Match uses the weak comparison (RFC 9110 §13.1.2): a W/ prefix does not matter.
bool IfNoneMatchMatches(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view candidate = Trim(header.substr(0, comma));
    if (candidate.starts_with("W/")) candidate.remove_prefix(2);
    if (candidate == "*" || candidate == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

Error NoSuchFile() { return Error::NotFound("There is no resource at this path."); }

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";

// HTML that names the folder and the commands; `web_root` is the operator's own setting, but it
// is escaped all the same.
std::string UiNotBuiltHtml(const fs::path& web_root) {
  std::string folder;
  for (const char c : web_root.string()) {
    switch (c) {
      case '&':
        folder += "&amp;";
        break;
      case '<':
        folder += "&lt;";
        break;
      case '>':
        folder += "&gt;";
        break;
      case '"':
        folder += "&quot;";
        break;
      default:
        folder += c;
    }
  }
  return fmt::format(
      "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>Clinic</title></head>\n<body>\n<h1>Clinic</h1>\n"
      "<p>The server and its API are running, but the browser UI has not been built into "
      "<code>{}</code>.</p>\n<p>Build it with <code>cd ui &amp;&amp; npm ci &amp;&amp; npm run "
      "build</code> (Node.js 18 or newer), or run <code>bash scripts/run.sh</code>, then reload "
      "this page.</p>\n<p><a href=\"/api/openapi.json\">API contract (OpenAPI)</a> &middot; "
      "<a href=\"/health\">Health</a></p>\n</body>\n</html>\n",
      folder);
}

}  // namespace

StaticFiles::StaticFiles(StaticFilesOptions options) : options_(std::move(options)) {}

Result<std::shared_ptr<const StaticFiles>> StaticFiles::Open(StaticFilesOptions options) {
  std::error_code error;
  fs::path root = fs::canonical(options.root, error);
  if (error || !fs::is_directory(root, error)) {
    return Fail(Error::InvalidArgument("the web root " + options.root.string() +
                                       " is not a readable directory"));
  }
  options.root = std::move(root);
  return std::shared_ptr<const StaticFiles>(new StaticFiles(std::move(options)));
}

Result<Response> StaticFiles::Serve(const Request& request) const {
  fs::path requested = options_.root;
  const auto& segments = request.segments;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    bool trailing_slash = i + 1 == segments.size() && segments[i].empty();
    if (trailing_slash) break;
    if (!IsSafeSegment(segments[i])) return Fail(NoSuchFile());
    requested /= segments[i];
  }
  std::error_code error;
  if (fs::is_directory(requested, error)) requested /= "index.html";
  fs::path resolved = fs::canonical(requested, error);
  if (error || !IsInside(options_.root, resolved) || !fs::is_regular_file(resolved, error)) {
    return Fail(NoSuchFile());
  }
  auto modified = fs::last_write_time(resolved, error);
  if (error) return Fail(NoSuchFile());
  std::ifstream file(resolved, std::ios::binary);
  std::string contents((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (file.bad() || !file.is_open()) return Fail(NoSuchFile());

  std::string etag = fmt::format("\"{:x}-{:x}\"", contents.size(),
                                 static_cast<std::uint64_t>(modified.time_since_epoch().count()));
  const bool hashed_asset = segments.size() > 1 && segments.front() == "assets";
  std::string cache_control =
      IsHtml(requested) ? std::string("no-cache")
      : hashed_asset    ? std::string(kImmutable)
                        : fmt::format("public, max-age={}", options_.asset_max_age.count());
  auto if_none_match = request.headers[boost::beast::http::field::if_none_match];
  Response response = IfNoneMatchMatches(if_none_match, etag)
                          ? Empty(HttpStatus::not_modified)
                          : Text(HttpStatus::ok, std::move(contents), ContentTypeFor(requested));
  response.set(boost::beast::http::field::etag, etag);
  response.set(boost::beast::http::field::cache_control, cache_control);
  if (IsHtml(requested)) response.set("Content-Security-Policy", kPageSecurityPolicy);
  return response;
}

void AddStaticFiles(Router& router, std::shared_ptr<const StaticFiles> files) {
  router.SetFallback(
      "static", [files = std::move(files)](Request& request) { return files->Serve(request); });
}

void AddUiNotBuiltPage(Router& router, const std::filesystem::path& web_root) {
  router.SetFallback(
      "static", [page = UiNotBuiltHtml(web_root)](Request& request) -> Result<Response> {
        const bool root = request.segments.empty() ||
                          (request.segments.size() == 1 && request.segments.front().empty());
        if (!root) return Fail(NoSuchFile());
        Response response = Text(HttpStatus::ok, page, "text/html; charset=utf-8");
        response.set(boost::beast::http::field::cache_control, "no-cache");
        response.set("Content-Security-Policy", kPageSecurityPolicy);
        return response;
      });
}

}  // namespace clinic::http
