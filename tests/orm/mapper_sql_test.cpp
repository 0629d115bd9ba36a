// The SQL a session runs for a mapped type, compiled by the sql layer per dialect: the exact
// text on the built-in dialects, the text in a dialect strata does not know
// (support/colon_dialect.hpp), one text per shape for any number of threads, and the registry
// of mappers read while a model is registered.
#include <atomic>
#include <set>
#include <thread>

#include "orm_models.hpp"
#include "support/colon_dialect.hpp"

namespace strata::test {
namespace {

using orm::detail::Mapper;
using orm::detail::mapper_of;

const Dialect& sqlite_dialect() {
  return Dialect::of(Backend::sqlite);
}
const Dialect& postgres_dialect() {
  return Dialect::of(Backend::postgresql);
}

constexpr std::uint64_t column(int i) {
  return std::uint64_t{1} << i;
}

// notes: id, body, version (the version column); authors: id, name, email, status (a server
// default, generated like the key).
TEST(OrmMapperSql, TheBuiltInDialectsText) {
  const Mapper& notes = mapper_of<Note>();
  EXPECT_EQ(notes.get_sql(sqlite_dialect()), "SELECT id, body, version FROM notes WHERE id = ?");
  EXPECT_EQ(notes.get_sql(postgres_dialect()), "SELECT id, body, version FROM notes WHERE id = $1");
  EXPECT_EQ(notes.delete_sql(sqlite_dialect()), "DELETE FROM notes WHERE id = ? AND version = ?");
  EXPECT_EQ(notes.update_sql(postgres_dialect(), column(1)),
            "UPDATE notes SET body = $1, version = $2 WHERE id = $3 AND version = $4");
  EXPECT_EQ(notes.insert_sql(postgres_dialect(), column(0), 2, true),
            "INSERT INTO notes (body, version) VALUES ($1, $2), ($3, $4) RETURNING id");

  const Mapper& authors = mapper_of<Author>();
  EXPECT_EQ(authors.delete_sql(postgres_dialect()), "DELETE FROM authors WHERE id = $1");
  EXPECT_EQ(authors.update_sql(sqlite_dialect(), column(1) | column(2)),
            "UPDATE authors SET name = ?, email = ? WHERE id = ?");
  EXPECT_EQ(authors.insert_sql(sqlite_dialect(), column(0) | column(3), 3, false),
            "INSERT INTO authors (name, email) VALUES (?, ?), (?, ?), (?, ?)");
  EXPECT_EQ(authors.insert_sql(postgres_dialect(), 0xf, 1, true),
            "INSERT INTO authors DEFAULT VALUES RETURNING id, name, email, status");
}

// Several objects' UPDATE: one statement joining a VALUES list, which on PostgreSQL starts
// with a row of NULLs of the columns' own types; a dialect without the form refuses it (the
// flush then writes row by row).
TEST(OrmMapperSql, UpdatesOfSeveralRows) {
  const Mapper& notes = mapper_of<Note>();
  EXPECT_EQ(notes.update_rows_sql(sqlite_dialect(), column(1), 2),
            "UPDATE notes SET body = v.column1, version = v.column2 FROM (VALUES (?, ?, ?, "
            "?), (?, ?, ?, ?)) AS v WHERE notes.id = v.column3 AND notes.version = "
            "v.column4");
  EXPECT_EQ(notes.update_rows_sql(postgres_dialect(), column(1), 2),
            "UPDATE notes SET body = v.column1, version = v.column2 FROM (VALUES ((SELECT body "
            "FROM notes WHERE false), (SELECT version FROM notes WHERE false), (SELECT id FROM "
            "notes WHERE false), (SELECT version FROM notes WHERE false)), ($1, $2, $3, $4), "
            "($5, $6, $7, $8)) AS v WHERE notes.id = v.column3 AND notes.version = v.column4");
  EXPECT_EQ(&notes.update_rows_sql(sqlite_dialect(), column(1), 2),
            &notes.update_rows_sql(sqlite_dialect(), column(1), 2));
  EXPECT_NE(&notes.update_rows_sql(sqlite_dialect(), column(1), 2),
            &notes.update_rows_sql(sqlite_dialect(), column(1), 4));
  EXPECT_THROW(notes.update_rows_sql(colon_dialect(), column(1), 2), UsageError);
}

TEST(OrmMapperSql, ADialectStrataDoesNotKnow) {
  const Dialect& colon = colon_dialect();
  const Mapper& notes = mapper_of<Note>();
  EXPECT_EQ(notes.get_sql(colon), "SELECT id, body, version FROM notes WHERE id = :1");
  EXPECT_EQ(notes.delete_sql(colon), "DELETE FROM notes WHERE id = :1 AND version = :2");
  EXPECT_EQ(notes.update_sql(colon, column(1)),
            "UPDATE notes SET body = :1, version = :2 WHERE id = :3 AND version = :4");
  EXPECT_EQ(notes.insert_sql(colon, column(0), 2, true),
            "INSERT INTO notes (body, version) VALUES (:1, :2), (:3, :4) RETURNING id");
  // Kept apart from the built-in dialects' texts of the same shapes.
  EXPECT_EQ(notes.get_sql(sqlite_dialect()), "SELECT id, body, version FROM notes WHERE id = ?");
  EXPECT_EQ(&notes.get_sql(colon), &notes.get_sql(colon));
}

// Threads asking for many shapes at once, each in its own order, while the cache grows: every
// shape has one text, the same object for all of them.
TEST(OrmMapperSql, ThreadsShareOneTextPerShape) {
  const Mapper& books = mapper_of<Book>();  // id, author_id, title, price, pages
  const Dialect* dialects[] = {&sqlite_dialect(), &postgres_dialect(), &colon_dialect()};
  constexpr int kRows = 24;
  constexpr std::size_t kThreads = 6;
  constexpr std::size_t kSteps[kThreads] = {1, 5, 7, 11, 13, 17};  // prime to the shape count
  using Seen = std::vector<const std::string*>;  // by dialect, then rows, then RETURNING
  std::vector<Seen> seen(kThreads, Seen(3 * kRows * 2));
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t n = 0; n < seen[t].size(); ++n) {
        std::size_t i = (n * kSteps[t] + t) % seen[t].size();  // another order per thread
        int rows = static_cast<int>(i / 2 % kRows) + 1;
        seen[t][i] = &books.insert_sql(*dialects[i / (2 * kRows)], column(0), rows, i % 2 == 1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (std::size_t t = 1; t < kThreads; ++t) EXPECT_EQ(seen[t], seen[0]);
  EXPECT_EQ(std::set<const std::string*>(seen[0].begin(), seen[0].end()).size(), seen[0].size());
  EXPECT_EQ(*seen[0][2 * kRows * 2 + 1],
            "INSERT INTO books (author_id, title, price, pages) VALUES (:1, :2, :3, :4) "
            "RETURNING id");
  EXPECT_EQ(seen[0][0], &books.insert_sql(sqlite_dialect(), column(0), 1, false));
}

struct Registered {
  std::int64_t id = 0;
};

// strata::table<T>() again while other threads look T's mapper up: they see one mapper or the
// other, whole, and a mapper once seen stays valid.
TEST(OrmMapperSql, AMapperIsSeenWholeWhileAnotherIsRegistered) {
  auto model = [](const std::string& name) {
    return strata::table<Registered>(name, strata::column(&Registered::id, "id").primary_key());
  };
  model("registered_0");
  const Mapper* first = &mapper_of<Registered>();
  std::atomic<bool> done{false};
  std::vector<std::thread> readers;
  std::atomic<int> wrong{0};
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      while (!done.load()) {
        const std::string& name = mapper_of<Registered>().table().name;
        if (name.rfind("registered_", 0) != 0) ++wrong;
      }
    });
  }
  for (int i = 1; i <= 50; ++i) model("registered_" + std::to_string(i));
  done = true;
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(mapper_of<Registered>().table().name, "registered_50");
  EXPECT_EQ(first->table().name, "registered_0");
}

}  // namespace
}  // namespace strata::test
