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

using service::AuthService;
using service::MessageService;

// The author's device as the message's metadata keeps it (`meta.client.ua`).
constexpr std::size_t kMaxClientUaBytes = 255;

Result<Response> Post(AuthService& auth, MessageService& messages, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(request));
  JsonFields fields(body);
  service::NewMessage message{
      .text = fields.OptionalString("text", kServiceCheckedText),
      .markdown = fields.OptionalString("markdown", kServiceCheckedText),
      .tags = fields.StringArray("tags", {.max_items = 50}, {.max_length = 255})
                  .value_or(std::vector<std::string>{}),
      .attachments = fields.StringArray("attachments", {.max_items = 50}, {.max_length = 64})
                         .value_or(std::vector<std::string>{}),
      .client_msg_id = fields.OptionalString("client_msg_id", kServiceCheckedText)};
  CLINIC_TRY_STATUS(fields.Finish());
  if (const auto ua = request.headers.find(boost::beast::http::field::user_agent);
      ua != request.headers.end()) {
    message.client_ua = SanitizeUtf8(ua->value(), kMaxClientUaBytes);
  }
  // Browsers come with the session cookie, other clients with a bearer token.
  message.client_platform =
      request.headers.find(boost::beast::http::field::authorization) != request.headers.end()
          ? "api"
          : "web";
  CLINIC_ASSIGN_OR_RETURN(auto posted, messages.Post(context, id, message));
  return Json(posted.existing ? HttpStatus::ok : HttpStatus::created, ToJson(posted.message));
}

Result<Response> List(AuthService& auth, MessageService& messages, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  QueryFields query(request);
  const auto before = query.OptionalString("before", {.max_length = 64});
  const PageParams page = query.Page();
  if (page.cursor) query.AddError("cursor", "messages page with `before`");
  CLINIC_TRY_STATUS(query.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto found,
                          messages.List(context, id, before, static_cast<int>(page.limit)));
  return Json(HttpStatus::ok, CursorPageJson(found.items, found.next_cursor,
                                             [](const domain::Message& m) { return ToJson(m); }));
}

Result<Response> MarkRead(AuthService& auth, MessageService& messages, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_ASSIGN_OR_RETURN(auto id, request.PathId("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(request));
  JsonFields fields(body);
  const auto up_to = fields.RequiredString("up_to", {.max_length = 64});
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto marked, messages.MarkRead(context, id, up_to));
  return Json(HttpStatus::ok, boost::json::object{{"marked", marked}});
}

Result<Response> Unread(AuthService& auth, MessageService& messages, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto counts, messages.Unread(context));
  boost::json::array items;
  for (const auto& thread : counts) {
    items.push_back(boost::json::object{{"thread_id", thread.thread_id},
                                        {"appointment_id", thread.appointment_id},
                                        {"unread", thread.unread}});
  }
  return Json(HttpStatus::ok, boost::json::object{{"items", std::move(items)}});
}

Result<Response> Edit(AuthService& auth, MessageService& messages, Request& request) {
  CLINIC_ASSIGN_OR_RETURN(auto context, RequireLogin(request, auth));
  const std::string id(request.PathParam("id"));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(request));
  JsonFields fields(body);
  const auto text = fields.RequiredString("text", kServiceCheckedText);
  const auto version = fields.RequiredInt("version", {.min = 1});
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto edited, messages.Edit(context, id, text, version));
  return Json(HttpStatus::ok, ToJson(edited));
}

// Any logged-in user: renders nothing that is stored, so it needs no thread.
Result<Response> Preview(AuthService& auth, MessageService& messages, Request& request) {
  CLINIC_TRY_STATUS(RequireLogin(request, auth));
  CLINIC_TRY_STATUS(NoQueryParameters(request));
  CLINIC_ASSIGN_OR_RETURN(auto body, ParseJsonObject(request));
  JsonFields fields(body);
  const auto markdown = fields.RequiredString("markdown", kServiceCheckedText);
  CLINIC_TRY_STATUS(fields.Finish());
  CLINIC_ASSIGN_OR_RETURN(auto html, messages.PreviewMarkdown(markdown));
  return Json(HttpStatus::ok, boost::json::object{{"html", std::move(html)}});
}

}  // namespace

void AddMessageRoutes(Router& router, AuthService& auth, MessageService& messages) {
  router.Add(Method::get, "/api/v1/appointments/{id}/messages",
             [&auth, &messages](Request& r) { return List(auth, messages, r); });
  router.Add(Method::post, "/api/v1/appointments/{id}/messages",
             [&auth, &messages](Request& r) { return Post(auth, messages, r); });
  router.Add(Method::post, "/api/v1/appointments/{id}/messages/read",
             [&auth, &messages](Request& r) { return MarkRead(auth, messages, r); });
  router.Add(Method::get, "/api/v1/messages/unread",
             [&auth, &messages](Request& r) { return Unread(auth, messages, r); });
  router.Add(Method::post, "/api/v1/messages/preview",
             [&auth, &messages](Request& r) { return Preview(auth, messages, r); });
  router.Add(Method::patch, "/api/v1/messages/{id}",
             [&auth, &messages](Request& r) { return Edit(auth, messages, r); });
}

}  // namespace clinic::http
