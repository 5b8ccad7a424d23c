#pragma once

#include <cstddef>

#include "clinic/http/handlers/route_table.hpp"
#include "clinic/service/attachment_service.hpp"

namespace clinic::http {

// Message attachments (anyone logged in uploads; see AttachmentService for who downloads):
//   POST /api/v1/attachments?file_name=  raw body with its Content-Type → 201 {file_id, file_name,
//       mime_type, size_bytes, sha256}; 413 over `max_bytes` (nothing is stored), 415 for a type
//       off the allow-list;
//   GET  /api/v1/attachments/{file_id}   → the bytes with the stored type, as a download
//       (Content-Disposition: attachment), never rendered in place.
void AddAttachmentRoutes(RouteTable& routes, service::AttachmentService& attachments,
                         std::size_t max_bytes);

}  // namespace clinic::http
