// libFuzzer target: request targets through the URI parser and the router. Every target ends in a
// route with its path parameters, or a rejection; nothing a client sends crashes the match.

#include <cstddef>
#include <cstdint>
#include <string>

#include "clinic/http/router.hpp"
#include "fuzz_check.hpp"

namespace {

clinic::http::Router& FuzzRouter() {
  using namespace clinic::http;
  static Router router = [] {
    Router r;
    const auto ok = [](Request&) -> clinic::Result<Response> { return Response{}; };
    for (const char* pattern :
         {"/health", "/api/v1/doctors", "/api/v1/doctors/{id}", "/api/v1/doctors/{id}/slots",
          "/api/v1/appointments/{id}/messages", "/api/v1/appointments/{id}/messages/read",
          "/api/v1/messages/{id}", "/api/v1/attachments/{id}"}) {
      r.Add(Method::get, pattern, ok);
      r.Add(Method::post, pattern, ok);
    }
    r.SetFallback("static", ok);
    return r;
  }();
  return router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace clinic::http;
  if (size == 0) return 0;
  const Method method = data[0] % 2 == 0 ? Method::get : Method::post;
  const std::string target(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto request = Request::FromTarget(method, target);
  if (!request) return 0;
  const auto match = FuzzRouter().Match(method, request->segments);
  if (match.route != nullptr) {
    for (const auto& [name, value] : match.path_params) clinic::fuzz::Require(!name.empty());
  }
  return 0;
}
