#pragma once

#include <boost/asio/ip/address.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clinic/common/result.hpp"

namespace clinic::http {

// An IP network in CIDR notation: "10.0.0.0/8", "fd00::/8"; a bare address is the network of that
// address alone ("127.0.0.1" is 127.0.0.1/32). IPv4 addresses mapped into IPv6 (::ffff:a.b.c.d)
// count as the IPv4 address.
class IpNetwork {
 public:
  // kInvalidArgument for anything else (a host name, a prefix longer than the address).
  static Result<IpNetwork> Parse(std::string_view text);

  bool Contains(const boost::asio::ip::address& address) const;

 private:
  IpNetwork(boost::asio::ip::address base, unsigned prefix)
      : base_(std::move(base)), prefix_(prefix) {}

  boost::asio::ip::address base_;
  unsigned prefix_;
};

// The address of the client a request comes from, for throttling and the audit trail. It is the
// TCP peer's, unless the peer is one of the `trusted_proxies` (the load balancer): then it is the
// right-most address of X-Forwarded-For that is not itself a trusted proxy, since each proxy
// appends the address it received the request from and only the part the trusted proxies wrote
// can be believed. A client cannot choose its own address by sending the header: from an untrusted
// peer the header is ignored. Without a usable X-Forwarded-For, the peer's address.
std::string ClientAddress(std::string_view peer, std::string_view forwarded_for,
                          const std::vector<IpNetwork>& trusted_proxies);

}  // namespace clinic::http
