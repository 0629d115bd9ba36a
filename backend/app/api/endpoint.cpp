#include "app/api/endpoint.hpp"

#include <spdlog/spdlog.h>

#include <strata/core/error.hpp>

namespace backend::api {
namespace {

nlohmann::ordered_json to_json(const std::vector<FieldError>& errors) {
  auto list = nlohmann::ordered_json::array();
  for (const auto& e : errors) list.push_back({{"loc", e.loc}, {"msg", e.msg}, {"type", e.type}});
  return list;
}

// The exception's message goes to the log only: it may hold SQL and the (masked) URL.
Reply run(const Handler& handler, const httplib::Request& req) {
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

void write(httplib::Response& res, const Reply& reply) {
  res.status = reply.status;
  if (reply.body.is_null()) return;
  // Text read back from the database is not checked for UTF-8: replace rather than throw.
  res.set_content(reply.body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace),
                  "application/json");
}

const char* default_detail(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 413:
      return "Request body too large: the limit is 1 MiB";
    case 405:
      return "Method Not Allowed";
    case 414:
      return "URI Too Long";
    case 416:
      return "Range Not Satisfiable";
    default:
      return status >= 500 ? "Internal Server Error" : "Bad Request";
  }
}

}  // namespace

ValidationError::ValidationError(const std::vector<FieldError>& errors)
    : HttpError(422, to_json(errors)) {}

HttpError not_found(const std::string& what) {
  return HttpError(404, what + " not found");
}

httplib::Server::Handler endpoint(Handler handler) {
  return [handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    write(res, run(handler, req));
  };
}

void fill_error_body(httplib::Response& res) {
  if (!res.body.empty()) return;
  write(res, {res.status, {{"detail", default_detail(res.status)}}});
}

}  // namespace backend::api
