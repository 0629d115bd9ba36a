// The service's request and response bodies, declared once as values (schema.hpp): the
// handlers validate with them and the OpenAPI document describes them.
#pragma once

#include "app/api/schema.hpp"

namespace backend::api {

extern const Schema kUserCreateSchema;
extern const Schema kUserUpdateSchema;
extern const Schema kUserSchema;
extern const Schema kItemCreateSchema;
extern const Schema kItemUpdateSchema;
extern const Schema kItemSchema;
extern const Schema kHealthSchema;

}  // namespace backend::api
