// create_foreign_key and create_check_constraint with not_valid: true, and validate_constraint,
// on both backends: PostgreSQL adds the constraints NOT VALID (new rows checked at once, the old
// ones by the validation); SQLite checks every row when it adds them and has nothing left to
// validate.
#include <strata/dialect/inspector.hpp>
#include <strata/migrate/runner.hpp>

#include "migrations_fixture.hpp"

namespace strata::test {
namespace {
using namespace strata::migrate;
using Ids = std::vector<std::string>;

const char* kInit = R"yaml(revision: aaaa00000001
down_revision: null
upgrade:
  - create_table:
      name: users
      columns:
        - {name: id, type: biginteger, primary_key: true}
  - create_table:
      name: items
      columns:
        - {name: id, type: biginteger, primary_key: true}
        - {name: owner_id, type: biginteger}
        - {name: title, type: text}
downgrade:
  - drop_table: {name: items}
  - drop_table: {name: users}
)yaml";

const char* kNotValid = R"yaml(revision: bbbb00000002
down_revision: aaaa00000001
upgrade:
  - create_foreign_key: {table: items, columns: [owner_id], references: users.id, not_valid: true}
  - create_check_constraint:
      {name: title_not_null, table: items, condition: "title IS NOT NULL", not_valid: true}
downgrade:
  - drop_constraint: {name: ck_items_title_not_null, table: items, type: check}
  - drop_constraint: {name: fk_items_owner_id_users, table: items, type: foreign_key}
)yaml";

const char* kValidate = R"yaml(revision: cccc00000003
down_revision: bbbb00000002
upgrade:
  - validate_constraint: {table: items, name: fk_items_owner_id_users}
  - validate_constraint: {table: items, name: ck_items_title_not_null}
downgrade: []
)yaml";

class NotValidTest : public MigrationsTest {
 protected:
  void SetUp() override {
    MigrationsTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    write("20250101_0000_aaaa00000001_init.yaml", kInit);
    write("20250101_0001_bbbb00000002_not_valid.yaml", kNotValid);
    write("20250101_0002_cccc00000003_validate.yaml", kValidate);
    runner().upgrade("aaaa00000001");
    run("INSERT INTO users (id) VALUES (1)");
    run("INSERT INTO items (id, owner_id, title) VALUES (1, 1, 'a')");
  }

  Ids upgrade(const std::string& target) {
    // The steps point into the script directory: it must outlive the loop.
    auto directory = scripts();
    Ids ids;
    for (const auto& step : Runner(*engine_, directory, {}).upgrade(target)) {
      ids.push_back(step.revision->id);
    }
    return ids;
  }
  // PostgreSQL: whether each constraint of items is validated, by name.
  std::string validated() {
    std::string out;
    for (const auto& row : engine_->connect().execute(
             "SELECT conname, convalidated FROM pg_constraint WHERE conrelid = 'items'::regclass "
             "AND contype IN ('f', 'c') ORDER BY conname")) {
      out += row.get<std::string>(0) + (row.get<bool>(1) ? " valid; " : " not valid; ");
    }
    return out;
  }
  Ids current() { return runner().current(); }
};

TEST_P(NotValidTest, NewRowsAreCheckedAtOnceAndOldOnesWhenValidated) {
  EXPECT_EQ(upgrade("bbbb00000002"), Ids{"bbbb00000002"});
  if (!is_sqlite()) {
    EXPECT_EQ(validated(),
              "ck_items_title_not_null not valid; fk_items_owner_id_users not valid; ");
  }
  EXPECT_THROW(run("INSERT INTO items (id, owner_id, title) VALUES (2, 99, 'b')"), IntegrityError);
  EXPECT_THROW(run("INSERT INTO items (id, owner_id, title) VALUES (3, 1, NULL)"), IntegrityError);
  EXPECT_EQ(upgrade("heads"), Ids{"cccc00000003"});
  if (!is_sqlite()) {
    EXPECT_EQ(validated(), "ck_items_title_not_null valid; fk_items_owner_id_users valid; ");
  }
  auto items = Inspector(*engine_).table("items");
  EXPECT_EQ(items.foreign_keys.size(), 1u);
  EXPECT_EQ(items.check_constraints.size(), 1u);
  runner().downgrade("aaaa00000001");
  items = Inspector(*engine_).table("items");
  EXPECT_TRUE(items.foreign_keys.empty());
  EXPECT_TRUE(items.check_constraints.empty());
}

// Rows that break the constraints: PostgreSQL adds them NOT VALID all the same, and the
// validation fails, naming its operation; SQLite's rebuild checks them at once.
TEST_P(NotValidTest, OldRowsThatBreakThemFailTheValidation) {
  run("INSERT INTO items (id, owner_id, title) VALUES (2, 99, NULL)");
  if (is_sqlite()) {
    EXPECT_THROW(upgrade("bbbb00000002"), MigrationError);
    EXPECT_EQ(current(), Ids{"aaaa00000001"});
    return;
  }
  EXPECT_EQ(upgrade("bbbb00000002"), Ids{"bbbb00000002"});
  try {
    upgrade("heads");
    FAIL() << "expected the validation to fail";
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("upgrade operation 1 (validate_constraint) failed"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(current(), Ids{"bbbb00000002"});
  run("UPDATE items SET owner_id = 1, title = 'b' WHERE id = 2");
  EXPECT_EQ(upgrade("heads"), Ids{"cccc00000003"});
}

STRATA_ON_BOTH_BACKENDS(NotValidTest);

}  // namespace
}  // namespace strata::test
