#include "clinic/app/config.hpp"

#include <gtest/gtest.h>

#include "clinic/service/password_hasher.hpp"

namespace clinic::app {

namespace {

TEST(ListenAddress, ParsesHostAndPort) {
  auto a = ParseListenAddress("127.0.0.1:8080");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  EXPECT_EQ(ParseListenAddress("[::1]:0")->host, "::1");
  EXPECT_EQ(ParseListenAddress("localhost:9000")->host, "127.0.0.1");
}

TEST(ListenAddress, RejectsNonsense) {
  for (const char* bad : {"8080", ":8080", "127.0.0.1:", "127.0.0.1:99999", "127.0.0.1:80x",
                          "example.com:80", "127.0.0.1:-1"}) {
    EXPECT_FALSE(ParseListenAddress(bad)) << bad;
  }
}

TEST(StorageConfig, DocsDefaultToTheSqliteFile) {
  StorageConfig config{.db_uri = "sqlite:///tmp/x.db", .docs_uri = ""};
  ASSERT_TRUE(ValidateStorageConfig(config));
  EXPECT_EQ(config.docs_uri, "sqlite:///tmp/x.db");
}

TEST(StorageConfig, NamesTheBadOption) {
  auto check = [](StorageConfig config) {
    auto valid = ValidateStorageConfig(config);
    return valid ? std::string() : valid.error().message;
  };
  EXPECT_EQ(check({.db_uri = "postgres://x/y", .docs_uri = ""}).rfind("--db:", 0), 0u);
  EXPECT_EQ(check({.db_uri = "mysql://u@h:3306/", .docs_uri = "sqlite://x.db"}).rfind("--db:", 0),
            0u);
  EXPECT_EQ(check({.db_uri = "mysql://u@h:3306/clinic", .docs_uri = ""}).rfind("--docs:", 0), 0u);
  EXPECT_EQ(check({.db_uri = "sqlite://x.db", .docs_uri = "redis://x"}).rfind("--docs:", 0), 0u);
  EXPECT_EQ(check({.db_uri = "mysql://u:p@h:3306/clinic", .docs_uri = "mongodb://h:27017/c"}), "");
}

TEST(ServerConfig, FillsDefaultsAndChecksRanges) {
  ServerConfig config;
  ASSERT_TRUE(ValidateServerConfig(config));
  EXPECT_GE(config.threads, 1u);
  EXPECT_GE(config.workers, config.threads);
  EXPECT_GE(config.password_workers, 1u);
  ServerConfig bad;
  bad.log_level = "loud";
  EXPECT_FALSE(ValidateServerConfig(bad));
  ServerConfig tiny;
  tiny.max_body_bytes = 10;
  EXPECT_FALSE(ValidateServerConfig(tiny));
  ServerConfig quota_below_one_file;
  quota_below_one_file.upload_quota_bytes = quota_below_one_file.max_attachment_bytes - 1;
  EXPECT_FALSE(ValidateServerConfig(quota_below_one_file));
}

TEST(PasswordHasher, VerifiesOnlyTheRightPassword) {
  const service::PasswordHasher hasher(service::PasswordHasher::Cost::kFastForTests);
  auto hash = hasher.Hash("correct horse battery");
  ASSERT_TRUE(hash);
  EXPECT_TRUE(hash->starts_with("$argon2id$"));
  EXPECT_LE(hash->size(), 255u) << "must fit password_hash VARCHAR(255)";
  EXPECT_TRUE(hasher.Verify(*hash, "correct horse battery"));
  EXPECT_FALSE(hasher.Verify(*hash, "correct horse batterz"));
  EXPECT_FALSE(hasher.Verify("not a hash", "correct horse battery"));
  EXPECT_NE(*hasher.Hash("correct horse battery"), *hash) << "each hash has its own salt";
  EXPECT_EQ(hasher.counters().verifications, 3u);
  EXPECT_EQ(hasher.counters().hashes, 2u);
}

}  // namespace
}  // namespace clinic::app
