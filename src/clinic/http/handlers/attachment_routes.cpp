#include "clinic/http/handlers/attachment_routes.hpp"

#include <fmt/format.h>

#include <boost/beast/http/field.hpp>
#include <boost/json/object.hpp>

#include "clinic/http/handlers/authentication.hpp"
#include "clinic/http/handlers/record_fields.hpp"
#include "clinic/http/response.hpp"

namespace clinic::http {
namespace {

namespace bhttp = boost::beast::http;
using service::AttachmentService;

boost::json::object ToJson(const storage::StoredAttachment& a) {
  return {{"file_id", a.file_id},
          {"file_name", a.file_name},
          {"mime_type", a.mime_type},
          {"size_bytes", a.size_bytes},
          {"sha256", a.sha256}};
}

// RFC 6266: a plain ASCII fallback for old clients and the exact UTF-8 name in filename*.
std::string ContentDisposition(std::string_view file_name) {
  std::string fallback;
  std::string encoded;
  for (const char c : file_name) {
    const auto u = static_cast<unsigned char>(c);
    const bool plain = u >= 0x20 && u < 0x7F && c != '"' && c != '\\' && c != '%';
    fallback += plain ? c : '_';
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    encoded += unreserved ? std::string(1, c) : fmt::format("%{:02X}", u);
  }
  return fmt::format("attachment; filename=\"{}\"; filename*=UTF-8''{}", fallback, encoded);
}

// The file's name comes as `?file_name=`; it is cleaned, not refused: control characters and
// directories are dropped.
Result<Response> Upload(AttachmentService& attachments, Call& call) {
  const std::string_view file_name = call.request.QueryParam("file_name").value_or("");
  const auto type = call.request.headers.find(bhttp::field::content_type);
  const std::string_view declared = type == call.request.headers.end() ? "" : type->value();
  CLINIC_ASSIGN_OR_RETURN(auto stored,
                          attachments.Upload(call.context, declared, file_name, call.request.body));
  auto response = CreatedJson(ToJson(stored.value), stored.replayed);
  response.set(bhttp::field::location, "/api/v1/attachments/" + stored.value.file_id);
  return response;
}

Result<Response> Download(AttachmentService& attachments, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(
      auto download,
      attachments.Download(call.context, std::string(call.request.PathParam("file_id"))));
  const auto& a = download.attachment;
  const std::string type =
      a.mime_type == "text/plain" ? std::string("text/plain; charset=utf-8") : a.mime_type;
  // Streamed: the file is never held whole, whatever its size and however many download it.
  auto response = Streamed(HttpStatus::ok, static_cast<std::uint64_t>(a.size_bytes),
                           std::move(download.content), type);
  response.set(bhttp::field::content_disposition, ContentDisposition(a.file_name));
  // The bytes are content-addressed: the same id always serves the same file.
  response.set(bhttp::field::etag, fmt::format("\"{}\"", a.sha256));
  response.set(bhttp::field::cache_control, "private, no-store");
  response.set("Content-Security-Policy", "default-src 'none'; sandbox");
  return response;
}

}  // namespace

void AddAttachmentRoutes(RouteTable& routes, AttachmentService& attachments,
                         std::size_t max_bytes) {
  routes.Add({.method = Method::post,
              .path = "/api/v1/attachments",
              .query = {"file_name"},
              .max_body_bytes = max_bytes},
             [&attachments](Call& call) { return Upload(attachments, call); });
  routes.Add({.method = Method::get, .path = "/api/v1/attachments/{file_id}"},
             [&attachments](Call& call) { return Download(attachments, call); });
}

}  // namespace clinic::http
