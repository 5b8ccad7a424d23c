#pragma once

// Internal to the HTTP server (server.cpp and the connection types it serves).

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <memory>

#include "clinic/http/connection_registry.hpp"
#include "clinic/http/router.hpp"
#include "clinic/http/server_core.hpp"

namespace clinic::http::detail {

// Turns an HTTP connection whose upgrade its route accepted into a WebSocket connection for
// `channel`: completes the handshake of `request`, then reads and drops what the client sends
// (Beast answers pings), writes the channel's frames in order from a bounded queue
// (WebSocketPeer::kMaxQueuedFrames), and closes with "going away" when the server stops. Call it
// on the connection's strand, which the WebSocket connection keeps. It lives, holding `slot` and
// the channel, as long as a read or write is pending.
void StartWebSocketSession(
    boost::beast::tcp_stream stream,
    const boost::beast::http::request<boost::beast::http::empty_body>& request,
    std::shared_ptr<ServerCore> core, std::shared_ptr<ConnectionSlot> slot,
    std::shared_ptr<WebSocketChannel> channel);

}  // namespace clinic::http::detail
