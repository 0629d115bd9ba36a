// The service's OpenAPI 3.1 document, built from the route and schema declarations that also
// validate requests, and the Swagger UI page that shows it, as FastAPI serves them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/api/routes.hpp"

namespace backend::api {

nlohmann::ordered_json openapi_document(const std::vector<Operation>& operations);

// GET /docs: Swagger UI reading /openapi.json. Its script and style come from `assets`, a base
// URL holding swagger-ui-dist (FastAPI's default is a public CDN).
std::string swagger_ui_page(const std::string& assets);

}  // namespace backend::api
