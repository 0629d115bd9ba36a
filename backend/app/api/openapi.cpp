#include "app/api/openapi.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <strata/version.hpp>

#include "app/api/schemas.hpp"

namespace backend::api {
namespace {

using Json = nlohmann::ordered_json;

Json ref(std::string_view schema) {
  return {{"$ref", fmt::format("#/components/schemas/{}", schema)}};
}

Json type_of(const Field& field) {
  switch (field.type) {
    case Type::integer:
      return {{"type", "integer"}, {"format", "int64"}};
    case Type::boolean:
      return {{"type", "boolean"}};
    case Type::timestamp:
      return {{"type", "string"}, {"format", "date-time"}};
    case Type::string:
      break;
  }
  Json type = {{"type", "string"}};
  if (field.min_length > 0) type["minLength"] = field.min_length;
  if (field.max_length > 0) type["maxLength"] = field.max_length;
  if (field.email) type["format"] = "email";
  return type;
}

Json object_schema(const Schema& schema) {
  Json properties = Json::object();
  auto required = Json::array();
  for (const auto& field : schema.fields) {
    Json type = type_of(field);
    if (field.nullable) type["type"] = {type["type"], "null"};
    properties[std::string(field.name)] = std::move(type);
    if (field.required) required.push_back(field.name);
  }
  Json object = {{"title", schema.name},
                 {"description", schema.description},
                 {"type", "object"},
                 {"properties", std::move(properties)}};
  if (!required.empty()) object["required"] = std::move(required);
  return object;
}

// FastAPI's shapes of an error: {"detail": "..."} and {"detail": [{loc, msg, type}]}.
void add_error_schemas(Json& schemas) {
  schemas["HTTPError"] = {{"title", "HTTPError"},
                          {"type", "object"},
                          {"properties", {{"detail", {{"type", "string"}}}}},
                          {"required", {"detail"}}};
  schemas["ValidationError"] = {{"title", "ValidationError"},
                                {"type", "object"},
                                {"properties",
                                 {{"loc", {{"type", "array"}, {"items", {{"type", "string"}}}}},
                                  {"msg", {{"type", "string"}}},
                                  {"type", {{"type", "string"}}}}},
                                {"required", {"loc", "msg", "type"}}};
  schemas["HTTPValidationError"] = {
      {"title", "HTTPValidationError"},
      {"type", "object"},
      {"properties", {{"detail", {{"type", "array"}, {"items", ref("ValidationError")}}}}},
      {"required", {"detail"}}};
}

Json parameter(const Param& param) {
  Json schema = {{"type", "integer"}, {"format", "int64"}};
  if (param.min != INT64_MIN) schema["minimum"] = param.min;
  if (param.max != INT64_MAX) schema["maximum"] = param.max;
  if (param.in == "query") schema["default"] = param.fallback;
  return {{"name", param.name},
          {"in", param.in},
          {"required", param.in == "path"},
          {"schema", std::move(schema)}};
}

Json json_content(Json schema) {
  return {{"application/json", {{"schema", std::move(schema)}}}};
}

Json error(std::string_view description, std::string_view schema = "HTTPError") {
  return {{"description", description}, {"content", json_content(ref(schema))}};
}

Json success(const Operation& op) {
  Json response = {{"description", op.status == 201 ? "Created" : "Successful Response"}};
  if (op.result == nullptr) return response;
  Json schema = ref(op.result->name);
  if (op.list) schema = {{"type", "array"}, {"items", std::move(schema)}};
  response["content"] = json_content(std::move(schema));
  return response;
}

// Every status the operation can answer: its success, and the errors its shape implies.
Json responses(const Operation& op) {
  Json out;
  out[std::to_string(op.status)] = success(op);
  if (op.body != nullptr) {
    out["400"] = error("The body is not JSON");
    out["411"] = error("The body has neither Content-Length nor chunked Transfer-Encoding");
    out["413"] = error("The body is over the size limit");
  }
  if (op.path.find('{') != std::string_view::npos) out["404"] = error("Not found");
  for (int status : op.extra_errors) out[std::to_string(status)] = error("Conflict");
  if (op.body != nullptr || !op.params.empty()) {
    out["422"] = error("Validation Error", "HTTPValidationError");
  }
  out["503"] = op.result_when_unavailable ? Json{{"description", "Unavailable"},
                                                 {"content", json_content(ref(op.result->name))}}
                                          : error("The database is unavailable");
  return out;
}

Json operation(const Operation& op) {
  Json out = {{"tags", {op.tag}}, {"summary", op.summary}, {"operationId", op.operation_id}};
  if (!op.params.empty()) {
    auto params = Json::array();
    for (const Param* param : op.params) params.push_back(parameter(*param));
    out["parameters"] = std::move(params);
  }
  if (op.body != nullptr) {
    out["requestBody"] = {{"required", true}, {"content", json_content(ref(op.body->name))}};
  }
  out["responses"] = responses(op);
  return out;
}

void add_schema(Json& schemas, const Schema* schema) {
  if (schema != nullptr) schemas[std::string(schema->name)] = object_schema(*schema);
}

}  // namespace

Json openapi_document(const std::vector<Operation>& operations) {
  Json paths = Json::object();
  Json schemas = Json::object();
  for (const auto& op : operations) {
    std::string method(op.method);
    std::transform(method.begin(), method.end(), method.begin(), ::tolower);
    paths[std::string(op.path)][method] = operation(op);
    add_schema(schemas, op.body);
    add_schema(schemas, op.result);
  }
  add_error_schemas(schemas);
  return {{"openapi", "3.1.0"},
          {"info",
           {{"title", "strata reference backend"},
            {"version", strata::version_string},
            {"description", "Users and their items, on SQLite or PostgreSQL through strata."}}},
          {"paths", std::move(paths)},
          {"components", {{"schemas", std::move(schemas)}}}};
}

std::string swagger_ui_page(const std::string& assets) {
  return fmt::format(R"(<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>strata reference backend - Swagger UI</title>
<link rel="stylesheet" type="text/css" href="{0}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{0}/swagger-ui-bundle.js"></script>
<script>
const ui = SwaggerUIBundle({{url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset]}});
</script>
</body>
</html>
)",
                     assets);
}

}  // namespace backend::api
