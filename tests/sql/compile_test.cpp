// Golden tests: the exact SQL text and parameters of each construct, on both dialects.
#include <thread>

#include "sql_tables.hpp"

namespace strata::test {
namespace {

const Dialect& sqlite_dialect() {
  return Dialect::of(Backend::sqlite);
}
const Dialect& postgres_dialect() {
  return Dialect::of(Backend::postgresql);
}

void expect_sql(const sql::Statement& statement, std::string_view sqlite, std::string_view postgres,
                const std::vector<Value>& params = {}) {
  auto lite = sql::compile(statement, sqlite_dialect());
  EXPECT_EQ(lite.sql, sqlite);
  EXPECT_EQ(lite.params, params) << "on SQLite, for " << lite.sql;
  auto pg = sql::compile(statement, postgres_dialect());
  EXPECT_EQ(pg.sql, postgres);
  EXPECT_EQ(pg.params, params) << "on PostgreSQL, for " << pg.sql;
}

class Compile : public ::testing::Test {
 protected:
  sql::Source users{users_table()};
  sql::Source items{items_table()};
};

TEST_F(Compile, SelectWithComparison) {
  expect_sql(sql::select({users.c("id"), users.c("email")}).from(users).where(users.c("id") == 7),
             "SELECT users.id, users.email FROM users WHERE users.id = ?",
             "SELECT users.id, users.email FROM users WHERE users.id = $1", {7});
}

TEST_F(Compile, EveryComparisonOperator) {
  auto id = users.c("id");
  expect_sql(sql::select({id}).from(users).where(id != 1 && id < 2 && id <= 3 && id > 4 &&
                                                 id >= 5 && 6 == id),
             "SELECT users.id FROM users WHERE users.id <> ? AND users.id < ? AND users.id <= "
             "? AND users.id > ? AND users.id >= ? AND ? = users.id",
             "SELECT users.id FROM users WHERE users.id <> $1 AND users.id < $2 AND users.id <= "
             "$3 AND users.id > $4 AND users.id >= $5 AND $6 = users.id",
             {1, 2, 3, 4, 5, 6});
}

TEST_F(Compile, AndOrNotKeepTheirMeaning) {
  auto a = users.c("id") == 1;
  auto b = users.c("name") == "b";
  auto c = users.c("score") == 3;
  expect_sql(sql::select({users.c("id")}).from(users).where((a || b) && !c),
             "SELECT users.id FROM users WHERE (users.id = ? OR users.name = ?) AND NOT "
             "(users.score = ?)",
             "SELECT users.id FROM users WHERE (users.id = $1 OR users.name = $2) AND NOT "
             "(users.score = $3)",
             {1, "b", 3});
  expect_sql(sql::select({users.c("id")}).from(users).where(sql::or_({a && b, c})),
             "SELECT users.id FROM users WHERE (users.id = ? AND users.name = ?) OR "
             "users.score = ?",
             "SELECT users.id FROM users WHERE (users.id = $1 AND users.name = $2) OR "
             "users.score = $3",
             {1, "b", 3});
  expect_sql(sql::select({users.c("id")}).from(users).where(sql::not_(a || b)),
             "SELECT users.id FROM users WHERE NOT (users.id = ? OR users.name = ?)",
             "SELECT users.id FROM users WHERE NOT (users.id = $1 OR users.name = $2)", {1, "b"});
}

TEST_F(Compile, ArithmeticParenthesesFollowPrecedence) {
  auto s = users.c("score");
  auto id = users.c("id");
  expect_sql(sql::select({(s + id) * 2, s - (id - 1), s - id - 1, -(s + 1)}).from(users),
             "SELECT (users.score + users.id) * ?, users.score - (users.id - ?), users.score - "
             "users.id - ?, -(users.score + ?) FROM users",
             "SELECT (users.score + users.id) * $1, users.score - (users.id - $2), users.score - "
             "users.id - $3, -(users.score + $4) FROM users",
             {2, 1, 1, 1});
}

TEST_F(Compile, InListBindsEachItem) {
  auto id = users.c("id");
  expect_sql(sql::select({id}).from(users).where(id.in_({1, 2, 3})),
             "SELECT users.id FROM users WHERE users.id IN (?, ?, ?)",
             "SELECT users.id FROM users WHERE users.id IN ($1, $2, $3)", {1, 2, 3});
  const std::vector<std::string> names{"a", "b"};
  expect_sql(sql::select({id}).from(users).where(users.c("name").not_in(names)),
             "SELECT users.id FROM users WHERE users.name NOT IN (?, ?)",
             "SELECT users.id FROM users WHERE users.name NOT IN ($1, $2)", {"a", "b"});
  const std::vector<std::int64_t> none;
  expect_sql(sql::select({id}).from(users).where(id.in_(none) || id.not_in(none)),
             "SELECT users.id FROM users WHERE 1 = 0 OR 1 = 1",
             "SELECT users.id FROM users WHERE 1 = 0 OR 1 = 1");
}

TEST_F(Compile, LikeAndIlike) {
  auto email = users.c("email");
  expect_sql(sql::select({email}).from(users).where(email.like("a%") && email.not_like("%b") &&
                                                    email.ilike("%X%")),
             "SELECT users.email FROM users WHERE users.email LIKE ? AND users.email NOT LIKE "
             "? AND users.email LIKE ?",
             "SELECT users.email FROM users WHERE users.email LIKE $1 AND users.email NOT LIKE "
             "$2 AND users.email ILIKE $3",
             {"a%", "%b", "%X%"});
}

TEST_F(Compile, NullTests) {
  auto name = users.c("name");
  expect_sql(sql::select({name}).from(users).where(name.is_null() || name.is_not_null() ||
                                                   name == nullptr || name != nullptr),
             "SELECT users.name FROM users WHERE users.name IS NULL OR users.name IS NOT NULL OR "
             "users.name IS NULL OR users.name IS NOT NULL",
             "SELECT users.name FROM users WHERE users.name IS NULL OR users.name IS NOT NULL OR "
             "users.name IS NULL OR users.name IS NOT NULL");
}

TEST_F(Compile, Between) {
  auto score = users.c("score");
  expect_sql(
      sql::select({score}).from(users).where(score.between(1, 5) || score.not_between(10, 20)),
      "SELECT users.score FROM users WHERE users.score BETWEEN ? AND ? OR users.score "
      "NOT BETWEEN ? AND ?",
      "SELECT users.score FROM users WHERE users.score BETWEEN $1 AND $2 OR users.score "
      "NOT BETWEEN $3 AND $4",
      {1, 5, 10, 20});
}

TEST_F(Compile, InnerAndLeftJoins) {
  auto owner = users.as("owner");
  expect_sql(sql::select({users.c("email"), items.c("title"), owner.c("name")})
                 .from(users)
                 .join(items, items.c("owner_id") == users.c("id"))
                 .left_join(owner, owner.c("id") == items.c("owner_id") && owner.c("score") > 1),
             "SELECT users.email, items.title, owner.name FROM users JOIN items ON items.owner_id "
             "= users.id LEFT JOIN users AS owner ON owner.id = items.owner_id AND owner.score > "
             "?",
             "SELECT users.email, items.title, owner.name FROM users JOIN items ON items.owner_id "
             "= users.id LEFT JOIN users AS owner ON owner.id = items.owner_id AND owner.score > "
             "$1",
             {1});
}

TEST_F(Compile, GroupByHavingAndAggregates) {
  auto price = items.c("price");
  expect_sql(sql::select({items.c("owner_id"), sql::count().label("n"), sql::sum(price),
                          sql::min(price), sql::max(price), sql::avg(price).label("mean"),
                          sql::count_distinct(items.c("title")), sql::count(price)})
                 .from(items)
                 .group_by({items.c("owner_id")})
                 .having(sql::count() > 1),
             "SELECT items.owner_id, count(*) AS n, sum(items.price), min(items.price), "
             "max(items.price), avg(items.price) AS mean, count(DISTINCT items.title), "
             "count(items.price) FROM items GROUP BY items.owner_id HAVING count(*) > ?",
             "SELECT items.owner_id, count(*) AS n, sum(items.price), min(items.price), "
             "max(items.price), avg(items.price) AS mean, count(DISTINCT items.title), "
             "count(items.price) FROM items GROUP BY items.owner_id HAVING count(*) > $1",
             {1});
}

TEST_F(Compile, OrderLimitOffsetDistinct) {
  expect_sql(sql::select({users.c("name")})
                 .distinct()
                 .from(users)
                 .order_by({users.c("score").desc().nulls_last(), users.c("name").asc(),
                            users.c("email"), users.c("id").asc().nulls_first()})
                 .limit(10)
                 .offset(20),
             "SELECT DISTINCT users.name FROM users ORDER BY users.score DESC NULLS LAST, "
             "users.name ASC, users.email, users.id ASC NULLS FIRST LIMIT ? OFFSET ?",
             "SELECT DISTINCT users.name FROM users ORDER BY users.score DESC NULLS LAST, "
             "users.name ASC, users.email, users.id ASC NULLS FIRST LIMIT $1 OFFSET $2",
             {10, 20});
}

TEST_F(Compile, SubqueriesInExistsAndScalar) {
  auto owners = sql::select({items.c("owner_id")}).from(items).where(items.c("price") > 5);
  expect_sql(sql::select({users.c("id")})
                 .from(users)
                 .where(users.c("id").in_(owners) && users.c("score") == 1),
             "SELECT users.id FROM users WHERE users.id IN (SELECT items.owner_id FROM items "
             "WHERE items.price > ?) AND users.score = ?",
             "SELECT users.id FROM users WHERE users.id IN (SELECT items.owner_id FROM items "
             "WHERE items.price > $1) AND users.score = $2",
             {5, 1});
  auto has_items = sql::exists(
      sql::select({items.c("id")}).from(items).where(items.c("owner_id") == users.c("id")));
  auto item_count =
      sql::scalar(
          sql::select({sql::count()}).from(items).where(items.c("owner_id") == users.c("id")))
          .label("item_count");
  expect_sql(sql::select({users.c("id"), item_count}).from(users).where(!has_items),
             "SELECT users.id, (SELECT count(*) FROM items WHERE items.owner_id = users.id) AS "
             "item_count FROM users WHERE NOT EXISTS (SELECT items.id FROM items WHERE "
             "items.owner_id = users.id)",
             "SELECT users.id, (SELECT count(*) FROM items WHERE items.owner_id = users.id) AS "
             "item_count FROM users WHERE NOT EXISTS (SELECT items.id FROM items WHERE "
             "items.owner_id = users.id)");
}

TEST_F(Compile, SubqueryInFromUnderAnAlias) {
  auto totals = sql::select({items.c("owner_id"), sql::sum(items.c("price")).label("total")})
                    .from(items)
                    .group_by({items.c("owner_id")})
                    .subquery("totals");
  expect_sql(sql::select({users.c("email"), totals.c("total")})
                 .from(users)
                 .join(totals, totals.c("owner_id") == users.c("id"))
                 .where(totals.c("total") >= 10.5),
             "SELECT users.email, totals.total FROM users JOIN (SELECT items.owner_id, "
             "sum(items.price) AS total FROM items GROUP BY items.owner_id) AS totals ON "
             "totals.owner_id = users.id WHERE totals.total >= ?",
             "SELECT users.email, totals.total FROM users JOIN (SELECT items.owner_id, "
             "sum(items.price) AS total FROM items GROUP BY items.owner_id) AS totals ON "
             "totals.owner_id = users.id WHERE totals.total >= $1",
             {10.5});
  EXPECT_THROW(totals.c("price"), UsageError);
}

TEST_F(Compile, InsertRowsReturning) {
  expect_sql(sql::insert(users_table())
                 .values({{"email", "a@x"}, {"name", "A"}})
                 .values({{"email", "b@x"}, {"name", nullptr}})
                 .returning({users.c("id")}),
             "INSERT INTO users (email, name) VALUES (?, ?), (?, ?) RETURNING users.id",
             "INSERT INTO users (email, name) VALUES ($1, $2), ($3, $4) RETURNING users.id",
             {"a@x", "A", "b@x", nullptr});
  expect_sql(sql::insert(items_table()), "INSERT INTO items DEFAULT VALUES",
             "INSERT INTO items DEFAULT VALUES");
}

TEST_F(Compile, Upserts) {
  expect_sql(sql::insert(users_table()).values({{"email", "a@x"}}).on_conflict_do_nothing(),
             "INSERT INTO users (email) VALUES (?) ON CONFLICT DO NOTHING",
             "INSERT INTO users (email) VALUES ($1) ON CONFLICT DO NOTHING", {"a@x"});
  expect_sql(
      sql::insert(users_table())
          .values({{"email", "a@x"}, {"score", 2}})
          .on_conflict_do_update(
              {"email"},
              {{"score", users.c("score") + sql::excluded(users_table(), "score")},
               {"name", "again"}},
              users.c("score") < 100)
          .returning({users.c("score")}),
      "INSERT INTO users (email, score) VALUES (?, ?) ON CONFLICT (email) DO UPDATE SET score = "
      "users.score + excluded.score, name = ? WHERE users.score < ? RETURNING users.score",
      "INSERT INTO users (email, score) VALUES ($1, $2) ON CONFLICT (email) DO UPDATE SET score = "
      "users.score + excluded.score, name = $3 WHERE users.score < $4 RETURNING users.score",
      {"a@x", 2, "again", 100});
}

TEST_F(Compile, UpdateAndDelete) {
  expect_sql(sql::update(users_table())
                 .set({{"score", users.c("score") + 1}, {"name", "z"}})
                 .where(users.c("id") == 3)
                 .returning({users.c("id"), users.c("score")}),
             "UPDATE users SET score = users.score + ?, name = ? WHERE users.id = ? RETURNING "
             "users.id, users.score",
             "UPDATE users SET score = users.score + $1, name = $2 WHERE users.id = $3 RETURNING "
             "users.id, users.score",
             {1, "z", 3});
  expect_sql(sql::delete_(items_table())
                 .where(items.c("price").is_null())
                 .where(items.c("id") > 2)
                 .returning({items.c("id")}),
             "DELETE FROM items WHERE items.price IS NULL AND items.id > ? RETURNING items.id",
             "DELETE FROM items WHERE items.price IS NULL AND items.id > $1 RETURNING items.id",
             {2});
  expect_sql(sql::delete_(items_table()), "DELETE FROM items", "DELETE FROM items");
}

TEST_F(Compile, IdentifiersAreQuotedWhereNeeded) {
  sql::Source odd{odd_table()};
  auto o = odd.as("Odd One");
  expect_sql(
      sql::select({o.c("Name"), o.c("has space"), o.c("say \"hi\""), o.c("order")})
          .from(o)
          .where(o.c("order") > 1)
          .order_by({o.c("order").desc()}),
      "SELECT \"Odd One\".\"Name\", \"Odd One\".\"has space\", \"Odd One\".\"say \"\"hi\"\"\", "
      "\"Odd One\".\"order\" FROM \"user\" AS \"Odd One\" WHERE \"Odd One\".\"order\" > ? "
      "ORDER BY \"Odd One\".\"order\" DESC",
      "SELECT \"Odd One\".\"Name\", \"Odd One\".\"has space\", \"Odd One\".\"say \"\"hi\"\"\", "
      "\"Odd One\".\"order\" FROM \"user\" AS \"Odd One\" WHERE \"Odd One\".\"order\" > $1 "
      "ORDER BY \"Odd One\".\"order\" DESC",
      {1});
  expect_sql(sql::update(odd_table()).set({{"Name", "n"}}).where(odd.c("order") == 2),
             "UPDATE \"user\" SET \"Name\" = ? WHERE \"user\".\"order\" = ?",
             "UPDATE \"user\" SET \"Name\" = $1 WHERE \"user\".\"order\" = $2", {"n", 2});
  expect_sql(sql::select({sql::count().label("Total Count")}).from(odd),
             "SELECT count(*) AS \"Total Count\" FROM \"user\"",
             "SELECT count(*) AS \"Total Count\" FROM \"user\"");
}

TEST_F(Compile, UnqualifiedColumnsForOneTable) {
  sql::Source odd{odd_table()};
  expect_sql(sql::select({users.unqualified("id"), users.unqualified("email")})
                 .from(users)
                 .where(users.unqualified("id") == sql::bindparam("id")),
             "SELECT id, email FROM users WHERE id = ?",
             "SELECT id, email FROM users WHERE id = $1", {nullptr});
  expect_sql(sql::update(odd_table())
                 .set({{"Name", "n"}})
                 .where(odd.unqualified("order") == 2)
                 .returning({odd.unqualified("has space")}),
             "UPDATE \"user\" SET \"Name\" = ? WHERE \"order\" = ? RETURNING \"has space\"",
             "UPDATE \"user\" SET \"Name\" = $1 WHERE \"order\" = $2 RETURNING \"has space\"",
             {"n", 2});
  EXPECT_THROW(users.unqualified("nope"), UsageError);
}

// literal_sql writes values into the text, each through the dialect's literal(): booleans
// differ, strings are escaped, and a bindparam gives its default.
TEST_F(Compile, LiteralSqlWritesValuesIntoTheText) {
  auto rows = sql::insert(users_table())
                  .values({{"id", 1}, {"email", "o'neil@x"}, {"name", nullptr}, {"score", 2}})
                  .values({{"id", 2}, {"email", "b@x"}, {"name", "B"}, {"score", -3}});
  const std::string expected =
      "INSERT INTO users (id, email, name, score) VALUES (1, 'o''neil@x', NULL, 2), (2, 'b@x', "
      "'B', -3)";
  EXPECT_EQ(sql::literal_sql(rows, sqlite_dialect()), expected);
  EXPECT_EQ(sql::literal_sql(rows, postgres_dialect()), expected);

  auto set = sql::update(users_table())
                 .set({{"name", true}})
                 .where(users.c("score") >= sql::bindparam("min", 5) && users.c("email") != "x");
  EXPECT_EQ(sql::literal_sql(set, sqlite_dialect()),
            "UPDATE users SET name = 1 WHERE users.score >= 5 AND users.email <> 'x'");
  EXPECT_EQ(sql::literal_sql(set, postgres_dialect()),
            "UPDATE users SET name = TRUE WHERE users.score >= 5 AND users.email <> 'x'");
  // Literals leave the statement's own compiled forms alone.
  EXPECT_EQ(set.compiled(sqlite_dialect()).sql,
            "UPDATE users SET name = ? WHERE users.score >= ? AND users.email <> ?");

  auto unbound = sql::delete_(users_table()).where(users.c("id") == sql::bindparam("id"));
  try {
    sql::literal_sql(unbound, sqlite_dialect());
    ADD_FAILURE() << "a bindparam without a value was written";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "bindparam 'id' has no value to write into the SQL text; give it a default, or "
                 "run the statement with its value");
  }
}

TEST_F(Compile, ValuesAreBoundNeverSpliced) {
  const std::string hostile = "x'); DROP TABLE users; --";
  auto compiled =
      sql::compile(sql::select({users.c("id")}).from(users).where(users.c("name") == hostile),
                   postgres_dialect());
  EXPECT_EQ(compiled.sql, "SELECT users.id FROM users WHERE users.name = $1");
  EXPECT_EQ(compiled.params, std::vector<Value>{hostile});
}

TEST_F(Compile, ParametersWithoutContextAreCast) {
  // PostgreSQL cannot infer `$1 + $2` or a bare `$1 IS NULL`: such parameters carry a type.
  expect_sql(
      sql::select({sql::Expr(2) + 3, sql::Expr("t"), sql::Expr(1.5).is_null(), sql::Expr(true)}),
      "SELECT CAST(? AS BIGINT) + CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS DOUBLE "
      "PRECISION) IS NULL, CAST(? AS BOOLEAN)",
      "SELECT CAST($1 AS BIGINT) + CAST($2 AS BIGINT), CAST($3 AS TEXT), CAST($4 AS DOUBLE "
      "PRECISION) IS NULL, CAST($5 AS BOOLEAN)",
      {2, 3, "t", 1.5, true});
}

TEST_F(Compile, FunctionsAndCasts) {
  expect_sql(sql::select({sql::func("lower", {users.c("email")}),
                          sql::func("coalesce", {users.c("name"), "none"}),
                          sql::cast(users.c("score"), Type::text())})
                 .from(users),
             "SELECT lower(users.email), coalesce(users.name, ?), CAST(users.score AS TEXT) FROM "
             "users",
             "SELECT lower(users.email), coalesce(users.name, $1), CAST(users.score AS TEXT) FROM "
             "users",
             {"none"});
  EXPECT_THROW(sql::func("lower(x); --", {}), UsageError);
}

TEST_F(Compile, BindparamsAreRecordedWithTheirPlaces) {
  auto stmt = sql::select({users.c("id")})
                  .from(users)
                  .where(users.c("name") == sql::bindparam("name") ||
                         users.c("email") == sql::bindparam("name"))
                  .limit(sql::bindparam("limit", 10));
  auto compiled = sql::compile(stmt, sqlite_dialect());
  EXPECT_EQ(compiled.sql,
            "SELECT users.id FROM users WHERE users.name = ? OR users.email = ? LIMIT ?");
  EXPECT_EQ(compiled.params, (std::vector<Value>{nullptr, nullptr, 10}));
  EXPECT_EQ(compiled.bindings, (std::vector<sql::Compiled::Binding>{
                                   {0, "name", true}, {1, "name", true}, {2, "limit", false}}));
}

TEST_F(Compile, MisuseIsReportedWithWhatToDo) {
  EXPECT_THROW(users.c("nope"), UsageError);
  try {
    users.c("nope");
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "'users' has no column 'nope'; its columns are: id, email, name, score");
  }
  EXPECT_THROW(sql::select({}), UsageError);
  EXPECT_THROW(sql::select({users.c("id")}).join(items, items.c("id") == 1), UsageError);
  EXPECT_THROW(sql::insert(users_table()).values({{"nope", 1}}), UsageError);
  EXPECT_THROW(sql::insert(users_table()).values({{"email", "a"}}).values({{"name", "b"}}),
               UsageError);
  EXPECT_THROW(sql::update(users_table()).set({{"nope", 1}}), UsageError);
  EXPECT_THROW(sql::compile(sql::update(users_table()), sqlite_dialect()), UsageError);
  EXPECT_THROW(sql::compile(sql::select({users.c("id")}).from(users).offset(5), sqlite_dialect()),
               UsageError);
  EXPECT_THROW(sql::excluded(users_table(), "nope"), UsageError);
  EXPECT_THROW(sql::select({users.c("id")}).where(sql::Expr()), UsageError);
  EXPECT_THROW(sql::and_({}), UsageError);
}

TEST_F(Compile, CopiesAreIndependentAndCompiledTextIsKept) {
  auto base = sql::select({users.c("id")}).from(users);
  auto filtered = base;
  filtered.where(users.c("id") == 1);
  EXPECT_EQ(base.compiled(sqlite_dialect()).sql, "SELECT users.id FROM users");
  EXPECT_EQ(filtered.compiled(sqlite_dialect()).sql,
            "SELECT users.id FROM users WHERE users.id = ?");

  // The second call returns the very same compiled object: nothing is compiled again.
  const sql::Compiled* first = &filtered.compiled(postgres_dialect());
  EXPECT_EQ(&filtered.compiled(postgres_dialect()), first);
  EXPECT_EQ(first->sql, "SELECT users.id FROM users WHERE users.id = $1");

  // A change drops what was compiled.
  filtered.limit(5);
  EXPECT_EQ(filtered.compiled(postgres_dialect()).sql,
            "SELECT users.id FROM users WHERE users.id = $1 LIMIT $2");
  EXPECT_EQ(base.compiled(postgres_dialect()).sql, "SELECT users.id FROM users");
}

TEST_F(Compile, ThreadsShareOneCompiledForm) {
  auto stmt = sql::select({users.c("id")}).from(users).where(users.c("id") == 1);
  std::vector<const sql::Compiled*> seen(8);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i) {
    threads.emplace_back([&, i] { seen[i] = &stmt.compiled(postgres_dialect()); });
  }
  for (auto& t : threads) t.join();
  for (const auto* compiled : seen) EXPECT_EQ(compiled, seen[0]);
  EXPECT_EQ(seen[0]->sql, "SELECT users.id FROM users WHERE users.id = $1");
}

}  // namespace
}  // namespace strata::test
