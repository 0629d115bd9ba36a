#include "app/api/shapes.hpp"

#include "app/models/lengths.hpp"

namespace backend::api {
namespace {

// The fields each schema shares. `description` is TEXT: the body limit bounds it.
constexpr Field kEmail{
    .name = "email", .min_length = 1, .max_length = models::kEmailMax, .email = true};
constexpr Field kName{.name = "name", .nullable = true, .max_length = models::kNameMax};
constexpr Field kTitle{.name = "title", .min_length = 1, .max_length = models::kTitleMax};
constexpr Field kDescription{.name = "description", .nullable = true};
constexpr Field kOwnerId{.name = "owner_id", .type = Type::integer};
constexpr Field kId{.name = "id", .type = Type::integer, .required = true};
constexpr Field kCreatedAt{.name = "created_at", .type = Type::timestamp, .required = true};

constexpr Field required(Field field) {
  field.required = true;
  return field;
}

}  // namespace

const Schema kUserCreateSchema{"UserCreate", "A new user.", {required(kEmail), kName}};
const Schema kUserUpdateSchema{
    "UserUpdate", "The fields to change; null clears `name`.", {kEmail, kName}};
const Schema kUserSchema{"User", "A user.", {kId, required(kEmail), required(kName), kCreatedAt}};
const Schema kItemCreateSchema{"ItemCreate",
                               "A new item of an existing user.",
                               {required(kTitle), kDescription, required(kOwnerId)}};
const Schema kItemUpdateSchema{"ItemUpdate",
                               "The fields to change; null clears `description`.",
                               {kTitle, kDescription, kOwnerId}};
const Schema kItemSchema{
    "Item",
    "An item.",
    {kId, required(kTitle), required(kDescription), required(kOwnerId), kCreatedAt}};
const Schema kHealthSchema{"Health",
                           "The database's state and its revision against the migrations' head.",
                           {{.name = "status", .required = true},
                            {.name = "database", .required = true},
                            {.name = "revision", .required = true, .nullable = true},
                            {.name = "head", .required = true, .nullable = true},
                            {.name = "at_head", .type = Type::boolean, .required = true}}};

}  // namespace backend::api
