#include "support/in_process_api.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <stdexcept>
#include <utility>

#include "clinic/app/stores.hpp"
#include "clinic/common/crypto.hpp"
#include "clinic/http/metrics.hpp"
#include "clinic/http/operations_routes.hpp"
#include "clinic/http/problem.hpp"

namespace clinic::testing {
namespace {

template <typename T>
T OrThrow(Result<T> result, std::string_view what) {
  if (!result) throw std::runtime_error(std::string(what) + ": " + result.error().message);
  return std::move(*result);
}

}  // namespace

InProcessApi::InProcessApi()
    : directory_(std::filesystem::temp_directory_path() / ("clinic-in-process-" + RandomToken(6))) {
  std::filesystem::create_directories(directory_);
  config_.storage.db_uri = "sqlite://" + (directory_ / "clinic.db").string();
  config_.storage.docs_uri = config_.storage.db_uri;
  config_.fast_password_hashing = true;
  config_.registrations_per_address = 100000;
  store_ = OrThrow(app::OpenStore(config_.storage, 2), "opening the store");
  documents_ = OrThrow(app::OpenDocumentStores(config_.storage, 2, (directory_ / "files").string()),
                       "opening the document stores");
  api_ = std::make_unique<app::Api>(*store_, documents_, config_);
  http::AddOperationsRoutes(router_, {.metrics = std::make_shared<http::Metrics>()});
  api_->AddRoutes(router_);
}

InProcessApi::~InProcessApi() {
  api_.reset();
  store_.reset();
  documents_ = {};
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

http::Response InProcessApi::Send(http::Method method, std::string_view target, std::string body,
                                  std::string_view bearer) {
  auto request = OrThrow(http::Request::FromTarget(method, target), "the request's target");
  request.client_address = "127.0.0.1";
  request.request_id = "in-process-" + RandomToken(6);
  if (!body.empty()) {
    request.headers.set(boost::beast::http::field::content_type, "application/json");
    request.body = std::move(body);
  }
  if (!bearer.empty()) {
    request.headers.set(boost::beast::http::field::authorization, "Bearer " + std::string(bearer));
  }
  const auto match = router_.Match(request.method, request.segments);
  if (match.route == nullptr) return http::RejectionResponse(match);
  request.path_params = match.path_params;
  request.route = std::string(match.label);
  auto answer = match.route->handler(request);
  if (!answer) return http::Problem(answer.error());
  return std::move(*answer);
}

std::string InProcessApi::PatientToken(std::string_view email) {
  const std::string password = "a-long-password";
  const boost::json::object account{
      {"first_name", "Pat"}, {"last_name", "Ient"}, {"email", email}, {"password", password}};
  const auto registered =
      Send(http::Method::post, "/api/v1/auth/register", boost::json::serialize(account));
  if (registered.result_int() != 201) throw std::runtime_error("register: " + registered.body());
  const boost::json::object login{{"email", email}, {"password", password}};
  const auto logged_in =
      Send(http::Method::post, "/api/v1/auth/login", boost::json::serialize(login));
  if (logged_in.result_int() != 200) throw std::runtime_error("login: " + logged_in.body());
  return std::string(boost::json::parse(logged_in.body()).at("token").as_string());
}

}  // namespace clinic::testing
