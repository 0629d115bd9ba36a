// What does not count as a difference: reflection's quirks on each backend, without a database.
#include <gtest/gtest.h>

#include <cmath>
#include <strata/autogen/compare.hpp>
#include <strata/dialect/dialect.hpp>

namespace strata::autogen {
namespace {

using Lines = std::vector<std::string>;

Table one(Column model_column, bool key = false) {
  Table t("t", {Column("id", Type::biginteger()).primary_key(), std::move(model_column)});
  if (key) t.add_primary_key({"id", t.columns[1].name});
  NamingConvention{}.apply(t);
  return t;
}

Lines diff(const Table& model, const Table& reflected, Backend backend = Backend::sqlite) {
  CompareOptions options;
  options.dialect = &Dialect::of(backend);
  return compare(std::vector<Table>{model}, std::vector<Table>{reflected}, options).describe();
}

Column with_default(Column c, ServerDefault d) {
  c.server_default = std::move(d);
  return c;
}

TEST(Normalize, DefaultsSpelledDifferently) {
  Column ts("at", Type::datetime());
  EXPECT_EQ(diff(one(Column(ts).default_now()), one(Column(ts).default_sql("CURRENT_TIMESTAMP"))),
            Lines{});
  EXPECT_EQ(diff(one(Column(ts).default_sql("now()")), one(Column(ts).default_now())), Lines{});
  Column price("price", Type::numeric(10, 2));
  EXPECT_EQ(diff(one(Column(price).default_value(0)), one(Column(price).default_value(0.0))),
            Lines{});
  EXPECT_EQ(diff(one(Column(price).default_value(1.5)), one(Column(price).default_value("1.50"))),
            Lines{});
  EXPECT_EQ(diff(one(Column(price).default_value(1)), one(Column(price).default_sql("(1)"))),
            Lines{});
  Column flag("flag", Type::boolean());
  EXPECT_EQ(diff(one(Column(flag).default_value(true)), one(Column(flag).default_value(1))),
            Lines{});
  Column ratio("ratio", Type::float64());
  // SQLite stores NaN as NULL; a NULL default is no default.
  EXPECT_EQ(diff(one(Column(ratio).default_value(std::nan(""))), one(ratio)), Lines{});
  EXPECT_EQ(diff(one(with_default(ratio, ServerDefault::value(Value()))), one(ratio)), Lines{});
  EXPECT_EQ(diff(one(Column(ratio).default_value(2)), one(ratio)),
            Lines{"alter column t.ratio: default 2"});
  Column slug("slug", Type::text());
  EXPECT_EQ(diff(one(Column(slug).default_value(1)), one(Column(slug).default_value("1"))),
            Lines{});
  EXPECT_EQ(diff(one(Column(slug).default_sql("'a b'")), one(Column(slug).default_value("a b"))),
            Lines{});
  EXPECT_EQ(diff(one(Column(slug).default_value(1)), one(Column(slug).default_value("2"))),
            Lines{"alter column t.slug: default 1"});
  EXPECT_EQ(diff(one(Column(slug).default_sql("lower('X')")),
                 one(Column(slug).default_sql("lower(('X'::text))"))),
            Lines{});
}

TEST(Normalize, TypesThroughTheDialect) {
  Column tag("tag", Type::string(8));
  Column declared("tag", Type::other("CHARACTER(8)"));
  EXPECT_EQ(diff(one(tag), one(declared), Backend::sqlite), Lines{});
  EXPECT_EQ(diff(one(tag), one(declared), Backend::postgresql),
            Lines{"alter column t.tag: type string(8)"});
  EXPECT_EQ(diff(one(Column("n", Type::integer())), one(Column("n", Type::other("DECIMAL")))),
            Lines{"alter column t.n: type integer"});
  EXPECT_EQ(diff(one(Column("n", Type::string(10))), one(Column("n", Type::string(20)))),
            Lines{"alter column t.n: type string(10)"});
}

TEST(Normalize, IntegerKeysAndKeyNullability) {
  Table model("k", {Column("id", Type::integer()).primary_key()});
  Table reflected("k", {Column("id", Type::biginteger()).primary_key()});  // SQLite's rowid
  NamingConvention{}.apply(model);
  EXPECT_EQ(diff(model, reflected), Lines{});
  Table text_key("k", {Column("id", Type::text())});
  text_key.primary_key = PrimaryKey{"", {"id"}};  // declared without NOT NULL
  Table text_model("k", {Column("id", Type::text()).primary_key()});
  EXPECT_EQ(diff(text_model, text_key), Lines{});
}

TEST(Normalize, ConstraintsMatchByDefinitionWhateverTheirNames) {
  Table model = one(Column("email", Type::text()).unique().index());
  model.add_check("length(email) > 3", "email_length");
  NamingConvention{}.apply(model);
  Table reflected = model;
  reflected.unique_constraints[0].name = "";
  reflected.indexes[0].name = "t_email_idx";
  reflected.check_constraints[0] = {"t_email_check", "(length((email)::text) > 3)"};
  EXPECT_EQ(diff(model, reflected, Backend::postgresql), Lines{});
  reflected.check_constraints[0].condition = "length(email) > 4";
  EXPECT_EQ(diff(model, reflected, Backend::postgresql),
            (Lines{"remove check constraint t_email_check on t",
                   "add check constraint ck_t_email_length on t (length(email) > 3)"}));
}

}  // namespace
}  // namespace strata::autogen
