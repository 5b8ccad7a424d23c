// MongoDB unreachable (docs/decisions.md "Operations"): the relational core still books, so clinicd
// starts without its document store and stays in the load balancer (/health/ready 200,
// "degraded", the document store reported down on its own), bookings go on, and every request
// about messages answers a clean 503 instead of hanging or failing the instance.

#include <fmt/format.h>
#include <gmock/gmock.h>

#include <future>

#include "support/booking_fixture.hpp"
#include "support/private_mariadb.hpp"

namespace clinic::testing {
namespace {

using boost::json::object;
using ::testing::HasSubstr;

class DocumentStoreOutageTest : public BookingApiTest {
 protected:
  // MongoDB at a port where nothing listens.
  std::string DocsUri(const std::filesystem::path&) const override {
    const auto port = FreePort();
    EXPECT_TRUE(port);
    return fmt::format("mongodb://127.0.0.1:{}/clinic?directConnection=true", port.value_or(1));
  }

  // Expects /health/ready to keep the instance in the load balancer with only the document store
  // failing. Asked on a connection of its own, so that it can be asked while a request waits.
  void ExpectReadyWithoutDocuments() {
    test_support::HttpClient load_balancer(port());
    const auto ready = load_balancer.Get("/health/ready");
    ASSERT_TRUE(ready) << ready.error().message;
    ASSERT_EQ(ready->status, 200) << ready->body;
    const auto report = ready->Json();
    EXPECT_EQ(report.at("status"), "degraded");
    EXPECT_EQ(report.at("checks").at("database").at("status"), "ok");
    EXPECT_EQ(report.at("checks").at("documents").at("status"), "error");
    EXPECT_THAT(std::string(report.at("checks").at("documents").at("message").as_string()),
                HasSubstr("the document store does not answer"));
  }
};

TEST_P(DocumentStoreOutageTest, AnInstanceWithoutItsDocumentStoreStaysReadyAndBooks) {
  EXPECT_EQ(Call("GET", "/health/live").status, 200);
  ExpectReadyWithoutDocuments();
  const auto full = Call("GET", "/health");
  EXPECT_EQ(full.status, 503) << "monitoring sees the outage";
  EXPECT_THAT(full.body, HasSubstr("documents"));

  const auto location = CreateLocation();
  const auto doctor = CreateDoctor("heart@clinic.example");
  const auto [patient, token] = RegisterPatient("ana@example.com");
  const auto booked =
      Call("POST", "/api/v1/appointments",
           object{{"slot_id", CreateSlot(doctor, location, On2030(1), On2030(2))}}, token);
  ASSERT_EQ(booked.status, 201) << booked.body;
  const auto thread = AppointmentPath(booked.Json().at("id").as_int64(), "messages");

  // A message request waits for a server up to the driver's selection timeout: readiness must
  // not waver meanwhile, as it would if the health probe waited as long.
  auto posted = std::async(std::launch::async, [&] {
    return Call("POST", thread, object{{"text", "Is fasting needed?"}}, token);
  });
  while (posted.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
    ASSERT_NO_FATAL_FAILURE(ExpectReadyWithoutDocuments());
  }
  const auto post = posted.get();
  EXPECT_EQ(post.status, 503) << post.body;
  EXPECT_THAT(post.body, HasSubstr("unavailable"));
  const auto listed = Call("GET", thread, std::nullopt, token);
  EXPECT_EQ(listed.status, 503) << listed.body;

  EXPECT_EQ(
      Call("GET", AppointmentPath(booked.Json().at("id").as_int64()), std::nullopt, token).status,
      200);
  ExpectReadyWithoutDocuments();
}

CLINIC_INSTANTIATE_FOR_SQL_BACKENDS(DocumentStoreOutageTest);

}  // namespace
}  // namespace clinic::testing
