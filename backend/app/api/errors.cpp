#include "app/api/errors.hpp"

namespace backend::api {
namespace {

nlohmann::ordered_json to_json(const std::vector<FieldError>& errors) {
  auto list = nlohmann::ordered_json::array();
  for (const auto& e : errors) list.push_back({{"loc", e.loc}, {"msg", e.msg}, {"type", e.type}});
  return list;
}

}  // namespace

ValidationError::ValidationError(const std::vector<FieldError>& errors)
    : HttpError(422, to_json(errors)) {}

HttpError not_found(const std::string& what) {
  return HttpError(404, what + " not found");
}

}  // namespace backend::api
