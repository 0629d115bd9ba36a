// Queries through a session on both backends: select<T>() with conditions, order, limits and
// joins; relation loading with a counted number of queries; add_all batching; streaming.
#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "orm_models.hpp"

namespace strata::test {
namespace {

class OrmQuery : public OrmTest {
 protected:
  // Ann has books A1 (10, 100 pages) and A2 (20); Bob has B1 (5, 300 pages); Cy has none.
  void seed(Session& s) {
    ann = &s.add(Author{.name = "Ann", .email = "ann@x.com"});
    bob = &s.add(Author{.name = "Bob"});
    cy = &s.add(Author{.name = "Cy", .email = "cy@x.com"});
    s.flush();
    s.add(Book{.author_id = ann->id, .title = "A1", .price = 10, .pages = 100});
    s.add(Book{.author_id = ann->id, .title = "A2", .price = 20});
    s.add(Book{.author_id = bob->id, .title = "B1", .price = 5, .pages = 300});
    s.commit();
  }

  static std::vector<std::string> titles(const std::vector<Book*>& list) {
    std::vector<std::string> out;
    for (const Book* b : list) out.push_back(b->title);
    return out;
  }

  Author* ann = nullptr;
  Author* bob = nullptr;
  Author* cy = nullptr;
};

using Strings = std::vector<std::string>;

TEST_P(OrmQuery, WhereOrderLimitOffset) {
  auto s = session();
  seed(s);
  auto by_price = s.select<Book>().order_by(col(&Book::price).desc()).all();
  EXPECT_EQ(titles(by_price), (Strings{"A2", "A1", "B1"}));
  EXPECT_EQ(titles(s.select<Book>().where(col(&Book::price) > 6).order_by(col(&Book::title)).all()),
            (Strings{"A1", "A2"}));
  EXPECT_EQ(titles(s.select<Book>().order_by(col(&Book::title)).limit(1).offset(1).all()),
            (Strings{"A2"}));
  EXPECT_EQ(titles(s.select<Book>()
                       .where(col(&Book::pages) == std::nullopt || col(&Book::pages) >= 300)
                       .order_by(col(&Book::title))
                       .all()),
            (Strings{"A2", "B1"}));
  EXPECT_EQ(
      titles(s.select<Book>().where(col(&Book::title).like("A%")).order_by(col(&Book::id)).all()),
      (Strings{"A1", "A2"}));
  EXPECT_EQ(titles(s.select<Book>()
                       .where(col(&Book::title).in_(std::vector<std::string>{"B1", "A2"}))
                       .order_by(col(&Book::title))
                       .all()),
            (Strings{"A2", "B1"}));
  EXPECT_EQ(s.select<Book>().where(col(&Book::price).between(5, 10)).count(), 2);
  EXPECT_EQ(s.select<Author>().where(col(&Author::email).is_null()).one().name, "Bob");
}

TEST_P(OrmQuery, FirstOneCountExists) {
  auto s = session();
  seed(s);
  EXPECT_EQ(s.select<Book>().where(col(&Book::title) == "nope").first(), nullptr);
  EXPECT_EQ(s.select<Book>().order_by(col(&Book::price)).first()->title, "B1");
  EXPECT_THROW(s.select<Book>().where(col(&Book::title) == "nope").one(), NoResultFound);
  EXPECT_THROW(s.select<Book>().one(), MultipleResultsFound);
  EXPECT_EQ(s.select<Book>().count(), 3);
  EXPECT_EQ(s.select<Book>().limit(2).count(), 2);
  EXPECT_TRUE(s.select<Book>().where(col(&Book::title) == "A1").exists());
  EXPECT_FALSE(s.select<Book>().where(col(&Book::title) == "zz").exists());
}

TEST_P(OrmQuery, JoinsFilterOnAnotherTable) {
  auto s = session();
  seed(s);
  auto ann_books = s.select<Book>()
                       .join<Author>(col(&Book::author_id) == col(&Author::id))
                       .where(col(&Author::name) == "Ann")
                       .order_by(col(&Book::title))
                       .all();
  EXPECT_EQ(titles(ann_books), (Strings{"A1", "A2"}));
  // Each author once, though Ann matches two books.
  auto with_books = s.select<Author>()
                        .join<Book>(col(&Book::author_id) == col(&Author::id))
                        .order_by(col(&Author::name))
                        .all();
  ASSERT_EQ(with_books.size(), 2u);
  EXPECT_EQ(with_books[0], ann);
  EXPECT_EQ(s.select<Author>().join<Book>(col(&Book::author_id) == col(&Author::id)).count(), 2);
}

TEST_P(OrmQuery, QueriesReturnTheSessionsObjectsUnchanged) {
  auto s = session();
  seed(s);
  ann->email = "unflushed@x.com";
  // The autoflush writes the change first, so the query sees it.
  EXPECT_EQ(s.select<Author>().where(col(&Author::email) == "unflushed@x.com").first(), ann);
}

TEST_P(OrmQuery, LoadChildrenInOneQuery) {
  auto s = session();
  seed(s);
  auto fresh = session();
  auto list = fresh.select<Author>().order_by(col(&Author::name)).all();
  auto before = fresh.stats().statements;
  auto author_books = relation(&Book::author_id, &Author::id);
  auto loaded = fresh.load_children(list, author_books);
  EXPECT_EQ(fresh.stats().statements, before + 1);
  auto ann_books = loaded.of(*list[0]);
  std::sort(ann_books.begin(), ann_books.end(),
            [](Book* a, Book* b) { return a->title < b->title; });
  EXPECT_EQ(titles(ann_books), (Strings{"A1", "A2"}));
  EXPECT_EQ(titles(loaded.of(*list[1])), (Strings{"B1"}));
  EXPECT_TRUE(loaded.of(*list[2]).empty());
  // The children are the session's objects.
  EXPECT_EQ(fresh.get<Book>(loaded.of(*list[1])[0]->id), loaded.of(*list[1])[0]);
}

TEST_P(OrmQuery, LoadParentsInOneQuery) {
  auto s = session();
  seed(s);
  auto fresh = session();
  auto list = fresh.select<Book>().order_by(col(&Book::title)).all();
  auto before = fresh.stats().statements;
  auto parents = fresh.load_parents(list, relation(&Book::author_id, &Author::id));
  EXPECT_EQ(fresh.stats().statements, before + 1);
  EXPECT_EQ(parents.of(*list[0])->name, "Ann");
  EXPECT_EQ(parents.of(*list[0]), parents.of(*list[1]));
  EXPECT_EQ(parents.of(*list[2])->name, "Bob");
  // Parents already loaded need no query at all.
  before = fresh.stats().statements;
  fresh.load_parents(list, relation(&Book::author_id, &Author::id));
  EXPECT_EQ(fresh.stats().statements, before);
}

TEST_P(OrmQuery, AddAllSendsMultiRowInserts) {
  auto s = session();
  auto& author = s.add(Author{.name = "Ann"});
  s.flush();
  std::vector<Book> many;
  for (int i = 0; i < 1500; ++i) {
    many.push_back(Book{
        .author_id = author.id, .title = "t" + std::to_string(i), .price = static_cast<double>(i)});
  }
  auto added = s.add_all(std::move(many));
  auto before = s.stats().statements;
  s.commit();
  // 1500 rows: 512 + 512 + 256 + 128 + 64 + 16 + 8 + 4 (power-of-two remainders), each
  // followed by a query of the last key on SQLite.
  EXPECT_LE(s.stats().statements - before, 16);
  EXPECT_EQ(rows("books"), 1500);
  std::set<std::int64_t> ids;
  for (Book* b : added) {
    ids.insert(b->id);
    EXPECT_EQ(s.get<Book>(b->id), b);
  }
  EXPECT_EQ(ids.size(), 1500u);
  // Each object got its own row's key.
  auto conn = engine().connect();
  for (int i : {0, 700, 1499}) {
    auto r = conn.execute("SELECT title FROM books WHERE id = ?", added[i]->id);
    EXPECT_EQ(r.scalar<std::string>(), "t" + std::to_string(i));
  }
}

TEST_P(OrmQuery, SessionFactoryScopeCommitsOrRollsBack) {
  SessionFactory sessions(engine());
  auto id = sessions.scope([](Session& s) { return s.add(Author{.name = "Ann"}).id; });
  EXPECT_EQ(id, 0);  // returned before the flush
  EXPECT_EQ(rows("authors"), 1);
  EXPECT_THROW(sessions.scope([](Session& s) {
    s.add(Author{.name = "Bob"});
    s.flush();
    throw std::runtime_error("handler failed");
  }),
               std::runtime_error);
  EXPECT_EQ(rows("authors"), 1);
}

std::int64_t resident_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return 0;
}

TEST_P(OrmQuery, StreamsAMillionRowsInFlatMemory) {
  constexpr std::int64_t kRows = 1'000'000;
  {
    auto s = session();
    s.execute(
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?) "
        "INSERT INTO notes (id, body, version) SELECT x, 'note number ' || x, 1 FROM n",
        kRows);
    s.commit();
  }
  auto s = session();
  std::int64_t count = 0;
  std::int64_t sum = 0;
  std::int64_t early = 0;
  std::int64_t peak = 0;
  for (const Note& note : s.stream<Note>()) {
    ++count;
    sum += note.id;
    if (count == 50'000) early = resident_kb();
    if (count % 100'000 == 0) peak = std::max(peak, resident_kb());
  }
  EXPECT_EQ(count, kRows);
  EXPECT_EQ(sum, kRows * (kRows + 1) / 2);
  // Objects are not kept: memory after a million rows is what it was after 50,000.
  // AddressSanitizer keeps freed memory in quarantine, so resident memory says nothing there.
#ifndef __SANITIZE_ADDRESS__
  EXPECT_LT(peak - early, 20'000) << "resident memory grew by " << (peak - early) << " kB";
#else
  RecordProperty("resident_growth_kb", std::to_string(peak - early));
#endif
  EXPECT_EQ(s.select<Note>().where(col(&Note::id) < 3).count(), 2);
  std::int64_t filtered = 0;
  for (const Note& note : s.stream<Note>().where(col(&Note::id) <= 2500).page_size(100)) {
    filtered += note.id > 0;
  }
  EXPECT_EQ(filtered, 2500);
}

TEST_P(OrmQuery, EightThreadsEachWithItsOwnSession) {
  SessionFactory sessions(engine());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        for (int i = 0; i < kPerThread; ++i) {
          sessions.scope([&](Session& s) {
            auto& a = s.add(Author{.name = "t" + std::to_string(t) + "-" + std::to_string(i)});
            s.flush();
            if (s.get<Author>(a.id) != &a) ++failures;
          });
        }
        auto s = sessions();
        auto mine = s.select<Author>()
                        .where(col(&Author::name).like("t" + std::to_string(t) + "-%"))
                        .count();
        if (mine != kPerThread) ++failures;
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
        ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(rows("authors"), kThreads * kPerThread);
}

STRATA_ON_BOTH_BACKENDS(OrmQuery);

}  // namespace
}  // namespace strata::test
