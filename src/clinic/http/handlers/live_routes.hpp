#pragma once

#include "clinic/http/handlers/route_table.hpp"
#include "clinic/service/live_feed.hpp"

namespace clinic::http {

// GET /api/v1/live: a WebSocket subscribed to `feed` as the logged-in caller (bearer token, or the
// session cookie from a page of this server's own origin: another Origin is a 403, against
// cross-site WebSocket hijacking); without an upgrade: 426. Each event is one JSON text frame:
// {type: "ready", user}, {type: "message", appointment_id, message}, {type: "read",
// appointment_id, user, up_to, read_at}, {type: "appointment", change, appointment}. A client
// that falls WebSocketPeer::kMaxQueuedFrames behind is disconnected.
void AddLiveRoutes(RouteTable& routes, service::LiveFeed& feed);

}  // namespace clinic::http
