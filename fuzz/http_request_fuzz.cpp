// The bytes a client sends on one connection, read as the backend's connection reads them
// (connection.cpp): Beast's parser with the service's header and body limits, the framing
// checks once the head is in (check_head), the body, the router and the handlers' parameters;
// then the next request when the connection is kept alive (pipelining). The bytes arrive in
// two reads, split at a point the input chooses, so that incremental parsing is exercised.
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "app/api/errors.hpp"
#include "app/api/validation.hpp"
#include "app/http/framing.hpp"
#include "service.hpp"

namespace {

namespace bh = boost::beast::http;
namespace api = backend::api;
namespace http = backend::http;
using backend::fuzz::expect;
using Parser = bh::request_parser<bh::string_body>;

// What the client sent, and how much of it has arrived and been parsed.
struct Wire {
  std::string_view bytes;
  std::size_t arrived;
  std::size_t used = 0;

  std::string_view pending() const { return bytes.substr(used, arrived - used); }
  // The next read: false when the client has sent everything (then it closes).
  bool read_more() {
    if (arrived == bytes.size()) return false;
    arrived = bytes.size();
    return true;
  }
};

// The first read ends at a point the last byte chooses, so that the seeds stay plain requests.
std::size_t first_read(std::string_view bytes) {
  if (bytes.empty()) return 0;
  return static_cast<unsigned char>(bytes.back()) * bytes.size() / 255;
}

// FUZZ_TRACE=1 prints what each request of a replayed input came to.
void trace(std::string_view what, int status) {
  static const bool on = std::getenv("FUZZ_TRACE") != nullptr;
  if (on) std::fprintf(stderr, "%.*s -> %d\n", static_cast<int>(what.size()), what.data(), status);
}

// Feeds the parser what arrives until `done(parser)`, as Beast's read loop does; false when
// the connection ends first: a parse error (answered 400, 413 or 431, then closed) or the
// client stopped sending mid-request.
template <class Done>
bool read(Wire& wire, Parser& parser, Done done) {
  int idle_puts = 0;
  while (!done(parser)) {
    auto bytes = wire.pending();
    boost::beast::error_code ec = bh::error::need_more;
    std::size_t used = bytes.empty() ? 0 : parser.put(boost::asio::buffer(bytes), ec);
    wire.used += used;
    if (ec == bh::error::need_more) {
      if (wire.read_more()) continue;
      if (parser.got_some()) parser.put_eof(ec);
      return false;
    }
    if (ec) return false;
    // Beast's read loop would spin forever on a parser that neither advances nor fails.
    idle_puts = used == 0 ? idle_puts + 1 : 0;
    expect(idle_puts < 3, "the parser made no progress on bytes it had");
  }
  return true;
}

// Request::header against Beast's own case-insensitive lookup.
void check_headers(const backend::fuzz::Message& message, const http::Request& request) {
  for (std::string_view name : {"Host", "content-type", "ORIGIN", "Transfer-Encoding"}) {
    auto mine = request.header(name);
    auto theirs = message.find(name);
    expect(mine.has_value() == (theirs != message.end()), "Request::header missed a header");
    if (mine) expect(*mine == theirs->value(), "Request::header found another header's value");
  }
}

// The parameters every handler reads, whatever the route: what they throw must be HttpError.
void read_parameters(const http::Request& request) {
  request.query_param("limit");
  try {
    api::Page::from(request);
  } catch (const api::HttpError&) {
  }
  try {
    api::path_id(request, {"item_id", "path"});
  } catch (const api::HttpError&) {
  }
}

// One request of the connection; true when the connection goes on to the next one.
bool serve_one(Wire& wire) {
  if (wire.used == wire.bytes.size()) return false;  // nothing more: the idle timeout closes
  Parser parser;
  parser.header_limit(static_cast<std::uint32_t>(backend::fuzz::kHeaderLimit));
  parser.body_limit(backend::fuzz::kBodyLimit);
  parser.eager(false);  // async_read_header stops at the end of the head
  if (!read(wire, parser, [](const Parser& p) { return p.is_header_done(); })) {
    trace("head not read", 0);
    return false;
  }
  if (auto rejection = http::check_head(parser.get().base())) {
    expect(rejection->status == 400 || rejection->status == 411,
           "check_head refused with an unexpected status");
    trace(rejection->detail, rejection->status);
    return false;  // answered, then closed
  }
  parser.eager(true);  // async_read reads the body whole
  if (!read(wire, parser, [](const Parser& p) { return p.is_done(); })) {
    trace("body not read", 0);
    return false;
  }
  const auto& message = parser.get();
  expect(message.body().size() <= backend::fuzz::kBodyLimit, "a body over the limit was read");
  auto request = http::to_request(message);
  check_headers(message, request);
  auto response = backend::fuzz::answer(request);  // sets path_params, as the router does
  trace(message.target(), response.status);
  read_parameters(request);
  return message.keep_alive();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Wire wire{bytes, first_read(bytes)};
  while (serve_one(wire)) {
  }
  return 0;
}
