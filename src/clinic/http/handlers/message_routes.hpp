#pragma once

#include "clinic/http/handlers/route_table.hpp"
#include "clinic/service/message_service.hpp"

namespace clinic::http {

// Doctor–patient messages, one thread per appointment (its patient and doctor, and admins):
//   GET  /api/v1/appointments/{id}/messages  ?before, limit → {items, next_cursor}, newest first;
//   POST /api/v1/appointments/{id}/messages  {text?, markdown?, tags?, attachments?: [file_id],
//       client_msg_id?} → 201 the
//       stored document; a retried client_msg_id → 200 with the first one;
//   POST /api/v1/appointments/{id}/messages/read  {up_to} → {marked};
//   GET  /api/v1/messages/unread             → {items: [{thread_id, appointment_id, unread}]};
//   PATCH /api/v1/messages/{id}              {text, version} → the document (409 when stale).
// Each message is the stored document (the seed's shape, `_id` a hex string, instants RFC 3339)
// plus `html`: its markdown rendered safely, or null.
void AddMessageRoutes(RouteTable& routes, service::MessageService& messages);

}  // namespace clinic::http
