#include "app/http/cors.hpp"

#include <algorithm>

namespace backend::http {
namespace {

constexpr const char* kMethods = "GET, POST, PATCH, DELETE";
constexpr const char* kMaxAgeSeconds = "600";

}  // namespace

std::optional<std::string> Cors::allowed(std::string_view origin) const {
  if (std::find(origins_.begin(), origins_.end(), "*") != origins_.end()) return "*";
  if (std::find(origins_.begin(), origins_.end(), origin) != origins_.end()) {
    return std::string(origin);
  }
  return std::nullopt;
}

std::optional<Response> Cors::preflight(const Request& request) const {
  if (origins_.empty() || request.method != "OPTIONS") return std::nullopt;
  auto origin = request.header("Origin");
  auto method = request.header("Access-Control-Request-Method");
  if (!origin || !method) return std::nullopt;
  auto allow = allowed(*origin);
  if (!allow) return Response::error(400, "Disallowed CORS origin");
  Response response{204, "", "", {}};
  response.headers = {{"Access-Control-Allow-Origin", *allow},
                      {"Access-Control-Allow-Methods", kMethods},
                      {"Access-Control-Max-Age", kMaxAgeSeconds},
                      {"Vary", "Origin"}};
  // Any header the page asks to send: the API reads none that a browser would restrict.
  auto headers = request.header("Access-Control-Request-Headers").value_or("Content-Type");
  response.headers.emplace_back("Access-Control-Allow-Headers", std::string(headers));
  return response;
}

void Cors::decorate(const Request& request, Response& response) const {
  if (origins_.empty()) return;
  auto origin = request.header("Origin");
  if (!origin) return;
  auto allow = allowed(*origin);
  if (!allow) return;
  response.headers.emplace_back("Access-Control-Allow-Origin", std::move(*allow));
  response.headers.emplace_back("Vary", "Origin");
}

}  // namespace backend::http
