// Reading many rows cheaply, on both backends: get_many() loads objects by key in one query,
// untracked() lists copies the session does not track, and Row::as<T>() reads a raw query's
// row into a model struct.
#include "orm_models.hpp"

namespace strata::test {
namespace {

struct Pair {
  std::int64_t left = 0;
  std::int64_t right = 0;
};
inline const auto pairs =
    strata::table<Pair>("pairs", strata::column(&Pair::left, "left_id").primary_key(),
                        strata::column(&Pair::right, "right_id").primary_key());

class OrmBulkRead : public OrmTest {
 protected:
  // Three authors committed; their ids in insertion order.
  std::vector<std::int64_t> seed() {
    auto s = session();
    std::vector<std::int64_t> ids;
    for (const char* name : {"Ann", "Bob", "Cy"}) {
      auto& a = s.add(Author{.name = name});
      s.flush();
      ids.push_back(a.id);
    }
    s.commit();
    return ids;
  }
};

TEST_P(OrmBulkRead, GetManyLoadsInOneQueryInTheOrderOfTheKeys) {
  auto ids = seed();
  auto s = session();
  auto before = s.stats().statements;
  std::vector<std::int64_t> keys{ids[2], 999'999, ids[0], ids[2]};
  auto found = s.get_many<Author>(keys);
  EXPECT_EQ(s.stats().statements, before + 1);
  ASSERT_EQ(found.size(), 4u);
  ASSERT_NE(found[0], nullptr);
  EXPECT_EQ(found[0]->name, "Cy");
  EXPECT_EQ(found[1], nullptr);
  ASSERT_NE(found[2], nullptr);
  EXPECT_EQ(found[2]->name, "Ann");
  EXPECT_EQ(found[3], found[0]);
  // They are the session's objects: get() finds them without a query.
  before = s.stats().statements;
  EXPECT_EQ(s.get<Author>(ids[0]), found[2]);
  EXPECT_EQ(s.stats().statements, before);
}

TEST_P(OrmBulkRead, GetManyTakesHeldObjectsWithoutAQueryAndSkipsDeletedOnes) {
  auto ids = seed();
  auto s = session();
  Author* ann = s.get<Author>(ids[0]);
  Author* bob = s.get<Author>(ids[1]);
  auto before = s.stats().statements;
  EXPECT_EQ(s.get_many<Author>(std::vector<std::int64_t>{ids[1], ids[0]}),
            (std::vector<Author*>{bob, ann}));
  EXPECT_EQ(s.stats().statements, before);
  s.remove(*bob);
  EXPECT_EQ(s.get_many<Author>(std::vector<std::int64_t>{ids[0], ids[1]}),
            (std::vector<Author*>{ann, nullptr}));
}

// Any number of keys takes one of a few statement texts: the IN list is padded to a power of
// two, so 5, 6 and 7 keys share the 8-key statement and the connection prepares it once.
// PostgreSQL lists what a connection prepared (strata names a statement from its second run),
// SQLite too (sqlite_stmt).
TEST_P(OrmBulkRead, GetManyOfAnyCountSharesAFewStatements) {
  auto engine = make_engine("pool_size=1&max_overflow=0");
  std::vector<std::int64_t> ids;
  {
    Session s(engine);
    for (int i = 0; i < 7; ++i) {
      auto& a = s.add(Author{.name = "n" + std::to_string(i)});
      s.flush();
      ids.push_back(a.id);
    }
    s.commit();
  }
  for (std::size_t count : {5, 6, 7, 5, 6, 7}) {
    Session s(engine);
    auto found = s.get_many<Author>(std::span<const std::int64_t>(ids).first(count));
    ASSERT_EQ(found.size(), count);
    for (std::size_t i = 0; i < count; ++i) {
      ASSERT_NE(found[i], nullptr);
      EXPECT_EQ(found[i]->id, ids[i]);
    }
  }
  Session s(engine);
  const char* prepared =
      backend() == Backend::postgresql
          ? "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%authors.id IN%' "
            "AND statement NOT LIKE '%pg_prepared_statements%'"
          : "SELECT count(*) FROM sqlite_stmt WHERE sql LIKE '%authors.id IN%' AND sql NOT LIKE "
            "'%sqlite_stmt%'";
  EXPECT_EQ(s.execute(prepared).scalar<std::int64_t>(), 1);
}

TEST_P(OrmBulkRead, GetManyOfManyKeysIsOneQueryPerChunk) {
  auto s = session();
  std::vector<Author> many;
  for (int i = 0; i < 12'000; ++i) many.push_back(Author{.name = "a" + std::to_string(i)});
  auto added = s.add_all(std::move(many));
  s.commit();
  std::vector<std::int64_t> keys;
  for (const Author* a : added) keys.push_back(a->id);
  auto fresh = session();
  auto before = fresh.stats().statements;
  auto found = fresh.get_many<Author>(keys);
  EXPECT_EQ(fresh.stats().statements, before + 2);
  ASSERT_EQ(found.size(), keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    ASSERT_NE(found[i], nullptr);
    EXPECT_EQ(found[i]->id, keys[i]);
  }
}

TEST_P(OrmBulkRead, GetManyOnACompositeKeyIsAUsageError) {
  auto s = session();
  try {
    s.get_many<Pair>(std::vector<std::int64_t>{1});
    FAIL() << "get_many on a composite key ran";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()),
              "get_many() takes one value per key and needs a single-column primary key; table "
              "pairs has 2: use select() with a condition");
  }
}

TEST_P(OrmBulkRead, UntrackedListsCopiesTheSessionDoesNotHold) {
  auto ids = seed();
  auto s = session();
  auto list = s.select<Author>()
                  .where(col(&Author::name) != "Bob")
                  .order_by(col(&Author::name))
                  .untracked();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "Ann");
  EXPECT_EQ(list[1].name, "Cy");
  EXPECT_EQ(list[0].status, "new");
  // Not in the identity map: get() loads its own object, and a change to a copy is not saved.
  auto before = s.stats().statements;
  Author* ann = s.get<Author>(ids[0]);
  EXPECT_EQ(s.stats().statements, before + 1);
  EXPECT_NE(ann, &list[0]);
  list[0].name = "Changed";
  s.commit();
  EXPECT_EQ(session().get<Author>(ids[0])->name, "Ann");
}

TEST_P(OrmBulkRead, UntrackedThroughAJoinListsEachRowOnce) {
  auto ids = seed();
  auto s = session();
  s.add(Book{.author_id = ids[0], .title = "A1", .price = 1});
  s.add(Book{.author_id = ids[0], .title = "A2", .price = 2});
  s.flush();
  auto list = s.select<Author>().join<Book>(col(&Book::author_id) == col(&Author::id)).untracked();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].name, "Ann");
}

TEST_P(OrmBulkRead, RowAsReadsAModelByColumnName) {
  auto ids = seed();
  auto conn = engine().connect();
  auto result = conn.execute("SELECT status, email, name, id FROM authors WHERE id = ?", ids[1]);
  auto bob = result.row().as<Author>();
  EXPECT_EQ(bob.id, ids[1]);
  EXPECT_EQ(bob.name, "Bob");
  EXPECT_EQ(bob.email, std::nullopt);
  EXPECT_EQ(bob.status, "new");
  std::vector<Author> all;
  for (const auto& row : conn.execute("SELECT * FROM authors ORDER BY id")) {
    all.push_back(row.as<Author>());
  }
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2].name, "Cy");
}

TEST_P(OrmBulkRead, RowAsNamesAColumnTheRowLacks) {
  seed();
  auto conn = engine().connect();
  auto result = conn.execute("SELECT id, name FROM authors");
  try {
    (void)result.row().as<Author>();
    FAIL() << "a row without email was read";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("no column 'email' in the result (columns: id, name)"),
              std::string::npos)
        << e.what();
  }
}

STRATA_ON_BOTH_BACKENDS(OrmBulkRead);

}  // namespace
}  // namespace strata::test
