// The HTTP server: cpp-httplib with a worker pool, long keep-alive, a 1 MiB body limit, one log
// line per request, and a graceful stop on SIGTERM or SIGINT.
#pragma once

#include <string>

#include "app/db/session.hpp"

namespace backend {

struct Listen {
  std::string host = "127.0.0.1";
  int port = 8000;  // 0: any free port (the line printed at startup says which)
};

// Serves `database` until SIGTERM or SIGINT, then lets the requests in flight finish and
// returns 0; returns 1 when it cannot listen. Prints "listening on http://HOST:PORT" on stdout
// once the socket accepts connections. Call it from main() before starting any other thread:
// it blocks the two signals in every thread it starts so that one thread waits for them.
int serve(const db::Database& database, const Listen& where);

}  // namespace backend
