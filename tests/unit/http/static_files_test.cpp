#include "clinic/http/static_files.hpp"

#include <gmock/gmock.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "support/matchers.hpp"

namespace clinic::http {

using ::clinic::testing::StatusIs;
namespace {

namespace fs = std::filesystem;
namespace bhttp = boost::beast::http;

void WriteFile(const fs::path& path, std::string_view contents) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << contents;
}

// A web root with a secret file beside it, and symlinks pointing in and out.
class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "clinic-static-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    base_ = pattern;
    root_ = base_ / "web";
    WriteFile(root_ / "index.html", "<h1>Clinic</h1>");
    WriteFile(root_ / "app.js", "console.log(1)");
    WriteFile(root_ / "css" / "site.css", "body{}");
    WriteFile(root_ / "docs" / "index.html", "<p>docs</p>");
    WriteFile(root_ / "logo.svg", "<svg/>");
    WriteFile(root_ / "data.bin", "\x01\x02");
    WriteFile(root_ / ".env", "SECRET=1");
    WriteFile(base_ / "secret.txt", "TOP SECRET");
    fs::create_symlink(base_ / "secret.txt", root_ / "leak.txt");
    fs::create_symlink(base_, root_ / "outside");
    fs::create_symlink(root_ / "app.js", root_ / "alias.js");
    auto files = StaticFiles::Open({.root = root_, .asset_max_age = std::chrono::seconds(60)});
    ASSERT_TRUE(files.has_value()) << files.error().message;
    files_ = *files;
  }

  void TearDown() override { fs::remove_all(base_); }

  Result<Response> Get(std::string_view target, std::string_view if_none_match = {}) {
    auto request = Request::FromTarget(Method::get, target);
    if (!request) return Fail(request.error());
    if (!if_none_match.empty()) request->headers.set(bhttp::field::if_none_match, if_none_match);
    return files_->Serve(*request);
  }

  fs::path base_;
  fs::path root_;
  std::shared_ptr<const StaticFiles> files_;
};

TEST_F(StaticFilesTest, ServesIndexForRootAndDirectories) {
  auto root = Get("/");
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->result(), HttpStatus::ok);
  EXPECT_EQ(root->body(), "<h1>Clinic</h1>");
  EXPECT_EQ((*root)[bhttp::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ((*root)[bhttp::field::cache_control], "no-cache");
  EXPECT_EQ(Get("/docs/")->body(), "<p>docs</p>");
  EXPECT_EQ(Get("/docs")->body(), "<p>docs</p>");
}

TEST_F(StaticFilesTest, ContentTypeFollowsExtension) {
  EXPECT_EQ((*Get("/app.js"))[bhttp::field::content_type], "text/javascript; charset=utf-8");
  EXPECT_EQ((*Get("/css/site.css"))[bhttp::field::content_type], "text/css; charset=utf-8");
  EXPECT_EQ((*Get("/logo.svg"))[bhttp::field::content_type], "image/svg+xml");
  EXPECT_EQ((*Get("/data.bin"))[bhttp::field::content_type], "application/octet-stream");
  EXPECT_EQ((*Get("/app.js"))[bhttp::field::cache_control], "public, max-age=60");
}

TEST_F(StaticFilesTest, EtagAndIfNoneMatchGive304) {
  auto first = Get("/app.js");
  ASSERT_TRUE(first.has_value());
  std::string etag((*first)[bhttp::field::etag]);
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag.front(), '"');

  for (std::string header : {etag, "W/" + etag, "\"other\", " + etag, std::string("*")}) {
    auto again = Get("/app.js", header);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->result(), HttpStatus::not_modified) << header;
    EXPECT_TRUE(again->body().empty());
    EXPECT_EQ((*again)[bhttp::field::etag], etag);
  }
  EXPECT_EQ(Get("/app.js", "\"stale\"")->result(), HttpStatus::ok);
}

TEST_F(StaticFilesTest, SymlinkInsideTheRootIsServed) {
  EXPECT_EQ(Get("/alias.js")->body(), "console.log(1)");
}

TEST_F(StaticFilesTest, TraversalAttemptsAreRefused) {
  for (auto target :
       {"/../secret.txt", "/css/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt",
        "/css/%2e%2e/%2e%2e/secret.txt", "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt",
        "/..%5csecret.txt", "/app.js%00.html", "/leak.txt", "/outside/secret.txt", "/.env",
        "/css/./site.css", "/%2e/index.html", "//index.html", "/css//site.css"}) {
    auto response = Get(target);
    if (!response) {
      EXPECT_TRUE(response.error().code == ErrorCode::kNotFound ||
                  response.error().code == ErrorCode::kInvalidArgument)
          << target;
      continue;
    }
    ADD_FAILURE() << target << " was served: " << response->body();
  }
}

TEST_F(StaticFilesTest, MissingFilesAreNotFound) {
  auto missing = Get("/missing.js");
  ASSERT_FALSE(missing.has_value());
  EXPECT_THAT(missing, StatusIs(ErrorCode::kNotFound));
  EXPECT_FALSE(Get("/css").has_value());
}

TEST_F(StaticFilesTest, RegisteredAsFallbackBehindRoutes) {
  Router router;
  router.Add(Method::get, "/health",
             [](Request&) -> Result<Response> { return Text(HttpStatus::ok, "ok"); });
  AddStaticFiles(router, files_);
  auto segments = Request::FromTarget(Method::get, "/app.js").value().segments;
  auto match = router.Match(Method::get, segments);
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.label, "static");
  EXPECT_EQ(router.Match(Method::get, {"api", "app.js"}).route, nullptr);
}

TEST_F(StaticFilesTest, PagesCarryTheContentSecurityPolicyAndHashedAssetsAreImmutable) {
  WriteFile(root_ / "assets" / "index-3f2a9c.js", "export {}");
  EXPECT_EQ((*Get("/"))["Content-Security-Policy"], kPageSecurityPolicy);
  EXPECT_EQ((*Get("/docs/"))["Content-Security-Policy"], kPageSecurityPolicy);
  EXPECT_EQ((*Get("/app.js"))["Content-Security-Policy"], "");
  EXPECT_EQ((*Get("/app.js"))[bhttp::field::cache_control], "public, max-age=60");
  EXPECT_EQ((*Get("/assets/index-3f2a9c.js"))[bhttp::field::cache_control],
            "public, max-age=31536000, immutable");
}

TEST(UiNotBuiltPageTest, RootSaysHowToBuildTheUiAndEverythingElseIsNotFound) {
  Router router;
  AddUiNotBuiltPage(router, "/srv/clinic/<web>");
  const auto answer = [&](std::string_view target) {
    auto request = Request::FromTarget(Method::get, target).value();
    auto match = router.Match(Method::get, request.segments);
    EXPECT_NE(match.route, nullptr);
    return match.route->handler(request);
  };
  auto root = answer("/");
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->result(), HttpStatus::ok);
  EXPECT_THAT(root->body(), ::testing::HasSubstr("npm run build"));
  EXPECT_THAT(root->body(), ::testing::HasSubstr("/srv/clinic/&lt;web&gt;"));
  EXPECT_EQ((*root)["Content-Security-Policy"], kPageSecurityPolicy);
  auto other = answer("/app.js");
  ASSERT_FALSE(other.has_value());
  EXPECT_THAT(other, StatusIs(ErrorCode::kNotFound));
}

TEST(StaticFilesOpenTest, RootMustBeADirectory) {
  auto files = StaticFiles::Open({.root = "/nonexistent/clinic/web"});
  ASSERT_FALSE(files.has_value());
  EXPECT_THAT(files, StatusIs(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace clinic::http
