#include "app/api/schemas.hpp"

#include <array>
#include <strata/core/datetime.hpp>

namespace backend::api {
namespace {

constexpr Length kEmail{1, models::kEmailMax};
constexpr Length kName{0, models::kNameMax};
constexpr Length kTitle{1, models::kTitleMax};
// `description` is TEXT; the 1 MiB body limit bounds it.
constexpr Length kDescription{0, 1 << 20};

nlohmann::ordered_json nullable(const std::optional<std::string>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

}  // namespace

std::string iso8601(strata::Timestamp at) {
  std::array<char, strata::kMaxTemporalText> text{};
  std::size_t n = strata::format_timestamp(at.time_since_epoch().count(), text.data());
  text[10] = 'T';  // strata writes SQL's "2026-11-24 04:20:46+00:00"
  return {text.data(), n};
}

UserCreate UserCreate::from(const nlohmann::ordered_json& body) {
  BodyReader fields(body);
  auto email = fields.required_text("email", kEmail);
  fields.check_email("email", email);
  auto name = fields.nullable_text("name", kName);
  fields.check();
  return {std::move(*email), name.value_or(std::nullopt)};
}

UserUpdate UserUpdate::from(const nlohmann::ordered_json& body) {
  BodyReader fields(body);
  UserUpdate update{fields.optional_text("email", kEmail), fields.nullable_text("name", kName)};
  fields.check_email("email", update.email);
  fields.check();
  return update;
}

void UserUpdate::apply_to(models::User& user) const {
  if (email) user.email = *email;
  if (name) user.name = *name;
}

ItemCreate ItemCreate::from(const nlohmann::ordered_json& body) {
  BodyReader fields(body);
  auto title = fields.required_text("title", kTitle);
  auto description = fields.nullable_text("description", kDescription);
  auto owner_id = fields.required_integer("owner_id");
  fields.check();
  return {std::move(*title), description.value_or(std::nullopt), *owner_id};
}

ItemUpdate ItemUpdate::from(const nlohmann::ordered_json& body) {
  BodyReader fields(body);
  ItemUpdate update{fields.optional_text("title", kTitle),
                    fields.nullable_text("description", kDescription),
                    fields.optional_integer("owner_id")};
  fields.check();
  return update;
}

void ItemUpdate::apply_to(models::Item& item) const {
  if (title) item.title = *title;
  if (description) item.description = *description;
  if (owner_id) item.owner_id = *owner_id;
}

nlohmann::ordered_json to_json(const models::User& user) {
  return {{"id", user.id},
          {"email", user.email},
          {"name", nullable(user.name)},
          {"created_at", iso8601(user.created_at)}};
}

nlohmann::ordered_json to_json(const models::Item& item) {
  return {{"id", item.id},
          {"title", item.title},
          {"description", nullable(item.description)},
          {"owner_id", item.owner_id},
          {"created_at", iso8601(item.created_at)}};
}

}  // namespace backend::api
