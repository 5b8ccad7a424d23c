#include "clinic/http/handlers/message_routes.hpp"

#include <boost/beast/http/field.hpp>

#include "clinic/common/utf8.hpp"
#include "clinic/http/handlers/authentication.hpp"
#include "clinic/http/handlers/json_codecs.hpp"
#include "clinic/http/handlers/record_fields.hpp"
#include "clinic/http/json_body.hpp"
#include "clinic/http/query_params.hpp"
#include "clinic/http/response.hpp"

namespace clinic::http {
namespace {

using service::MessageService;

// The author's device as the message's metadata keeps it (`meta.client.ua`).
constexpr std::size_t kMaxClientUaBytes = 255;

Result<Response> Post(MessageService& messages, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(call.request));
  JsonFields fields(body);
  service::NewMessage message{
      .text = fields.OptionalString("text"),
      .markdown = fields.OptionalString("markdown"),
      .tags = fields.StringArray("tags", {.max_items = 50}).value_or(std::vector<std::string>{}),
      .attachments =
          fields.StringArray("attachments", {.max_items = 50}).value_or(std::vector<std::string>{}),
      .client_msg_id = fields.OptionalString("client_msg_id")};
  CLINIC_TRY_STATUS(fields.Finish());
  const auto& headers = call.request.headers;
  if (const auto ua = headers.find(boost::beast::http::field::user_agent); ua != headers.end()) {
    message.client_ua = SanitizeUtf8(ua->value(), kMaxClientUaBytes);
  }
  // Browsers come with the session cookie, other clients with a bearer token.
  message.client_platform =
      headers.find(boost::beast::http::field::authorization) != headers.end() ? "api" : "web";
  CLINIC_ASSIGN_OR_RETURN(auto posted, messages.Post(call.context, call.id, message));
  return Json(posted.existing ? HttpStatus::ok : HttpStatus::created, ToJson(posted.message));
}

Result<Response> List(MessageService& messages, Call& call) {
  const auto before = call.query.OptionalString("before");
  const PageParams page = call.query.Page();
  CLINIC_TRY_STATUS(call.query.Finish());
  CLINIC_ASSIGN_OR_RETURN(
      auto found, messages.List(call.context, call.id, before, static_cast<int>(page.limit)));
  return Json(HttpStatus::ok, CursorPageJson(found.items, found.next_cursor,
                                             [](const domain::Message& m) { return ToJson(m); }));
}

Result<Response> MarkRead(MessageService& messages, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(call.request));
  JsonFields fields(body);
  const auto up_to = fields.RequiredString("up_to");
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto marked, messages.MarkRead(call.context, call.id, up_to));
  return Json(HttpStatus::ok, boost::json::object{{"marked", marked}});
}

Result<Response> Unread(MessageService& messages, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto counts, messages.Unread(call.context));
  boost::json::array items;
  for (const auto& thread : counts) {
    items.push_back(boost::json::object{{"thread_id", thread.thread_id},
                                        {"appointment_id", thread.appointment_id},
                                        {"unread", thread.unread}});
  }
  return Json(HttpStatus::ok, boost::json::object{{"items", std::move(items)}});
}

Result<Response> Edit(MessageService& messages, Call& call) {
  const std::string message_id(call.request.PathParam("message_id"));
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(call.request));
  JsonFields fields(body);
  const auto text = fields.RequiredString("text");
  const auto version = fields.RequiredInt("version", {.min = 1});
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto edited, messages.Edit(call.context, message_id, text, version));
  return Json(HttpStatus::ok, ToJson(edited));
}

// Any logged-in user: renders nothing that is stored, so it needs no thread.
Result<Response> Preview(MessageService& messages, Call& call) {
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(call.request));
  JsonFields fields(body);
  const auto markdown = fields.RequiredString("markdown");
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto html, messages.PreviewMarkdown(markdown));
  return Json(HttpStatus::ok, boost::json::object{{"html", std::move(html)}});
}

}  // namespace

void AddMessageRoutes(RouteTable& routes, MessageService& messages) {
  routes.Add({.method = Method::get,
              .path = "/api/v1/appointments/{id}/messages",
              .query = {"before", "limit"}},
             [&messages](Call& call) { return List(messages, call); });
  routes.Add({.method = Method::post, .path = "/api/v1/appointments/{id}/messages"},
             [&messages](Call& call) { return Post(messages, call); });
  routes.Add({.method = Method::post, .path = "/api/v1/appointments/{id}/messages/read"},
             [&messages](Call& call) { return MarkRead(messages, call); });
  routes.Add({.method = Method::get, .path = "/api/v1/messages/unread"},
             [&messages](Call& call) { return Unread(messages, call); });
  routes.Add({.method = Method::post, .path = "/api/v1/messages/preview"},
             [&messages](Call& call) { return Preview(messages, call); });
  routes.Add({.method = Method::patch, .path = "/api/v1/messages/{message_id}"},
             [&messages](Call& call) { return Edit(messages, call); });
}

}  // namespace clinic::http
