#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <strata/core/config.hpp>
#include <strata/core/error.hpp>
#include <strata/dialect/dialect.hpp>
#include <strata/schema/metadata.hpp>

namespace strata {
namespace {

TEST(Type, ParseAndPrintRoundTrip) {
  for (const char* name : {"boolean", "smallinteger", "integer", "biginteger", "float", "double",
                           "numeric(10,2)", "numeric", "string(200)", "string", "text", "date",
                           "time", "datetime", "datetime_tz", "binary", "json", "uuid"}) {
    EXPECT_EQ(Type::parse(name).to_string(), name);
  }
  EXPECT_EQ(Type::parse("string(200)"), Type::string(200));
  EXPECT_EQ(Type::parse("numeric(12, 4)"), Type::numeric(12, 4));
  EXPECT_EQ(Type::parse("numeric"), Type::numeric(0, 0));
}

TEST(Type, UnknownTypesListTheKnownOnes) {
  for (const char* bad : {"varchar(10)", "string(x)", "numeric(0,0)", "integer(4", "text(5)"}) {
    try {
      Type::parse(bad);
      ADD_FAILURE() << bad;
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("unknown type '") + bad + "'"),
                std::string::npos);
      EXPECT_NE(std::string(e.what()).find("string(n)"), std::string::npos);
    }
  }
}

Table items() {
  return Table(
      "items",
      {Column("id", Type::biginteger()).primary_key(),
       Column("title", Type::string(200)).not_null().index(),
       Column("owner_id", Type::biginteger()).not_null().references("users.id", FkAction::cascade),
       Column("price", Type::numeric(10, 2)).check("price >= 0").default_value(0),
       Column("sku", Type::string(40)).unique()});
}

TEST(Table, ColumnShorthandsBecomeNamedConstraints) {
  MetaData md;
  const Table& t = md.add(items());
  ASSERT_TRUE(t.primary_key);
  EXPECT_EQ(t.primary_key->name, "pk_items");
  EXPECT_TRUE(t.column("id")->autoincrement);
  EXPECT_FALSE(t.column("id")->nullable);
  ASSERT_EQ(t.indexes.size(), 1u);
  EXPECT_EQ(t.indexes[0].name, "ix_items_title");
  ASSERT_EQ(t.unique_constraints.size(), 1u);
  EXPECT_EQ(t.unique_constraints[0].name, "uq_items_sku");
  ASSERT_EQ(t.foreign_keys.size(), 1u);
  EXPECT_EQ(t.foreign_keys[0].name, "fk_items_owner_id_users");
  EXPECT_EQ(t.foreign_keys[0].on_delete, FkAction::cascade);
  ASSERT_EQ(t.check_constraints.size(), 1u);
  EXPECT_EQ(t.check_constraints[0].name, "ck_items_price");
  EXPECT_EQ(t.column("title")->pending, Column::Pending{});
}

TEST(NamingConvention, ConfigurableAndIdempotentAndBounded) {
  NamingConvention custom;
  custom.index = "idx_{columns}_on_{table}";
  MetaData md(custom);
  EXPECT_EQ(md.add(items()).indexes[0].name, "idx_title_on_items");
  Table t = *md.table("items");
  custom.apply(t);
  EXPECT_EQ(t.check_constraints[0].name, "ck_items_price");
  Table wide(std::string(60, 'w'), {Column("a_very_long_column_name", Type::integer()).index()});
  NamingConvention{}.apply(wide);
  EXPECT_EQ(wide.indexes[0].name.size(), 63u);
  EXPECT_EQ(wide.indexes[0].name.substr(0, 10), "ix_wwwwwww");
}

TEST(NamingConvention, FromStrataToml) {
  auto file = std::filesystem::temp_directory_path() / "strata-naming-test.toml";
  std::ofstream(file) << "[naming_convention]\nix = \"idx_{table}_{columns}\"\n";
  auto convention = NamingConvention::from(Config::load(file));
  std::filesystem::remove(file);
  EXPECT_EQ(convention.index, "idx_{table}_{columns}");
  EXPECT_EQ(convention.primary_key, "pk_{table}");
  MetaData md(convention);
  EXPECT_EQ(md.add(items()).indexes[0].name, "idx_items_title");
}

TEST(MetaData, SortsParentsFirstAndRejectsCycles) {
  MetaData md;
  md.add(items());
  md.add(Table("users", {Column("id", Type::biginteger()).primary_key(),
                         Column("manager_id", Type::biginteger()).references("users.id")}));
  md.add(Table("tags", {Column("item_id", Type::biginteger()).references("items.id")}));
  std::vector<std::string> order;
  for (const auto* t : md.sorted_tables()) order.push_back(t->name);
  EXPECT_EQ(order, (std::vector<std::string>{"users", "items", "tags"}));
  EXPECT_THROW(md.add(items()), UsageError);
  MetaData cyclic;
  cyclic.add(Table("a", {Column("b_id", Type::integer()).references("b.id")}));
  cyclic.add(Table("b", {Column("a_id", Type::integer()).references("a.id")}));
  EXPECT_THROW(cyclic.sorted_tables(), UsageError);
}

// Wrong arguments to the schema API are misuse, refused before any database is involved.
TEST(MetaData, WrongArgumentsAreUsageErrors) {
  EXPECT_THROW(Column("owner_id", Type::integer()).references("users"), UsageError);
  EXPECT_THROW(parse_fk_action("cascade everything"), UsageError);
  EXPECT_THROW(items().column_or_throw("nope"), UsageError);
  EXPECT_THROW(Dialect::of(Backend::sqlite).literal(Value(std::nan("")), Type::float64()),
               UsageError);
}

TEST(Dialect, QuotesOnlyWhatNeedsIt) {
  const auto& d = Dialect::of(Backend::postgresql);
  EXPECT_EQ(d.quote("items"), "items");
  EXPECT_EQ(d.quote("order"), "\"order\"");
  EXPECT_EQ(d.quote("MixedCase"), "\"MixedCase\"");
  EXPECT_EQ(d.quote("with space"), "\"with space\"");
  EXPECT_EQ(d.quote("say\"hi"), "\"say\"\"hi\"");
  EXPECT_EQ(d.quote("1st"), "\"1st\"");
  EXPECT_EQ(&Dialect::named("sqlite"), &Dialect::of(Backend::sqlite));
  EXPECT_THROW(Dialect::named("mysql"), ConfigError);
}

TEST(Dialect, CreateTableGoldenSqlite) {
  MetaData md;
  auto ddl = Dialect::of(Backend::sqlite).create_table(md.add(items()));
  ASSERT_EQ(ddl.size(), 2u);
  EXPECT_EQ(ddl[0],
            "CREATE TABLE items (\n"
            "  id INTEGER NOT NULL,\n"
            "  title VARCHAR(200) NOT NULL,\n"
            "  owner_id BIGINT NOT NULL,\n"
            "  price NUMERIC(10, 2) DEFAULT 0,\n"
            "  sku VARCHAR(40),\n"
            "  CONSTRAINT pk_items PRIMARY KEY (id),\n"
            "  CONSTRAINT uq_items_sku UNIQUE (sku),\n"
            "  CONSTRAINT fk_items_owner_id_users FOREIGN KEY (owner_id) REFERENCES users (id) ON "
            "DELETE CASCADE,\n"
            "  CONSTRAINT ck_items_price CHECK (price >= 0)\n"
            ")");
  EXPECT_EQ(ddl[1], "CREATE INDEX ix_items_title ON items (title)");
}

TEST(Dialect, CreateTableGoldenPostgres) {
  MetaData md;
  Table t("events", {Column("id", Type::integer()).primary_key(),
                     Column("at", Type::datetime_tz()).not_null().default_now(),
                     Column("payload", Type::json()), Column("ref", Type::uuid()),
                     Column("active", Type::boolean()).default_value(true),
                     Column("note", Type::text()).default_value("it's")});
  t.add_index({"at"}, false, "active", "");
  auto ddl = Dialect::of(Backend::postgresql).create_table(md.add(t));
  EXPECT_EQ(ddl[0],
            "CREATE TABLE events (\n"
            "  id INTEGER GENERATED BY DEFAULT AS IDENTITY,\n"
            "  at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
            "  payload JSONB,\n"
            "  ref UUID,\n"
            "  active BOOLEAN DEFAULT TRUE,\n"
            "  note TEXT DEFAULT 'it''s',\n"
            "  CONSTRAINT pk_events PRIMARY KEY (id)\n"
            ")");
  EXPECT_EQ(ddl[1], "CREATE INDEX ix_events_at ON events (at) WHERE active");
  EXPECT_TRUE(Dialect::of(Backend::sqlite)
                  .create_table(md.tables()[0])[0]
                  .starts_with("CREATE TABLE events (\n  id INTEGER NOT NULL,\n  at TIMESTAMP WITH "
                               "TIME ZONE NOT NULL "
                               "DEFAULT CURRENT_TIMESTAMP"));
}

// A constraint with no name (as a SQLite rebuild reflects one its CREATE TABLE left unnamed) is
// written without a CONSTRAINT clause: `CONSTRAINT ""` would give it an empty name.
TEST(Dialect, UnnamedConstraintsGetNoConstraintClause) {
  Table t("made_by_hand", {Column("id", Type::integer()).primary_key(),
                           Column("n", Type::integer()), Column("parent", Type::integer())});
  t.add_unique({"n"}, "");
  t.add_check("n > 0", "");
  t.add_foreign_key(ForeignKey{"", {"parent"}, "made_by_hand", {"id"}});
  ASSERT_TRUE(t.primary_key);
  t.primary_key->name.clear();
  for (Backend backend : {Backend::sqlite, Backend::postgresql}) {
    std::string sql = Dialect::of(backend).create_table(t)[0];
    EXPECT_EQ(sql.find("CONSTRAINT"), std::string::npos) << sql;
    for (const char* part : {"  PRIMARY KEY (id)", "  UNIQUE (n)", "  CHECK (n > 0)",
                             "  FOREIGN KEY (parent) REFERENCES made_by_hand (id)"}) {
      EXPECT_NE(sql.find(part), std::string::npos) << sql;
    }
  }
}

TEST(Compare, ReportsTheFirstDifference) {
  MetaData md;
  Table a = md.add(items());
  Table b = a;
  EXPECT_EQ(describe_difference(a, b), "");
  b.columns[1].type = Type::text();
  EXPECT_NE(describe_difference(a, b).find("column differs: expected title string(200) not null"),
            std::string::npos);
  b = a;
  b.check_constraints[0].condition = "(price >= (0)::numeric)";
  EXPECT_EQ(describe_difference(a, b), "");
  b.foreign_keys.clear();
  EXPECT_NE(describe_difference(a, b).find("missing foreign key fk_items_owner_id_users"),
            std::string::npos);
}

TEST(Compare, NormalizedExpressions) {
  EXPECT_EQ(normalize_sql_expression("(price >= (0)::numeric)"), "price > = 0");
  EXPECT_EQ(normalize_sql_expression("price>=0"), "price > = 0");
  EXPECT_EQ(normalize_sql_expression("name::character varying <> 'A B'"), "name < > 'A B'");
  EXPECT_EQ(normalize_sql_expression("Active AND x = 1"), "active and x = 1");
  EXPECT_EQ(normalize_sql_expression("x::numeric(10,2) > 0"), "x > 0");
  EXPECT_EQ(normalize_sql_expression("lower(email)"), "lower ( email )");
  // Grouping and the case of quoted names are meaning, not form.
  EXPECT_NE(normalize_sql_expression("(a > 0 AND b > 0) OR c > 0"),
            normalize_sql_expression("a > 0 AND (b > 0 OR c > 0)"));
  EXPECT_NE(normalize_sql_expression("\"Name\" = 'x'"), normalize_sql_expression("name = 'x'"));
}

// A condition as written (SQLite keeps it so) and as PostgreSQL deparses it: '' stays inside its
// string, comments go, and -- or /* inside a string are the string's.
TEST(Compare, NormalizedExpressionsReadStringsAndComments) {
  EXPECT_EQ(normalize_sql_expression("note <> 'it''s'"), "note < > 'it''s'");
  EXPECT_EQ(normalize_sql_expression("(note <> 'it''s'::text)"), "note < > 'it''s'");
  EXPECT_NE(normalize_sql_expression("note <> 'it''S'"),
            normalize_sql_expression("note <> 'it''s'"));
  EXPECT_EQ(normalize_sql_expression("qty > 0 -- why\n/* and /* nested */ how */"), "qty > 0");
  EXPECT_EQ(normalize_sql_expression("note <> 'a -- b /* c'"), "note < > 'a -- b /* c'");
  EXPECT_EQ(normalize_sql_expression("x <> e'a\\'b'"), normalize_sql_expression("(x <> E'a\\'b')"));
  EXPECT_EQ(normalize_sql_expression("T.Price >= 1.5E3"), "t.price > = 1.5e3");
}

}  // namespace
}  // namespace strata
