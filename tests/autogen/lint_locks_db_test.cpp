// pg-type-rewrite against PostgreSQL itself: for each type change, the rule fires exactly when
// the server gives the table a new file (pg_class.relfilenode), that is, when it rewrote it.
#include <gtest/gtest.h>

#include <strata/autogen/lint.hpp>
#include <strata/dialect/dialect.hpp>

#include "support/backends.hpp"

namespace strata::autogen {
namespace {

using namespace strata::migrate;

class TypeRewriteTest : public test::DatabaseTest {
 protected:
  // Whether PostgreSQL rewrites a table of one (NULL) row to change a column from `from` to
  // `to`, through the SQL strata renders for it.
  bool server_rewrites(const Type& from, const Type& to) {
    const Dialect& d = Dialect::of(Backend::postgresql);
    auto conn = make_engine().connect();
    Table t("t", {Column("id", Type::biginteger()).primary_key(), Column("c", from)});
    NamingConvention{}.apply(t);
    conn.execute_script("DROP TABLE IF EXISTS t");
    for (const auto& sql : d.create_table(t)) conn.execute_script(sql);
    conn.execute_script("INSERT INTO t (id) VALUES (1)");
    auto file = [&] {
      return conn.execute("SELECT relfilenode FROM pg_class WHERE relname = 't'")
          .scalar<std::int64_t>();
    };
    auto before = file();
    for (const auto& sql : d.alter_column_sql("t", Column("c", from), Column("c", to))) {
      conn.execute_script(sql);
    }
    return file() != before;
  }

  bool lint_says_rewrite(const Type& from, const Type& to) {
    SchemaState state;
    state.apply(CreateTable{
        Table("t", {Column("id", Type::biginteger()).primary_key(), Column("c", from)})});
    Revision r;
    r.id = "b";
    AlterColumn change;
    change.table = "t";
    change.name = "c";
    change.type = to;
    r.upgrade = {change};
    LintOptions options;
    options.dialects = {"postgresql"};
    auto findings = lint(r, state, options);
    return std::any_of(findings.begin(), findings.end(),
                       [](const Finding& f) { return f.rule == "pg-type-rewrite"; });
  }
};

TEST_P(TypeRewriteTest, TheRuleFiresExactlyWhenPostgresqlRewrites) {
  if (is_sqlite()) GTEST_SKIP() << "a rule of PostgreSQL's";
  const std::vector<std::pair<Type, Type>> changes = {
      {Type::string(100), Type::string(200)},
      {Type::string(100), Type::string(50)},
      {Type::string(100), Type::text()},
      {Type::text(), Type::string(50)},
      {Type::numeric(10, 2), Type::numeric(12, 2)},
      {Type::numeric(10, 2), Type::numeric(12, 3)},
      {Type::smallinteger(), Type::integer()},
      {Type::integer(), Type::biginteger()},
      {Type::float32(), Type::float64()},
      {Type::date(), Type::datetime()},
      {Type::uuid(), Type::text()},
      {Type::json(), Type::text()},
      {Type::boolean(), Type::integer()},
      {Type::text(), Type::binary()},
  };
  for (const auto& [from, to] : changes) {
    EXPECT_EQ(lint_says_rewrite(from, to), server_rewrites(from, to))
        << from.to_string() << " to " << to.to_string();
  }
}

STRATA_ON_BOTH_BACKENDS(TypeRewriteTest);

}  // namespace
}  // namespace strata::autogen
