// The SQL layer with a dialect it does not know (support/colon_dialect.hpp): statements compile
// in that dialect's placeholders and literals, and keep their compiled form for it beside the
// built-in dialects' forms.
#include <thread>

#include "sql_tables.hpp"
#include "support/colon_dialect.hpp"

namespace strata::test {
namespace {

const Dialect& sqlite_dialect() {
  return Dialect::of(Backend::sqlite);
}

TEST(SqlForeignDialect, HasAnIndexOfItsOwn) {
  EXPECT_LT(colon_dialect().index(), Dialect::kMaxDialects);
  EXPECT_NE(colon_dialect().index(), Dialect::of(Backend::sqlite).index());
  EXPECT_NE(colon_dialect().index(), Dialect::of(Backend::postgresql).index());
}

TEST(SqlForeignDialect, StatementsCompileInItsPlaceholdersAndKeepThem) {
  sql::Source users{users_table()};
  auto stmt = sql::select({users.c("id")})
                  .from(users)
                  .where(users.c("name").ilike("a%") && users.c("score") > sql::bindparam("min"))
                  .limit(5);
  const sql::Compiled& colon = stmt.compiled(colon_dialect());
  EXPECT_EQ(colon.sql,
            "SELECT users.id FROM users WHERE users.name ILIKE :1 AND users.score > :2 LIMIT :3");
  EXPECT_EQ(colon.params, (std::vector<Value>{"a%", nullptr, 5}));
  EXPECT_EQ(colon.bindings, (std::vector<sql::Compiled::Binding>{{1, "min", true}}));

  // Each dialect's form is kept under its own index: asking for one leaves the others.
  EXPECT_EQ(stmt.compiled(sqlite_dialect()).sql,
            "SELECT users.id FROM users WHERE users.name LIKE ? AND users.score > ? LIMIT ?");
  EXPECT_EQ(&stmt.compiled(colon_dialect()), &colon);

  stmt.limit(6);  // a change drops every form
  EXPECT_EQ(stmt.compiled(colon_dialect()).params.back(), Value(6));
}

TEST(SqlForeignDialect, ThreadsShareOneCompiledForm) {
  sql::Source users{users_table()};
  auto stmt = sql::update(users_table())
                  .set({{"score", users.c("score") + 1}})
                  .where(users.unqualified("id") == sql::bindparam("id"));
  std::vector<const sql::Compiled*> seen(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&, i] { seen[i] = &stmt.compiled(colon_dialect()); });
  }
  for (auto& t : threads) t.join();
  for (const auto* compiled : seen) EXPECT_EQ(compiled, seen[0]);
  EXPECT_EQ(seen[0]->sql, "UPDATE users SET score = users.score + :1 WHERE id = :2");
}

// A value given to a column is written for the column's type; any other value for its kind's.
TEST(SqlForeignDialect, LiteralsAreWrittenByItForTheColumnsType) {
  sql::Source users{users_table()};
  auto rows = sql::insert(users_table())
                  .values({{"id", 1}, {"email", "a'b"}, {"name", nullptr}, {"score", 3}});
  EXPECT_EQ(sql::literal_sql(rows, colon_dialect()),
            "INSERT INTO users (id, email, name, score) VALUES (1::BIGINT, 'a''b'::VARCHAR(200), "
            "NULL::TEXT, 3::INTEGER)");
  auto set = sql::update(users_table()).set({{"score", 4}}).where(users.c("id") == 1);
  EXPECT_EQ(sql::literal_sql(set, colon_dialect()),
            "UPDATE users SET score = 4::INTEGER WHERE users.id = 1::BIGINT");
}

}  // namespace
}  // namespace strata::test
