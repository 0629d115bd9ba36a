// The models and the migrations describe the same tables: replaying backend/migrations to its
// head gives, table by table, what backend::db::metadata() declares. When this fails, write the
// revision (`backend db revision --autogenerate -m ...`) or fix the model.
#include <gtest/gtest.h>

#include <strata/dialect/dialect.hpp>
#include <strata/migrate/script_directory.hpp>

#include "app/db/base.hpp"

namespace {

TEST(BackendModels, MatchTheMigrationsHead) {
  auto scripts = strata::migrate::ScriptDirectory::load(std::string(STRATA_SOURCE_DIR) +
                                                        "/backend/migrations");
  auto state = strata::migrate::replay(scripts.graph(), scripts.graph().heads(),
                                       strata::Dialect::of(strata::Backend::postgresql));
  const auto& models = backend::db::metadata();
  ASSERT_EQ(state.tables().size(), models.tables().size());
  for (const auto& table : models.tables()) {
    const auto* migrated = state.table(table.name);
    ASSERT_NE(migrated, nullptr) << table.name << " has no migration";
    EXPECT_EQ(strata::describe_difference(*migrated, table), "") << table.name;
  }
}

}  // namespace
