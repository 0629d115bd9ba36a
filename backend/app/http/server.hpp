// The HTTP/1.1 server under the service: Boost.Beast over Asio, one asynchronous session per
// connection, so that an idle or slow client costs a socket and a buffer, never a thread.
// Every request is read whole, within deadlines and size limits, before its handler runs;
// handlers run on the I/O threads (they may block on the database: there are several).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "app/http/cors.hpp"
#include "app/http/router.hpp"

namespace backend::http {

// What one client may cost. A value type.
struct Limits {
  // From a request's first byte to the end of its headers.
  std::chrono::milliseconds header_timeout{10'000};
  // From the end of the headers to the end of the body.
  std::chrono::milliseconds body_timeout{30'000};
  // Before a request's first byte, on a new connection or between keep-alive requests.
  std::chrono::milliseconds idle_timeout{5'000};
  // Open connections; one more is answered 503 and closed. Lowered to fit the open-file limit.
  std::size_t max_connections = 10'000;
  std::size_t max_header_bytes = std::size_t{16} * 1024;
  std::size_t max_body_bytes = 1 << 20;
  unsigned threads = 0;  // 0: max(8, 4 x cores)
};

struct Listen {
  std::string host = "127.0.0.1";
  int port = 8000;  // 0: any free port
};

// Owns its router, CORS policy and threads; run() once, from the main thread.
class Server {
 public:
  Server(Router router, Limits limits, Cors cors);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Listens, calls `listening(port)` once connections are accepted, and serves until SIGTERM
  // or SIGINT; then stops accepting, closes idle connections, lets the requests in flight
  // finish and returns 0. Returns 1 when it cannot listen (the reason is logged).
  int run(const Listen& where, const std::function<void(int port)>& listening);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace backend::http
