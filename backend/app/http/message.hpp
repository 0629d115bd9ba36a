// A request as the service's handlers see it, and the response they give back: plain values,
// so that handlers and the API layer never include the HTTP library.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace backend::http {

// One request, already complete and checked by the transport. Views point into the
// connection's buffers and live as long as the handler's call. Not thread-safe.
struct Request {
  std::string_view method;               // "GET"
  std::string_view path;                 // as sent, without the query
  std::string_view query;                // raw, after '?'
  std::vector<std::string> path_params;  // what the route's {placeholders} matched, in order
  std::vector<std::pair<std::string_view, std::string_view>> headers;
  std::string_view body;

  // The first header of that name (case-insensitive), or nullopt.
  std::optional<std::string_view> header(std::string_view name) const;
  // The first query parameter of that name, percent-decoded ('+' is a space), or nullopt.
  // A value with a malformed escape comes back as sent.
  std::optional<std::string> query_param(std::string_view name) const;
};

// What a handler answers. A value type.
struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;  // empty with 204
  std::vector<std::pair<std::string, std::string>> headers;

  // {"detail": detail}, the one shape of every error the service sends.
  static Response error(int status, std::string_view detail);
};

// Decodes %XX escapes (and '+' as a space when `plus_is_space`); nullopt when an escape is
// malformed.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

}  // namespace backend::http
