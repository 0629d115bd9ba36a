// Each construct run against SQLite and PostgreSQL, checking the rows that come back.
#include <algorithm>
#include <map>

#include "sql_tables.hpp"
#include "support/backends.hpp"

namespace strata::test {
namespace {

template <class T>
std::vector<T> column_values(Result result, int column = 0) {
  std::vector<T> out;
  for (const auto& row : result) out.push_back(row.get<T>(column));
  return out;
}

using Strings = std::vector<std::string>;
using Ints = std::vector<std::int64_t>;

class SqlExecute : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    conn_.emplace(make_engine().connect());
    const auto& dialect = Dialect::of(backend());
    for (const Table* table : sql_metadata().sorted_tables()) {
      for (const auto& ddl : dialect.create_table(*table)) conn_->execute_script(ddl);
    }
  }

  Connection& conn() { return *conn_; }

  // Ann (10), Bob (no score), Cy (no name, 5), Dee (7, upper-case email); Ann has two items,
  // Bob one, Cy none, Dee two (one without a price).
  void seed() {
    auto result = sql::execute(
        conn(), sql::insert(users_table())
                    .values({{"email", "ann@x.com"}, {"name", "Ann"}, {"score", 10}})
                    .values({{"email", "bob@x.com"}, {"name", "Bob"}, {"score", nullptr}})
                    .values({{"email", "cy@x.com"}, {"name", nullptr}, {"score", 5}})
                    .values({{"email", "Dee@X.com"}, {"name", "dee"}, {"score", 7}})
                    .returning({users.c("email"), users.c("id")}));
    std::map<std::string, std::int64_t> ids;
    for (const auto& row : result) ids[row.get<std::string>(0)] = row.get<std::int64_t>(1);
    ASSERT_EQ(ids.size(), 4u);
    ann = ids["ann@x.com"], bob = ids["bob@x.com"], cy = ids["cy@x.com"], dee = ids["Dee@X.com"];
    sql::execute(conn(),
                 sql::insert(items_table())
                     .values({{"owner_id", ann}, {"title", "apple"}, {"price", 1.5}})
                     .values({{"owner_id", ann}, {"title", "avocado"}, {"price", 3.0}})
                     .values({{"owner_id", bob}, {"title", "banana"}, {"price", 0.5}})
                     .values({{"owner_id", dee}, {"title", "date"}, {"price", nullptr}})
                     .values({{"owner_id", dee}, {"title", "dragonfruit"}, {"price", 9.0}}));
  }

  // The emails of the users matching `condition`, in id order.
  Strings emails_where(const sql::Expr& condition) {
    return column_values<std::string>(sql::execute(
        conn(),
        sql::select({users.c("email")}).from(users).where(condition).order_by({users.c("id")})));
  }

  sql::Source users{users_table()};
  sql::Source items{items_table()};
  std::int64_t ann = 0, bob = 0, cy = 0, dee = 0;

 private:
  std::optional<Connection> conn_;
};

TEST_P(SqlExecute, InsertSeveralRowsReturning) {
  auto result = sql::execute(conn(), sql::insert(users_table())
                                         .values({{"email", "a@x"}, {"name", "A"}})
                                         .values({{"email", "b@x"}, {"name", nullptr}})
                                         .returning({users.c("id"), users.c("email")}));
  std::vector<std::pair<std::int64_t, std::string>> rows;
  for (const auto& row : result) {
    rows.emplace_back(row.get<std::int64_t>("id"), row.get<std::string>("email"));
  }
  std::sort(rows.begin(), rows.end());  // RETURNING promises no order
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_LT(rows[0].first, rows[1].first);
  EXPECT_EQ(rows[0].second, "a@x");
  EXPECT_EQ(rows[1].second, "b@x");
  auto names =
      sql::execute(conn(), sql::select({users.c("name")}).from(users).order_by({users.c("id")}));
  EXPECT_EQ(column_values<std::optional<std::string>>(std::move(names)),
            (std::vector<std::optional<std::string>>{"A", std::nullopt}));
}

TEST_P(SqlExecute, ComparisonsAndLogic) {
  seed();
  auto score = users.c("score");
  EXPECT_EQ(
      emails_where((score > 6 && users.c("name") != nullptr) || users.c("email") == "cy@x.com"),
      (Strings{"ann@x.com", "cy@x.com", "Dee@X.com"}));
  EXPECT_EQ(emails_where(!(score > 6)), Strings{"cy@x.com"});  // NULL is neither
  EXPECT_EQ(emails_where(score >= 7 && score <= 7), Strings{"Dee@X.com"});
  EXPECT_EQ(emails_where(score < 7 || score != 10), (Strings{"cy@x.com", "Dee@X.com"}));
}

TEST_P(SqlExecute, InLikeIlikeNullBetween) {
  seed();
  auto email = users.c("email");
  EXPECT_EQ(emails_where(email.in_({"bob@x.com", "cy@x.com", "nobody"})),
            (Strings{"bob@x.com", "cy@x.com"}));
  EXPECT_EQ(emails_where(users.c("id").not_in(Ints{ann, bob})), (Strings{"cy@x.com", "Dee@X.com"}));
  EXPECT_EQ(emails_where(email.in_(Ints{})), Strings{});
  EXPECT_EQ(emails_where(email.not_in(Ints{})).size(), 4u);
  EXPECT_EQ(emails_where(email.like("b%")), Strings{"bob@x.com"});
  EXPECT_EQ(emails_where(email.ilike("%@X.COM")).size(), 4u);
  EXPECT_EQ(emails_where(users.c("name").is_null()), Strings{"cy@x.com"});
  EXPECT_EQ(emails_where(users.c("score") == nullptr), Strings{"bob@x.com"});
  EXPECT_EQ(emails_where(users.c("score").between(5, 7)), (Strings{"cy@x.com", "Dee@X.com"}));
  EXPECT_EQ(emails_where(users.c("score").not_between(5, 7)), Strings{"ann@x.com"});
}

TEST_P(SqlExecute, InnerAndLeftJoins) {
  seed();
  auto inner = sql::execute(conn(), sql::select({users.c("email"), items.c("title")})
                                        .from(users)
                                        .join(items, items.c("owner_id") == users.c("id"))
                                        .order_by({items.c("title")}));
  EXPECT_EQ(column_values<std::string>(std::move(inner), 1),
            (Strings{"apple", "avocado", "banana", "date", "dragonfruit"}));
  auto left = sql::execute(
      conn(), sql::select({users.c("email"), items.c("title")})
                  .from(users)
                  .left_join(items, items.c("owner_id") == users.c("id") && items.c("price") > 1)
                  .order_by({users.c("id"), items.c("title")}));
  std::vector<std::optional<std::string>> titles;
  for (const auto& row : left) titles.push_back(row.get<std::optional<std::string>>(1));
  EXPECT_EQ(titles, (std::vector<std::optional<std::string>>{"apple", "avocado", std::nullopt,
                                                             std::nullopt, "dragonfruit"}));
}

TEST_P(SqlExecute, GroupByHavingAndAggregates) {
  seed();
  auto price = items.c("price");
  auto result = sql::execute(
      conn(), sql::select({users.c("email"), sql::count().label("n"), sql::sum(price),
                           sql::min(price), sql::max(price), sql::avg(price), sql::count(price),
                           sql::count_distinct(items.c("owner_id"))})
                  .from(users)
                  .join(items, items.c("owner_id") == users.c("id"))
                  .group_by({users.c("id"), users.c("email")})
                  .having(sql::count() > 1)
                  .order_by({users.c("id")}));
  struct Group {
    std::string email;
    std::int64_t n;
    double sum, min, max, avg;
    std::int64_t priced, owners;
    bool operator==(const Group&) const = default;
  };
  std::vector<Group> groups;
  for (const auto& r : result) {
    groups.push_back({r.get<std::string>(0), r.get<std::int64_t>("n"), r.get<double>(2),
                      r.get<double>(3), r.get<double>(4), r.get<double>(5), r.get<std::int64_t>(6),
                      r.get<std::int64_t>(7)});
  }
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0], (Group{"ann@x.com", 2, 4.5, 1.5, 3.0, 2.25, 2, 1}));
  EXPECT_EQ(groups[1], (Group{"Dee@X.com", 2, 9.0, 9.0, 9.0, 9.0, 1, 1}));
}

TEST_P(SqlExecute, OrderWithNullsLimitAndOffset) {
  seed();
  auto ordered = [&](const sql::Ordering& order, std::int64_t limit, std::int64_t offset) {
    return column_values<std::string>(sql::execute(
        conn(),
        sql::select({users.c("email")}).from(users).order_by({order}).limit(limit).offset(offset)));
  };
  auto score = users.c("score");
  EXPECT_EQ(ordered(score.asc().nulls_first(), 10, 0),
            (Strings{"bob@x.com", "cy@x.com", "Dee@X.com", "ann@x.com"}));
  EXPECT_EQ(ordered(score.asc().nulls_last(), 10, 0),
            (Strings{"cy@x.com", "Dee@X.com", "ann@x.com", "bob@x.com"}));
  EXPECT_EQ(ordered(score.desc().nulls_last(), 10, 0),
            (Strings{"ann@x.com", "Dee@X.com", "cy@x.com", "bob@x.com"}));
  EXPECT_EQ(ordered(score.desc().nulls_first(), 2, 1), (Strings{"ann@x.com", "Dee@X.com"}));
}

TEST_P(SqlExecute, SubqueriesExistsAndAliases) {
  seed();
  auto pricey_owners = sql::select({items.c("owner_id")}).from(items).where(items.c("price") > 2);
  EXPECT_EQ(emails_where(users.c("id").in_(pricey_owners)), (Strings{"ann@x.com", "Dee@X.com"}));
  EXPECT_EQ(emails_where(users.c("id").not_in(pricey_owners)), (Strings{"bob@x.com", "cy@x.com"}));
  auto owned = sql::select({items.c("id")}).from(items).where(items.c("owner_id") == users.c("id"));
  EXPECT_EQ(emails_where(!sql::exists(owned)), Strings{"cy@x.com"});

  auto counts = sql::execute(
      conn(),
      sql::select(
          {users.c("email"),
           sql::scalar(
               sql::select({sql::count()}).from(items).where(items.c("owner_id") == users.c("id")))
               .label("n")})
          .from(users)
          .order_by({users.c("id")}));
  EXPECT_EQ(column_values<std::int64_t>(std::move(counts), 1), (Ints{2, 1, 0, 2}));

  // A subquery in FROM, and a table joined to itself under an alias.
  auto totals = sql::select({items.c("owner_id"), sql::sum(items.c("price")).label("total")})
                    .from(items)
                    .group_by({items.c("owner_id")})
                    .subquery("totals");
  auto rich = sql::execute(conn(), sql::select({users.c("email")})
                                       .from(users)
                                       .join(totals, totals.c("owner_id") == users.c("id"))
                                       .where(totals.c("total") >= 4.5)
                                       .order_by({users.c("id")}));
  EXPECT_EQ(column_values<std::string>(std::move(rich)), (Strings{"ann@x.com", "Dee@X.com"}));
  auto other = users.as("other");
  auto lower_scores = sql::execute(conn(), sql::select({users.c("email"), sql::count().label("n")})
                                               .from(users)
                                               .join(other, other.c("score") < users.c("score"))
                                               .group_by({users.c("email")})
                                               .order_by({sql::count()}));
  EXPECT_EQ(column_values<std::string>(std::move(lower_scores)),
            (Strings{"Dee@X.com", "ann@x.com"}));
}

TEST_P(SqlExecute, UpsertDoNothingAndDoUpdate) {
  seed();
  auto ignored = sql::execute(conn(), sql::insert(users_table())
                                          .values({{"email", "ann@x.com"}, {"name", "Other"}})
                                          .on_conflict_do_nothing({"email"}));
  EXPECT_EQ(ignored.rows_affected(), 0);
  EXPECT_EQ(emails_where(users.c("name") == "Other"), Strings{});

  auto add_score = [&](const std::string& email, int points) {
    return sql::insert(users_table())
        .values({{"email", email}, {"score", points}})
        .on_conflict_do_update(
            {"email"}, {{"score", users.c("score") + sql::excluded(users_table(), "score")}},
            users.c("score") < 100)
        .returning({users.c("score")});
  };
  EXPECT_EQ(sql::execute(conn(), add_score("ann@x.com", 95)).scalar<std::int64_t>(), 105);
  // The WHERE of DO UPDATE now fails: the row stays and nothing comes back.
  EXPECT_TRUE(sql::execute(conn(), add_score("ann@x.com", 1)).empty());
  EXPECT_EQ(sql::execute(conn(), add_score("new@x.com", 3)).scalar<std::int64_t>(), 3);
  auto all = sql::execute(conn(), sql::select({sql::count()}).from(users));
  EXPECT_EQ(all.scalar<std::int64_t>(), 5);
}

TEST_P(SqlExecute, UpdateAndDeleteReturning) {
  seed();
  auto updated = sql::execute(conn(), sql::update(users_table())
                                          .set({{"score", users.c("score") * 2}, {"name", "x"}})
                                          .where(users.c("score") > 6)
                                          .returning({users.c("score")}));
  auto scores = column_values<std::int64_t>(std::move(updated));
  std::sort(scores.begin(), scores.end());
  EXPECT_EQ(scores, (Ints{14, 20}));
  EXPECT_EQ(emails_where(users.c("name") == "x"), (Strings{"ann@x.com", "Dee@X.com"}));

  auto deleted =
      sql::execute(conn(), sql::delete_(items_table())
                               .where(items.c("price").is_null() || items.c("title").like("a%"))
                               .returning({items.c("title")}));
  auto titles = column_values<std::string>(std::move(deleted));
  std::sort(titles.begin(), titles.end());
  EXPECT_EQ(titles, (Strings{"apple", "avocado", "date"}));
  auto gone = sql::execute(conn(), sql::delete_(users_table()).where(users.c("id") == bob));
  EXPECT_EQ(gone.rows_affected(), 1);
  // The foreign key cascades: Bob's banana went with him, only the dragonfruit is left.
  auto left = sql::execute(conn(), sql::select({items.c("title")}).from(items));
  EXPECT_EQ(column_values<std::string>(std::move(left)), Strings{"dragonfruit"});
}

TEST_P(SqlExecute, BindparamsRunOneStatementWithNewValues) {
  seed();
  auto by_score = sql::select({users.c("email")})
                      .from(users)
                      .where(users.c("score") >= sql::bindparam("min"))
                      .order_by({users.c("score").desc()})
                      .limit(sql::bindparam("limit", 10));
  EXPECT_EQ(column_values<std::string>(sql::execute(conn(), by_score, {{"min", 7}})),
            (Strings{"ann@x.com", "Dee@X.com"}));
  const sql::Compiled* compiled = &by_score.compiled(Dialect::of(backend()));
  EXPECT_EQ(column_values<std::string>(sql::execute(conn(), by_score, {{"min", 0}, {"limit", 2}})),
            (Strings{"ann@x.com", "Dee@X.com"}));
  EXPECT_EQ(column_values<std::string>(sql::execute(conn(), by_score, {{"limit", 1}, {"min", 6}})),
            Strings{"ann@x.com"});
  EXPECT_EQ(&by_score.compiled(Dialect::of(backend())), compiled);  // not compiled again

  EXPECT_THROW(sql::execute(conn(), by_score), UsageError);
  try {
    sql::execute(conn(), by_score, {{"min", 1}, {"max", 2}});
    ADD_FAILURE() << "an unknown bindparam was accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("no bindparam 'max'; its bindparams: min, limit"),
              std::string::npos)
        << e.what();
  }
}

TEST_P(SqlExecute, QuotedIdentifiersWork) {
  sql::Source odd{odd_table()};
  sql::execute(
      conn(),
      sql::insert(odd_table())
          .values(
              {{"id", 1}, {"Name", "n1"}, {"has space", "s1"}, {"say \"hi\"", "q1"}, {"order", 1}})
          .values({{"id", 2},
                   {"Name", "n2"},
                   {"has space", "s2"},
                   {"say \"hi\"", "q2"},
                   {"order", 2}}));
  sql::execute(
      conn(),
      sql::update(odd_table()).set({{"has space", odd.c("Name")}}).where(odd.c("order") == 2));
  auto o = odd.as("Odd One");
  auto result = sql::execute(
      conn(), sql::select({o.c("Name"), o.c("has space"), o.c("say \"hi\""), o.c("order")})
                  .from(o)
                  .order_by({o.c("order").desc()}));
  ASSERT_FALSE(result.empty());
  auto row = result.row();
  EXPECT_EQ(row.get<std::string>("Name"), "n2");
  EXPECT_EQ(row.get<std::string>("has space"), "n2");
  EXPECT_EQ(row.get<std::string>("say \"hi\""), "q2");
  EXPECT_EQ(row.get<std::int64_t>("order"), 2);
}

TEST_P(SqlExecute, ValuesAreBoundNotSpliced) {
  const std::string hostile = "x'); DROP TABLE users; --";
  sql::execute(conn(), sql::insert(users_table()).values({{"email", hostile}, {"name", "it's"}}));
  EXPECT_EQ(emails_where(users.c("name") == "it's"), Strings{hostile});
  EXPECT_EQ(emails_where(users.c("email").like(hostile)), Strings{hostile});
}

TEST_P(SqlExecute, ParametersWithoutContextRun) {
  auto result =
      sql::execute(conn(), sql::select({sql::Expr(2) + 3, sql::Expr("t"), sql::Expr(1.5).is_null(),
                                        sql::Expr(true), sql::func("abs", {-4})}));
  auto row = result.row();
  EXPECT_EQ(row.get<std::int64_t>(0), 5);
  EXPECT_EQ(row.get<std::string>(1), "t");
  EXPECT_FALSE(row.get<bool>(2));
  EXPECT_TRUE(row.get<bool>(3));
  EXPECT_EQ(row.get<std::int64_t>(4), 4);
}

STRATA_ON_BOTH_BACKENDS(SqlExecute);

}  // namespace
}  // namespace strata::test
