// GET /health, for load balancers and orchestrators: 200 only when the database answers and its
// schema is at the migrations' head, so that a replica never takes traffic it cannot serve.
#include <spdlog/spdlog.h>

#include <strata/core/error.hpp>

#include "app/api/endpoint.hpp"
#include "app/api/routes.hpp"
#include "app/api/schemas.hpp"

namespace backend::api {
namespace {

nlohmann::ordered_json optional_json(const std::optional<std::string>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

Reply health(const db::Database& database) {
  try {
    auto status = database.status();
    bool ok = status.at_head();
    return {ok ? 200 : 503,
            {{"status", ok ? "ok" : "unavailable"},
             {"database", "ok"},
             {"revision", optional_json(db::SchemaStatus::describe(status.current))},
             {"head", optional_json(db::SchemaStatus::describe(status.heads))},
             {"at_head", ok}}};
  } catch (const strata::DatabaseError& e) {
    spdlog::warn("health: database unreachable: {}", e.what());
    return {503,
            {{"status", "unavailable"},
             {"database", "unreachable"},
             {"revision", nullptr},
             {"head", nullptr},
             {"at_head", false}}};
  }
}

}  // namespace

std::vector<Operation> health_operations(const db::Database& database) {
  const auto* db = &database;
  // 503 carries the same body: a load balancer reads why.
  return {{.method = "GET",
           .path = "/health",
           .operation_id = "health",
           .summary = "Whether this instance can serve: the database answers, at the head",
           .tag = "health",
           .result = &kHealthSchema,
           .result_when_unavailable = true,
           .handler = [db](const auto&) { return health(*db); }}};
}

}  // namespace backend::api
