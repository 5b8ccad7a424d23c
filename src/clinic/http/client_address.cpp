#include "clinic/http/client_address.hpp"

#include <fmt/format.h>

#include <charconv>

namespace clinic::http {
namespace {

namespace ip = boost::asio::ip;

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The address, with IPv4-mapped IPv6 addresses as the IPv4 address they carry.
ip::address Unmapped(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

std::optional<ip::address> ParseAddress(std::string_view text) {
  boost::system::error_code error;
  const auto address = ip::make_address(std::string(Trim(text)), error);
  if (error) return std::nullopt;
  return Unmapped(address);
}

bool IsTrusted(const ip::address& address, const std::vector<IpNetwork>& trusted) {
  for (const auto& network : trusted) {
    if (network.Contains(address)) return true;
  }
  return false;
}

}  // namespace

Result<IpNetwork> IpNetwork::Parse(std::string_view text) {
  const auto invalid = [&] {
    return Fail(Error::InvalidArgument(
        fmt::format("\"{}\" is not an IP address or network (10.0.0.0/8, fd00::/8)", text)));
  };
  const auto slash = text.find('/');
  const auto base = ParseAddress(text.substr(0, slash));
  if (!base) return invalid();
  const unsigned bits = base->is_v4() ? 32 : 128;
  unsigned prefix = bits;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size() ||
        prefix > bits) {
      return invalid();
    }
  }
  return IpNetwork(*base, prefix);
}

bool IpNetwork::Contains(const ip::address& address) const {
  const ip::address candidate = Unmapped(address);
  if (candidate.is_v4() != base_.is_v4()) return false;
  const auto compare = [this](const auto& a, const auto& b) {
    unsigned left = prefix_;
    for (std::size_t i = 0; i < a.size() && left > 0; ++i) {
      const unsigned take = std::min(left, 8u);
      const auto mask = static_cast<unsigned char>(0xFF << (8 - take));
      if ((a[i] & mask) != (b[i] & mask)) return false;
      left -= take;
    }
    return true;
  };
  if (candidate.is_v4()) return compare(candidate.to_v4().to_bytes(), base_.to_v4().to_bytes());
  return compare(candidate.to_v6().to_bytes(), base_.to_v6().to_bytes());
}

std::string ClientAddress(std::string_view peer, std::string_view forwarded_for,
                          const std::vector<IpNetwork>& trusted_proxies) {
  const auto peer_address = ParseAddress(peer);
  if (!peer_address || !IsTrusted(*peer_address, trusted_proxies)) return std::string(peer);
  // Right to left: the last hop a trusted proxy saw is the client, unless it is a proxy itself.
  std::optional<ip::address> client;
  while (!forwarded_for.empty()) {
    const auto comma = forwarded_for.rfind(',');
    const auto hop = ParseAddress(
        comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for =
        comma == std::string_view::npos ? std::string_view{} : forwarded_for.substr(0, comma);
    if (!hop) break;  // garbage in the header: nothing left of it can be believed
    client = *hop;
    if (!IsTrusted(*hop, trusted_proxies)) break;
  }
  return client ? client->to_string() : std::string(peer);
}

}  // namespace clinic::http
