#include "app/api/endpoint.hpp"

#include <spdlog/spdlog.h>

#include <strata/core/error.hpp>

namespace backend::api {
namespace {

// The exception's message goes to the log only: it may hold SQL and the (masked) URL.
Reply run(const Handler& handler, const http::Request& req) {
  try {
    return handler(req);
  } catch (const HttpError& e) {
    return e.reply();
  } catch (const strata::OperationalError& e) {
    // Unreachable, busy, or the pool exhausted: the client may retry later.
    spdlog::warn("{} {}: database unavailable: {}", req.method, req.path, e.what());
    return {503, {{"detail", "Database unavailable"}}};
  } catch (const std::exception& e) {
    spdlog::error("{} {}: {}", req.method, req.path, e.what());
    return {500, {{"detail", "Internal Server Error"}}};
  }
}

http::Response write(const Reply& reply) {
  http::Response response;
  response.status = reply.status;
  if (reply.body.is_null()) return response;
  // Text read back from the database is not checked for UTF-8: replace rather than throw.
  response.body = reply.body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return response;
}

}  // namespace

http::Handler endpoint(Handler handler) {
  return
      [handler = std::move(handler)](const http::Request& req) { return write(run(handler, req)); };
}

}  // namespace backend::api
