#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "clinic/common/result.hpp"
#include "clinic/http/request.hpp"
#include "clinic/http/response.hpp"
#include "clinic/http/router.hpp"

namespace clinic::http {

struct StaticFilesOptions {
  std::filesystem::path root{};  // the directory served at "/"
  // Cache lifetime of assets (scripts, styles, images) outside `assets/`. HTML is always
  // "no-cache" so a new UI version is picked up at once. Files below `assets/` carry a content
  // hash in their names (the UI's build writes them so) and are cached for a year, immutable.
  std::chrono::seconds asset_max_age{300};
};

// The Content-Security-Policy of every HTML page clinicd serves: scripts, styles, fonts, frames
// and connections (fetch and the live WebSocket) from this origin only, no inline script, no
// plugins, not framed by other sites. Images may also be blob: or data: URLs (attachment
// previews).
inline constexpr std::string_view kPageSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

// Serves the files below one directory (the web UI) for GET and HEAD. "/" and directories answer
// their index.html. Content-Type follows the extension. Answers carry an ETag (size and
// modification time) and honour If-None-Match with 304.
//
// Only files inside the root are ever read: a path segment that is empty (other than a trailing
// one), ".", "..", starts with '.', or contains '/', '\' or NUL after percent-decoding is refused,
// and the resolved path (symlinks followed) must still lie inside the root. Refusals and missing
// files alike answer a 404 problem, revealing nothing about the file system. Thread-safe.
class StaticFiles {
 public:
  // InvalidArgument when `options.root` is not a readable directory.
  static Result<std::shared_ptr<const StaticFiles>> Open(StaticFilesOptions options);

  Result<Response> Serve(const Request& request) const;

 private:
  explicit StaticFiles(StaticFilesOptions options);
  StaticFilesOptions options_;
};

// Registers `files` as the router's fallback, labelled "static", behind every API route.
void AddStaticFiles(Router& router, std::shared_ptr<const StaticFiles> files);

// The fallback when the UI has not been built into `web_root`: "/" answers a short page that
// says how to build it (the API works all the same); every other path is a 404 problem.
void AddUiNotBuiltPage(Router& router, const std::filesystem::path& web_root);

}  // namespace clinic::http
