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
  // Cache lifetime of assets (scripts, styles, images). HTML is always "no-cache" so a new UI
  // version is picked up at once; assets are not fingerprinted, hence a short default.
  std::chrono::seconds asset_max_age{300};
};

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

}  // namespace clinic::http
