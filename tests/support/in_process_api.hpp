#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "clinic/app/api.hpp"
#include "clinic/app/config.hpp"
#include "clinic/http/response.hpp"
#include "clinic/http/router.hpp"
#include "clinic/storage/store.hpp"

namespace clinic::testing {

// The API as clinicd builds it (SQLite in a folder of its own, fast password hashing, the
// operations routes), answering requests in process: router, route table and handlers, with no
// socket in between. For what a route answers without needing a real server. Not thread-safe.
class InProcessApi {
 public:
  InProcessApi();
  ~InProcessApi();
  InProcessApi(const InProcessApi&) = delete;
  InProcessApi& operator=(const InProcessApi&) = delete;

  // Answers `method target` as the server would (404/405 from the router, problem+json for an
  // error), with a JSON `body` when not empty and `Authorization: Bearer <bearer>` when not empty.
  http::Response Send(http::Method method, std::string_view target, std::string body = {},
                      std::string_view bearer = {});

  // A new patient's session token (registered and logged in through the API).
  std::string PatientToken(std::string_view email);

  const app::Api& api() const { return *api_; }
  const http::Router& router() const { return router_; }

 private:
  std::filesystem::path directory_;
  app::ServerConfig config_;
  std::unique_ptr<storage::Store> store_;
  storage::DocumentStores documents_;
  std::unique_ptr<app::Api> api_;
  http::Router router_;
};

}  // namespace clinic::testing
