#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/booking_fixture.hpp"
#include "support/websocket_client.hpp"

namespace clinic::testing {

// A booking API test whose server keeps its messages where production would: the embedded
// document store on the SQLite run, MongoDB (the wire peer) on the MariaDB run when the peer is
// there (CLINIC_TEST_MONGO_URI). Live opens the live WebSocket of a logged-in user.
class MessagingApiTest : public BookingApiTest {
 protected:
  std::string DocsUri(const std::filesystem::path& directory) const override;

  // A live connection as the holder of `token`, to this server or the one on `on_port`, with its
  // `ready` event read; nullptr (and a test failure) when it cannot be opened.
  std::unique_ptr<test_support::WebSocketClient> Live(const std::string& token,
                                                      std::uint16_t on_port = 0);

  // The `items` of the list a GET of `target` answers the holder of `token` (a test failure and
  // none unless it answers 200).
  std::vector<boost::json::value> Items(const std::string& target, const std::string& token);
};

}  // namespace clinic::testing
