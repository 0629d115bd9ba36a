#include "app/server.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "app/api/openapi.hpp"
#include "app/api/routes.hpp"

namespace backend {
namespace {

// The API's operations, and the two pages that describe them.
http::Router routes(const db::Database& database, const Settings& settings) {
  auto operations = api::operations(database);
  std::string document = api::openapi_document(operations).dump();
  std::string page = api::swagger_ui_page(settings.swagger_ui);
  http::Router router;
  for (auto& op : operations) router.add(op.method, op.path, api::endpoint(std::move(op.handler)));
  router.add("GET", "/openapi.json", [document](const http::Request&) {
    return http::Response{200, "application/json", document, {}};
  });
  router.add("GET", "/docs", [page](const http::Request&) {
    return http::Response{200, "text/html; charset=utf-8", page, {}};
  });
  return router;
}

}  // namespace

int serve(const db::Database& database, const Settings& settings, const http::Listen& where) {
  http::Server server(routes(database, settings), settings.http, http::Cors(settings.cors_origins));
  int status = server.run(where, [&where](int port) {
    std::printf("listening on http://%s:%d\n", where.host.c_str(), port);
    std::fflush(stdout);
    spdlog::info("listening on http://{}:{}", where.host, port);
  });
  if (status != 0) return status;
  auto pool = database.engine().pool_status();
  spdlog::info("stopped; database pool: {} open, {} checked out", pool.open, pool.checked_out);
  database.engine().dispose();
  return 0;
}

}  // namespace backend
