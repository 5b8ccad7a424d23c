#pragma once

#include <boost/json/object.hpp>
#include <string_view>
#include <vector>

#include "clinic/common/error.hpp"
#include "clinic/http/response.hpp"

namespace clinic::http {

// RFC 9457 problem details: every error answer of the API is an application/problem+json document
// {type, title, status, detail, errors: [{field, message}]}.
//
// `type` is kProblemTypePrefix + a stable name: the ErrorCodeName of the clinic::Error
// ("https://clinic.example/problems/already-exists"), or for answers the protocol layer gives
// without an Error, "method-not-allowed" and "request-header-fields-too-large". Clients branch on
// `type`; several types share a status (409 is already-exists, failed-precondition or aborted).
// `title` is the status's standard reason phrase. `errors` is always present, empty when the
// problem is not about particular fields.
inline constexpr std::string_view kProblemContentType = "application/problem+json";
inline constexpr std::string_view kProblemTypePrefix = "https://clinic.example/problems/";

// THE table from error codes to HTTP statuses; no other code maps errors to statuses.
HttpStatus HttpStatusFor(ErrorCode code);

// The problem document for `error`. An Internal error's message and fields are never shown: the
// detail is a fixed sentence, because internal messages may carry driver or system details.
boost::json::object ProblemDocument(const Error& error);

// A problem document for an answer that has no clinic::Error behind it (405, 431).
boost::json::object ProblemDocument(HttpStatus status, std::string_view type_name,
                                    std::string_view detail);

// `document` as an application/problem+json response with the given status. A 401 also gets
// `WWW-Authenticate: Bearer` (RFC 9110 requires a challenge with every 401).
Response Problem(HttpStatus status, const boost::json::object& document);

// The error's problem document with its status from HttpStatusFor.
Response Problem(const Error& error);

}  // namespace clinic::http
