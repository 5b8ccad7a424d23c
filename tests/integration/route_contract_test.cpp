// The routes clinicd registers against the contract it publishes (api/openapi.yaml, served as
// /api/openapi.json): the same methods and paths both ways, and for every API route the same
// query parameters. Built in-process, as clinicd builds its router, without a socket.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/beast/http/verb.hpp>
#include <boost/json/parse.hpp>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "support/in_process_api.hpp"

namespace clinic {
namespace {

using Operation = std::pair<std::string, std::string>;  // {"GET", "/api/v1/doctors/{}"}

// "/api/v1/messages/{message_id}" → "/api/v1/messages/{}": the contract and the router may name
// a path's variables differently; the shape is what must agree.
std::string Shape(std::string_view pattern) {
  std::string shape;
  bool in_name = false;
  for (const char c : pattern) {
    if (c == '{') {
      in_name = true;
      shape += "{}";
    } else if (c == '}') {
      in_name = false;
    } else if (!in_name) {
      shape += c;
    }
  }
  return shape;
}

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// What the contract says: each operation and the names of its query parameters.
std::map<Operation, std::set<std::string>> ContractOperations(const boost::json::object& contract) {
  const auto& components = contract.at("components").as_object().at("parameters").as_object();
  const auto query_names = [&components](const boost::json::value* parameters) {
    std::set<std::string> names;
    if (parameters == nullptr) return names;
    for (const auto& entry : parameters->as_array()) {
      const boost::json::object* parameter = &entry.as_object();
      if (const auto* ref = parameter->if_contains("$ref")) {
        const std::string target(ref->as_string());
        parameter = &components.at(target.substr(target.rfind('/') + 1)).as_object();
      }
      if (parameter->at("in").as_string() == "query") {
        names.insert(std::string(parameter->at("name").as_string()));
      }
    }
    return names;
  };
  std::map<Operation, std::set<std::string>> operations;
  for (const auto& [path, item] : contract.at("paths").as_object()) {
    const auto shared = query_names(item.as_object().if_contains("parameters"));
    for (const auto& [method, operation] : item.as_object()) {
      if (method == "parameters") continue;
      auto names = query_names(operation.as_object().if_contains("parameters"));
      names.insert(shared.begin(), shared.end());
      operations[{Upper(std::string(method)), Shape(path)}] = std::move(names);
    }
  }
  return operations;
}

class RouteContractTest : public ::testing::Test {
 protected:
  boost::json::object Contract() {
    const auto response = api_.Send(http::Method::get, "/api/openapi.json");
    EXPECT_EQ(response.result_int(), 200);
    return boost::json::parse(response.body()).as_object();
  }

  testing::InProcessApi api_;
};

TEST_F(RouteContractTest, EveryRouteIsInTheContractAndEveryOperationHasARoute) {
  std::set<Operation> routed;
  for (const auto& [method, pattern] : api_.router().Routes()) {
    routed.insert({std::string(boost::beast::http::to_string(method)), Shape(pattern)});
  }
  std::set<Operation> documented;
  for (const auto& [operation, query] : ContractOperations(Contract()))
    documented.insert(operation);

  std::set<Operation> undocumented;
  std::set_difference(routed.begin(), routed.end(), documented.begin(), documented.end(),
                      std::inserter(undocumented, undocumented.end()));
  std::set<Operation> unrouted;
  std::set_difference(documented.begin(), documented.end(), routed.begin(), routed.end(),
                      std::inserter(unrouted, unrouted.end()));
  EXPECT_THAT(undocumented, ::testing::IsEmpty()) << "routes missing from api/openapi.yaml";
  EXPECT_THAT(unrouted, ::testing::IsEmpty()) << "operations in api/openapi.yaml without a route";
  EXPECT_GT(routed.size(), 70U);
}

TEST_F(RouteContractTest, EachRouteAcceptsTheQueryParametersTheContractNames) {
  const auto documented = ContractOperations(Contract());
  ASSERT_FALSE(api_.api().route_specs().empty());
  for (const auto& spec : api_.api().route_specs()) {
    const Operation operation{std::string(boost::beast::http::to_string(spec.method)),
                              Shape(spec.path)};
    const auto found = documented.find(operation);
    ASSERT_NE(found, documented.end()) << operation.first << " " << operation.second;
    const std::set<std::string> declared(spec.query.begin(), spec.query.end());
    EXPECT_EQ(declared, found->second) << operation.first << " " << spec.path;
  }
}

TEST_F(RouteContractTest, TheRoutesThatMayHashAPasswordRunOnThePasswordWorkers) {
  // Login, registration, a password change and an admin setting someone's password: each may run
  // argon2 (tens of milliseconds of a core), so none may hold a request worker.
  const std::set<Operation> hashing = {
      {"POST", "/api/v1/auth/register"}, {"POST", "/api/v1/auth/login"},
      {"POST", "/api/v1/auth/password"}, {"POST", "/api/v1/doctors"},
      {"PATCH", "/api/v1/doctors/{}"},   {"POST", "/api/v1/patients"},
      {"PATCH", "/api/v1/patients/{}"},  {"POST", "/api/v1/admins"},
      {"PATCH", "/api/v1/admins/{}"}};
  std::set<Operation> declared;
  for (const auto& spec : api_.api().route_specs()) {
    if (spec.hashes_passwords) {
      declared.insert({std::string(boost::beast::http::to_string(spec.method)), Shape(spec.path)});
    }
  }
  EXPECT_EQ(declared, hashing);
}

}  // namespace
}  // namespace clinic
