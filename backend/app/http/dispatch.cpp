#include "app/http/dispatch.hpp"

#include <boost/beast/core/string.hpp>

namespace backend::http {
namespace {

// "http://host:port/path?q" -> "/path?q"; an origin-form target is returned as it is.
std::string_view origin_form(std::string_view target) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() < scheme.size() ||
        !boost::beast::iequals(target.substr(0, scheme.size()), scheme)) {
      continue;
    }
    auto path = target.find_first_of("/?", scheme.size());
    if (path == std::string_view::npos) return "/";
    return target.substr(path);
  }
  return target;
}

}  // namespace

Request to_request(const Message& message) {
  Request request;
  request.method = message.method_string();
  std::string_view target = origin_form(message.target());
  auto question = target.find('?');
  request.path = target.substr(0, question);
  if (question != std::string_view::npos) request.query = target.substr(question + 1);
  for (const auto& field : message)
    request.headers.emplace_back(field.name_string(), field.value());
  request.body = message.body();
  return request;
}

Response dispatch(const Router& router, const Cors& cors, Request& request) {
  if (auto preflight = cors.preflight(request)) return *preflight;
  auto found = router.find(request.method, request.path);
  Response response;
  if (found.handler != nullptr) {
    request.path_params = std::move(found.params);
    response = (*found.handler)(request);
  } else if (!found.allow.empty()) {
    response = Response::error(405, "Method Not Allowed");
    response.headers.emplace_back("Allow", found.allow);
  } else {
    response = Response::error(404, "Not Found");
  }
  cors.decorate(request, response);
  return response;
}

}  // namespace backend::http
