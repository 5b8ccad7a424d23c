// libFuzzer target: the JSON request body reader, the typed field readers and the text rules, on
// any bytes. Every input ends in values or a problem, and the problem document is valid UTF-8.

#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "clinic/domain/validator.hpp"
#include "clinic/http/json_body.hpp"
#include "clinic/http/problem.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace clinic::http;
  Request request = Request::FromTarget(Method::post, "/fuzz").value();
  request.headers.set(boost::beast::http::field::content_type, "application/json");
  request.body.assign(reinterpret_cast<const char*>(data), size);
  auto object = ParseJsonObject(request);
  if (!object) {
    clinic::fuzz::RequireUtf8(boost::json::serialize(ProblemDocument(object.error())));
    return 0;
  }
  JsonFields fields(*object);
  clinic::domain::Validator check;
  (void)check.OptionalText("text", fields.OptionalString("text"), 4000, /*multiline=*/true);
  if (auto checked = check.Finish(); !checked) {
    clinic::fuzz::RequireUtf8(boost::json::serialize(ProblemDocument(checked.error())));
  }
  (void)fields.OptionalInt("slot_id", {.min = 1});
  (void)fields.OptionalBool("is_active");
  (void)fields.OptionalInstant("from");
  (void)fields.OptionalDate("date_of_birth");
  (void)fields.StringArray("tags", {.max_items = 50});
  fields.ObjectArray("weekly", {.max_items = 50}, [](JsonFields& item) {
    (void)item.RequiredInt("weekday", {.min = 1, .max = 7});
    (void)item.RequiredString("start");
  });
  if (auto finished = fields.Finish(); !finished) {
    clinic::fuzz::RequireUtf8(boost::json::serialize(ProblemDocument(finished.error())));
  }
  return 0;
}
