// Whose address a request is counted under: the peer's, or the client a trusted proxy names.

#include "clinic/http/client_address.hpp"

#include <gtest/gtest.h>

namespace clinic::http {
namespace {

std::vector<IpNetwork> Networks(std::initializer_list<const char*> texts) {
  std::vector<IpNetwork> networks;
  for (const char* text : texts) networks.push_back(IpNetwork::Parse(text).value());
  return networks;
}

boost::asio::ip::address Address(const char* text) { return boost::asio::ip::make_address(text); }

TEST(IpNetwork, ParsesAddressesAndCidrNetworks) {
  EXPECT_TRUE(IpNetwork::Parse("10.0.0.0/8")->Contains(Address("10.200.3.4")));
  EXPECT_FALSE(IpNetwork::Parse("10.0.0.0/8")->Contains(Address("11.0.0.1")));
  EXPECT_TRUE(IpNetwork::Parse("192.168.1.128/25")->Contains(Address("192.168.1.200")));
  EXPECT_FALSE(IpNetwork::Parse("192.168.1.128/25")->Contains(Address("192.168.1.127")));
  EXPECT_TRUE(IpNetwork::Parse("127.0.0.1")->Contains(Address("127.0.0.1")));
  EXPECT_FALSE(IpNetwork::Parse("127.0.0.1")->Contains(Address("127.0.0.2")));
  EXPECT_TRUE(IpNetwork::Parse("fd00::/8")->Contains(Address("fd12::1")));
  EXPECT_FALSE(IpNetwork::Parse("fd00::/8")->Contains(Address("10.0.0.1")));
  EXPECT_TRUE(IpNetwork::Parse("10.0.0.0/8")->Contains(Address("::ffff:10.1.2.3")))
      << "an IPv4-mapped IPv6 peer is its IPv4 address";
  EXPECT_TRUE(IpNetwork::Parse("0.0.0.0/0")->Contains(Address("203.0.113.9")));
  for (const char* bad : {"", "proxy.example", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x",
                          "fd00::/129", "10.0.0.0/8/8", "300.1.1.1"}) {
    EXPECT_FALSE(IpNetwork::Parse(bad)) << bad;
  }
}

TEST(ClientAddress, IsThePeerUnlessThePeerIsATrustedProxy) {
  const auto proxies = Networks({"10.0.0.0/8"});
  EXPECT_EQ(ClientAddress("203.0.113.9", "198.51.100.7", proxies), "203.0.113.9")
      << "a client cannot name itself";
  EXPECT_EQ(ClientAddress("10.0.0.5", "198.51.100.7", proxies), "198.51.100.7");
  EXPECT_EQ(ClientAddress("10.0.0.5", "", proxies), "10.0.0.5");
  EXPECT_EQ(ClientAddress("10.0.0.5", "198.51.100.7", {}), "10.0.0.5");
}

TEST(ClientAddress, TakesTheRightMostHopThatIsNotAProxy) {
  const auto proxies = Networks({"10.0.0.0/8"});
  EXPECT_EQ(ClientAddress("10.0.0.5", "1.2.3.4, 198.51.100.7", proxies), "198.51.100.7")
      << "what the client wrote itself (1.2.3.4) is not believed";
  EXPECT_EQ(ClientAddress("10.0.0.5", "198.51.100.7, 10.0.0.9", proxies), "198.51.100.7")
      << "a chain of trusted proxies";
  EXPECT_EQ(ClientAddress("10.0.0.5", "10.0.0.8,10.0.0.9", proxies), "10.0.0.8")
      << "all proxies: the farthest";
  EXPECT_EQ(ClientAddress("10.0.0.5", "garbage, 198.51.100.7", proxies), "198.51.100.7");
  EXPECT_EQ(ClientAddress("10.0.0.5", "198.51.100.7, garbage", proxies), "10.0.0.5")
      << "an unreadable last hop: nothing in the header is believed";
  EXPECT_EQ(ClientAddress("10.0.0.5", "2001:db8::1", proxies), "2001:db8::1");
}

}  // namespace
}  // namespace clinic::http
