// Cross-origin requests from browsers (CORS_ORIGINS): which origins may call the API, the
// answer to their preflight, and the header on every response they get. Immutable after
// construction, so every I/O thread may use one instance.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/http/message.hpp"

namespace backend::http {

class Cors {
 public:
  // `origins` as configured ("https://app.example", or "*" for any); empty turns CORS off.
  explicit Cors(std::vector<std::string> origins = {}) : origins_(std::move(origins)) {}

  // The answer to a preflight (OPTIONS with Origin and Access-Control-Request-Method): 204
  // with what the origin may do, or 400 for an origin not allowed. nullopt when `request` is
  // not a preflight or CORS is off: it goes to the routes like any other.
  std::optional<Response> preflight(const Request& request) const;
  // Lets an allowed origin's page read `response`.
  void decorate(const Request& request, Response& response) const;

 private:
  // The Access-Control-Allow-Origin value for `origin`, or nullopt when it is not allowed.
  std::optional<std::string> allowed(std::string_view origin) const;

  std::vector<std::string> origins_;
};

}  // namespace backend::http
