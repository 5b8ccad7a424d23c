#pragma once

// Internal to the HTTP server (server.cpp and the connection types it serves).

#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "clinic/http/connection_registry.hpp"
#include "clinic/http/server_core.hpp"

namespace clinic::http::detail {

// Serves an admitted connection as HTTP/1.1, with the behaviour Server documents: header first
// (with its size limit and time limits), then the route decides the body limit, the handler runs
// on the I/O thread or the worker pool (503 when its queue is full), the response is completed
// and written (a streamed body a chunk at a time, each read on the worker pool), the exchange
// logged and counted, and the connection kept alive when allowed. An accepted WebSocket upgrade
// hands the socket and `slot` on (StartWebSocketSession).
//
// Everything but the handler call and the reads of a streamed body runs on the socket's strand,
// one step at a time, so a connection's requests are answered in order. It lives, holding
// `slot`, as long as an I/O step, its handler or a read of its body is pending.
void StartHttpSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<ServerCore> core,
                      std::shared_ptr<ConnectionSlot> slot);

}  // namespace clinic::http::detail
