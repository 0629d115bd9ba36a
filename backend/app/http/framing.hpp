// The checks a request's head must pass before its body is read (RFC 9112 section 6): one
// unambiguous length or plain chunking, and a Host. Beast's parser already refuses malformed
// lines and fields, and a Content-Length over its body limit; these are the ambiguities it lets
// through, which a proxy in front of the service might read differently (request smuggling).
#pragma once

#include <boost/beast/http/message.hpp>
#include <optional>
#include <string>

namespace backend::http {

// Why a request is refused before its handler runs: answered, then the connection is closed.
struct Rejection {
  int status = 400;
  std::string detail;
};

using RequestHead = boost::beast::http::request_header<>;

// nullopt when the request may go on to its body and its handler.
std::optional<Rejection> check_head(const RequestHead& head);

}  // namespace backend::http
