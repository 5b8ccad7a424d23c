#include "support/messaging_fixture.hpp"

#include "support/matchers.hpp"

namespace clinic::testing {

std::string MessagingApiTest::DocsUri(const std::filesystem::path& directory) const {
  if (GetParam() == storage::sql::Dialect::kMysql) {
    if (auto mongo = TestMongoUri("clinic_e2e_" + directory.filename().string())) return *mongo;
  }
  return BookingApiTest::DocsUri(directory);
}

std::unique_ptr<test_support::WebSocketClient> MessagingApiTest::Live(const std::string& token,
                                                                      std::uint16_t on_port) {
  auto connected = test_support::WebSocketClient::Connect(
      on_port == 0 ? port() : on_port, "/api/v1/live", {{"Authorization", "Bearer " + token}});
  EXPECT_THAT(connected, IsOk());
  if (!connected) return nullptr;
  const auto ready = (*connected)->Next();
  EXPECT_TRUE(ready && ready->at("type") == "ready");
  return std::move(*connected);
}

std::vector<boost::json::value> MessagingApiTest::Items(const std::string& target,
                                                        const std::string& token) {
  auto response = Call("GET", target, std::nullopt, token);
  EXPECT_EQ(response.status, 200) << response.body;
  std::vector<boost::json::value> items;
  if (response.status != 200) return items;
  const auto json = response.Json();
  for (const auto& item : json.at("items").as_array()) items.push_back(item);
  return items;
}

}  // namespace clinic::testing
