// A flush sends its UPDATEs and DELETEs as one batch: on PostgreSQL one pipeline, one round
// trip for all of them, counted on the real server; on both backends the same rows are
// written, a stale row is still found, and a failing statement still names itself.
#include "orm_models.hpp"

namespace strata::test {
namespace {

class OrmFlushBatch : public OrmTest {
 protected:
  void seed(int n) {
    auto s = session();
    std::vector<Book> books;
    auto& author = s.add(Author{.name = "Ann"});
    s.flush();
    for (int i = 0; i < n; ++i) {
      books.push_back(Book{.author_id = author.id, .title = "b" + std::to_string(i), .price = 1});
    }
    s.add_all(std::move(books));
    s.commit();
  }
};

TEST_P(OrmFlushBatch, AThousandChangesAreOneRoundTrip) {
  seed(1000);
  auto s = session();
  auto books = s.select<Book>().order_by(col(&Book::id)).all();
  ASSERT_EQ(books.size(), 1000u);
  books[0]->price = 2;  // prepares the UPDATE of price on this connection
  s.commit();
  for (Book* b : books) b->price = 3;
  std::uint64_t before = s.connection().round_trips();  // begins the transaction
  auto statements = s.stats().statements;
  s.flush();
  EXPECT_EQ(s.stats().statements, statements + 1000);
  EXPECT_EQ(s.connection().round_trips() - before, backend() == Backend::postgresql ? 1u : 0u);
  s.commit();
  auto check = session();
  EXPECT_EQ(check.select<Book>().where(col(&Book::price) == 3).count(), 1000);
}

TEST_P(OrmFlushBatch, UpdatesAndDeletesOfSeveralTypesInOneFlush) {
  seed(3);
  auto s = session();
  auto books = s.select<Book>().order_by(col(&Book::id)).all();
  Author* ann = s.get<Author>(books[0]->author_id);
  ann->email = "ann@x.com";
  books[0]->title = "first";
  books[1]->price = 9;
  s.remove(*books[2]);
  s.commit();
  auto check = session();
  EXPECT_EQ(check.get<Author>(ann->id)->email, "ann@x.com");
  auto left = check.select<Book>().order_by(col(&Book::id)).all();
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0]->title, "first");
  EXPECT_EQ(left[1]->price, 9);
}

TEST_P(OrmFlushBatch, AStaleRowInTheBatchRollsItAllBack) {
  auto s = session();
  Note& a = s.add(Note{.body = "a"});
  Note& b = s.add(Note{.body = "b"});
  s.commit();
  {
    auto other = session();
    other.get<Note>(b.id)->body = "changed elsewhere";
    other.commit();
  }
  a.body = "a2";
  b.body = "b2";
  EXPECT_THROW(s.commit(), StaleDataError);
  auto check = session();
  EXPECT_EQ(check.get<Note>(a.id)->body, "a");
  EXPECT_EQ(check.get<Note>(b.id)->body, "changed elsewhere");
}

TEST_P(OrmFlushBatch, TheFirstFailingStatementThrowsAndNothingIsWritten) {
  seed(3);
  auto s = session();
  auto books = s.select<Book>().order_by(col(&Book::id)).all();
  books[0]->title = "x";
  books[1]->title = "b2";  // (author_id, title) is unique: this UPDATE fails
  books[2]->title = "y";
  try {
    s.commit();
    FAIL() << "the duplicate title was written";
  } catch (const IntegrityError& e) {
    EXPECT_NE(e.statement().find("UPDATE books"), std::string::npos) << e.statement();
  }
  auto check = session();
  auto titles = check.select<Book>().order_by(col(&Book::id)).untracked();
  ASSERT_EQ(titles.size(), 3u);
  EXPECT_EQ(titles[0].title, "b0");
  EXPECT_EQ(titles[1].title, "b1");
  EXPECT_EQ(titles[2].title, "b2");
}

STRATA_ON_BOTH_BACKENDS(OrmFlushBatch);

}  // namespace
}  // namespace strata::test
