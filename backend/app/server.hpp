// The service over HTTP: the API's routes, /openapi.json and /docs on the Beast server, with
// the limits and CORS origins of the settings, and a graceful stop on SIGTERM or SIGINT.
#pragma once

#include "app/db/session.hpp"
#include "app/http/server.hpp"
#include "app/settings.hpp"

namespace backend {

// Serves `database` until SIGTERM or SIGINT, then lets the requests in flight finish and
// returns 0; returns 1 when it cannot listen. Prints "listening on http://HOST:PORT" on stdout
// once the socket accepts connections.
int serve(const db::Database& database, const Settings& settings, const http::Listen& where);

}  // namespace backend
