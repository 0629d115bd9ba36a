// From a complete message to its answer: the handler's view of the request, then CORS, the
// route, 404 or 405. No sockets and no database, so the fuzz targets run exactly this.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "app/http/cors.hpp"
#include "app/http/router.hpp"

namespace backend::http {

using Message = boost::beast::http::request<boost::beast::http::string_body>;

// The request as handlers see it; its views point into `message`. An absolute-form target
// ("http://host/items?limit=5", which RFC 9112 requires servers to accept) is routed by its path.
Request to_request(const Message& message);

// The answer to `request`: a CORS preflight's, the route's (filling request.path_params), or
// 404 / 405 with Allow; CORS headers added. What a handler throws propagates.
Response dispatch(const Router& router, const Cors& cors, Request& request);

}  // namespace backend::http
