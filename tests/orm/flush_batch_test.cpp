// A flush sends its UPDATEs and DELETEs as one batch: on PostgreSQL one pipeline, one round
// trip for all of them, counted on the real server; on both backends the same rows are
// written, a stale row is still found, and a failing statement still names itself. Objects of
// one type with the same changed columns go out as one multi-row UPDATE (up to 128 rows; on
// SQLite only from Dialect::update_from_values_min_rows() of them, else one UPDATE a row).
#include <algorithm>
#include <bit>
#include <strata/dialect/inspector.hpp>

#include "orm_models.hpp"

namespace strata::test {

// A composite primary key: the multi-row UPDATE matches both columns.
struct Edition {
  std::int64_t book = 0;
  std::string lang;
  std::string title;
  std::optional<double> price;
};

inline const auto editions = strata::table<Edition>(
    "editions", strata::column(&Edition::book, "book").primary_key(),
    strata::column(&Edition::lang, "lang").type(strata::String{8}).primary_key(),
    strata::column(&Edition::title, "title"), strata::column(&Edition::price, "price"));

// A length-limited string that is not a key: what a multi-row UPDATE must not cut short.
struct Label {
  std::int64_t id = 0;
  std::string code;
};

inline const auto labels =
    strata::table<Label>("labels", strata::column(&Label::id, "id").primary_key(),
                         strata::column(&Label::code, "code").type(strata::String{4}));

// Columns whose database type the model does not name: on PostgreSQL an enum, citext and a
// domain, read as a string and an integer (on SQLite TEXT and INTEGER with CHECKs).
struct Ticket {
  std::int64_t id = 0;
  std::string status;
  std::string email;
  std::int64_t rank = 1;
};

inline const auto tickets = strata::table<Ticket>(
    "tickets", strata::column(&Ticket::id, "id").primary_key().autoincrement(false),
    strata::column(&Ticket::status, "status"), strata::column(&Ticket::email, "email"),
    strata::column(&Ticket::rank, "rank"));

// A column the database computes from the others.
struct Person {
  std::int64_t id = 0;
  std::string first;
  std::string last;
  std::string full_name;
};

inline const auto people = strata::table<Person>(
    "people", strata::column(&Person::id, "id").primary_key(),
    strata::column(&Person::first, "first"), strata::column(&Person::last, "last"),
    strata::column(&Person::full_name, "full_name").computed());

// The same, with the expression in the model: create_all makes it.
struct Contact {
  std::int64_t id = 0;
  std::string first;
  std::string last;
  std::string full_name;
};

inline const auto contacts = strata::table<Contact>(
    "contacts", strata::column(&Contact::id, "id").primary_key(),
    strata::column(&Contact::first, "first"), strata::column(&Contact::last, "last"),
    strata::column(&Contact::full_name, "full_name").computed("first || ' ' || last"));

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
  // PostgreSQL: 7 UPDATEs of 128 rows, then 64, 32, 8. SQLite: one UPDATE a row, as it writes
  // fewer than Dialect::update_from_values_min_rows() so.
  EXPECT_EQ(s.stats().statements, statements + (backend() == Backend::postgresql ? 10 : 1000));
  EXPECT_EQ(s.connection().round_trips() - before, backend() == Backend::postgresql ? 1u : 0u);
  s.commit();
  auto check = session();
  EXPECT_EQ(check.select<Book>().where(col(&Book::price) == 3).count(), 1000);
}

// Enough rows of one shape for SQLite too to write them 128 to an UPDATE ... FROM (VALUES ...).
TEST_P(OrmFlushBatch, ManyChangesOfOneShapeShareStatementsOnEveryBackend) {
  const std::size_t n =
      std::max<std::size_t>(5000, Dialect::of(backend()).update_from_values_min_rows());
  seed(static_cast<int>(n));
  auto s = session();
  auto books = s.select<Book>().order_by(col(&Book::id)).all();
  ASSERT_EQ(books.size(), n);
  for (std::size_t i = 0; i < n; ++i) books[i]->price = 4 + static_cast<double>(i % 7);
  auto statements = s.stats().statements;
  s.flush();
  const std::size_t rest = n % 128;
  EXPECT_EQ(s.stats().statements - statements,
            static_cast<std::int64_t>(n / 128 + static_cast<std::size_t>(std::popcount(rest))));
  s.commit();
  auto check = session();
  auto back = check.select<Book>().order_by(col(&Book::id)).untracked();
  ASSERT_EQ(back.size(), n);
  for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(back[i].price, 4 + static_cast<double>(i % 7));
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
  // PostgreSQL writes both in one UPDATE. Changed once elsewhere, the row holds the version
  // this flush would have written: which of the two it was cannot be told from the rows, and
  // the message says so much. SQLite writes one UPDATE a row, and names its object.
  const std::string which = backend() == Backend::postgresql ? "(one of 2 written together)"
                                                             : "(id=" + std::to_string(b.id) + ")";
  EXPECT_TRUE(
      says(stale_message(s), "UPDATE of a row of table notes " + which + " matched no row"));
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

TEST_P(OrmFlushBatch, EachSetOfChangedColumnsIsOneStatement) {
  seed(10);
  auto s = session();
  auto books = s.select<Book>().order_by(col(&Book::id)).all();
  for (std::size_t i = 0; i < books.size(); ++i) {
    if (i % 3 == 0) books[i]->price = 100 + static_cast<double>(i);
    if (i % 3 == 1) books[i]->title = "t" + std::to_string(i);
    if (i % 3 == 2) {
      books[i]->price = 0.125;
      books[i]->pages = static_cast<std::int32_t>(i);
    }
  }
  auto statements = s.stats().statements;
  s.commit();
  // PostgreSQL: books 0, 3, 6, 9 (4 rows), 1, 4, 7 (2 + 1) and 2, 5, 8 (2 + 1); SQLite: one
  // UPDATE a book.
  EXPECT_EQ(s.stats().statements, statements + (backend() == Backend::postgresql ? 5 : 10));
  auto check = session();
  auto back = check.select<Book>().order_by(col(&Book::id)).untracked();
  ASSERT_EQ(back.size(), 10u);
  for (std::size_t i = 0; i < back.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(back[i].price, i % 3 == 0 ? 100 + static_cast<double>(i) : i % 3 == 1 ? 1 : 0.125);
    EXPECT_EQ(back[i].title, i % 3 == 1 ? "t" + std::to_string(i) : "b" + std::to_string(i));
    EXPECT_EQ(back[i].pages, i % 3 == 2 ? std::optional<std::int32_t>(i) : std::nullopt);
  }
}

TEST_P(OrmFlushBatch, VersionsAreCheckedAndAdvancedRowByRow) {
  auto s = session();
  std::vector<Note*> notes;
  for (int i = 0; i < 6; ++i) notes.push_back(&s.add(Note{.body = "n" + std::to_string(i)}));
  s.commit();
  for (Note* n : notes) n->body += "!";
  s.commit();
  for (Note* n : notes) EXPECT_EQ(n->version, 2);
  // Changed twice elsewhere, the row holds another version than the one this flush writes,
  // which names it.
  for (const char* body : {"changed once", "changed elsewhere"}) {
    auto other = session();
    other.get<Note>(notes[4]->id)->body = body;
    other.commit();
  }
  for (Note* n : notes) n->body = "again";
  // On PostgreSQL in the flush's second UPDATE, of two rows; on SQLite in one of its own.
  const std::int64_t changed = notes[4]->id;
  EXPECT_TRUE(says(stale_message(s),
                   "(id=" + std::to_string(changed) +
                       (backend() == Backend::postgresql ? ", one of 2 written together)" : ")")));
  auto check = session();
  auto back = check.select<Note>().order_by(col(&Note::id)).untracked();
  ASSERT_EQ(back.size(), 6u);
  for (std::size_t i = 0; i < back.size(); ++i) {
    EXPECT_EQ(back[i].body, i == 4 ? "changed elsewhere" : "n" + std::to_string(i) + "!");
    EXPECT_EQ(back[i].version, i == 4 ? 4 : 2);
  }
}

TEST_P(OrmFlushBatch, ARowDeletedElsewhereFailsItsUpdate) {
  seed(4);
  auto s = session();
  auto books = s.select<Book>().order_by(col(&Book::id)).all();
  const std::int64_t gone = books[2]->id;
  engine().connect().execute("DELETE FROM books WHERE id = " + std::to_string(gone));
  for (Book* b : books) b->price = 7;
  EXPECT_TRUE(says(stale_message(s),
                   "UPDATE of a row of table books (id=" + std::to_string(gone) +
                       (backend() == Backend::postgresql ? ", one of 4 written together)" : ")")));
  auto check = session();
  EXPECT_EQ(check.select<Book>().where(col(&Book::price) == 7).count(), 0);
}

Everything changed_everything(int i) {
  Everything e;
  e.small = static_cast<std::int16_t>(-i);
  e.medium = 70000 + i;
  e.big = (1LL << 40) + i;
  e.flag = i % 2 == 0;
  e.ratio = 0.25f * static_cast<float>(i);
  e.amount = 0.1 + i;
  e.text = "it's \"quoted\" '' " + std::to_string(i);
  e.data = Blob(std::string_view("\0'\2", 3));
  e.day = std::chrono::year{2024} / 2 / (28 + i % 2);
  e.time = TimeOfDay{std::chrono::hours{13} + std::chrono::microseconds{i}};
  e.local = DateTime{std::chrono::sys_days(e.day).time_since_epoch() + std::chrono::seconds{i}};
  e.instant = Timestamp{std::chrono::sys_days(e.day).time_since_epoch() + std::chrono::hours{i}};
  e.doc = Json{R"({"a": "it's"})"};
  e.color = Color::green;
  e.size = Size::large;
  if (i % 2 == 0) e.maybe_text = "x'y";  // others NULL
  if (i % 2 == 1) e.maybe_int = -5;
  if (i % 2 == 0) e.maybe_instant = e.instant;
  if (i % 2 == 1) e.maybe_color = Color::blue;
  return e;
}

void expect_same(const Everything& back, const Everything& e) {
  EXPECT_EQ(back.small, e.small);
  EXPECT_EQ(back.medium, e.medium);
  EXPECT_EQ(back.big, e.big);
  EXPECT_EQ(back.flag, e.flag);
  EXPECT_EQ(back.ratio, e.ratio);
  EXPECT_EQ(back.amount, e.amount);
  EXPECT_EQ(back.text, e.text);
  EXPECT_EQ(back.data, e.data);
  EXPECT_EQ(back.day, e.day);
  EXPECT_EQ(back.time, e.time);
  EXPECT_EQ(back.local, e.local);
  EXPECT_EQ(back.instant, e.instant);
  EXPECT_EQ(back.doc, e.doc);
  EXPECT_EQ(back.color, e.color);
  EXPECT_EQ(back.size, e.size);
  EXPECT_EQ(back.maybe_text, e.maybe_text);
  EXPECT_EQ(back.maybe_int, e.maybe_int);
  EXPECT_EQ(back.maybe_instant, e.maybe_instant);
  EXPECT_EQ(back.maybe_color, e.maybe_color);
}

TEST_P(OrmFlushBatch, EveryTypeIsWrittenExactlyByAMultiRowUpdate) {
  std::vector<Uuid> ids;
  {
    auto s = session();
    for (int i = 0; i < 4; ++i) {
      // Every row then changes the same columns as the other rows of its parity.
      Everything e = changed_everything(7);
      e.id = Uuid::parse("0f8fad5b-d9cb-469f-a165-70867728950" + std::to_string(i));
      e.data = Blob(std::string_view("zz"));
      e.doc = Json{"[1]"};
      e.color = Color::red;
      e.size = Size::small;
      e.maybe_text = "was set";
      e.maybe_instant = e.instant;
      ids.push_back(e.id);
      s.add(std::move(e));
    }
    s.commit();
  }
  auto s = session();
  for (int i = 0; i < 4; ++i) {
    Everything* e = s.get<Everything>(ids[static_cast<std::size_t>(i)]);
    ASSERT_NE(e, nullptr);
    Everything changed = changed_everything(i);
    changed.id = e->id;
    *e = changed;
  }
  auto statements = s.stats().statements;
  s.commit();
  // Rows 0 and 2 change the same columns (the same NULLs), and so do 1 and 3 (PostgreSQL; on
  // SQLite one UPDATE a row).
  EXPECT_EQ(s.stats().statements, statements + (backend() == Backend::postgresql ? 2 : 4));
  auto check = session();
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    const Everything* back = check.get<Everything>(ids[static_cast<std::size_t>(i)]);
    ASSERT_NE(back, nullptr);
    Everything expected = changed_everything(i);
    expected.id = back->id;
    expect_same(*back, expected);
  }
}

TEST_P(OrmFlushBatch, ACompositeKeyMatchesEveryKeyColumn) {
  MetaData metadata;
  editions.add_to(metadata);
  metadata.create_all(engine());
  {
    auto s = session();
    for (std::int64_t book : {1, 2}) {
      for (const char* lang : {"en", "fr", "it's"}) {
        s.add(Edition{.book = book, .lang = lang, .title = "old"});
      }
    }
    s.commit();
  }
  auto s = session();
  auto all = s.select<Edition>().all();
  ASSERT_EQ(all.size(), 6u);
  for (Edition* e : all) {
    if (e->book == 2 || e->lang == "it's") {
      e->title = std::to_string(e->book) + "/" + e->lang;
      e->price = 2.5;
    }
  }
  s.commit();
  auto check = session();
  auto back = check.select<Edition>().untracked();
  ASSERT_EQ(back.size(), 6u);
  for (const Edition& e : back) {
    bool changed = e.book == 2 || e.lang == "it's";
    EXPECT_EQ(e.title, changed ? std::to_string(e.book) + "/" + e.lang : "old") << e.lang;
    EXPECT_EQ(e.price, changed ? std::optional<double>(2.5) : std::nullopt) << e.lang;
  }
}

// PostgreSQL refuses a value longer than the column (22001) in a multi-row UPDATE as in a
// single one, and keeps nothing; it is never cut to fit. SQLite does not enforce the length.
TEST_P(OrmFlushBatch, AValueTooLongForItsColumnIsRefusedNotCut) {
  MetaData metadata;
  labels.add_to(metadata);
  metadata.create_all(engine());
  {
    auto s = session();
    for (std::int64_t id = 1; id <= 3; ++id) s.add(Label{.id = id, .code = "ab"});
    s.commit();
  }
  {
    auto s = session();
    for (Label* label : s.select<Label>().all()) label->code = "abcdefgh";
    if (is_sqlite()) {
      s.commit();
    } else {
      try {
        s.commit();
        ADD_FAILURE() << "a value too long was written";
      } catch (const DatabaseError& e) {
        EXPECT_EQ(e.sqlstate(), "22001") << e.what();
      }
    }
  }
  auto check = session();
  for (const Label& label : check.select<Label>().untracked()) {
    EXPECT_EQ(label.code, is_sqlite() ? "abcdefgh" : "ab") << label.id;
  }
}

void create_tickets(Engine& engine, Backend backend) {
  auto conn = engine.connect();
  if (backend == Backend::sqlite) {
    conn.execute_script(
        "CREATE TABLE tickets (id INTEGER PRIMARY KEY, status TEXT NOT NULL CHECK (status IN "
        "('open', 'closed')), email TEXT, rank INTEGER CHECK (rank > 0))");
    return;
  }
  conn.execute_script(
      "CREATE TYPE ticket_status AS ENUM ('open', 'closed'); CREATE EXTENSION IF NOT EXISTS "
      "citext; CREATE DOMAIN ticket_rank AS BIGINT CHECK (VALUE > 0); CREATE TABLE tickets (id "
      "BIGINT PRIMARY KEY, status ticket_status NOT NULL, email citext, rank ticket_rank)");
}

// A multi-row UPDATE gives each value the type of the column it is written to, as a
// single-row UPDATE does: PostgreSQL had typed its VALUES by the model (text), which an enum
// column refuses. What the column refuses (a domain's CHECK) fails the flush, which keeps
// nothing.
TEST_P(OrmFlushBatch, ColumnsOfTypesTheModelDoesNotNameAreWrittenManyRowsAtATime) {
  create_tickets(engine(), backend());
  const auto n = static_cast<std::int64_t>(Dialect::of(backend()).update_from_values_min_rows());
  {
    auto s = session();
    for (std::int64_t id = 1; id <= n; ++id) {
      s.add(Ticket{.id = id, .status = "open", .email = "A@x.org"});
    }
    s.commit();
  }
  {
    auto s = session();
    for (Ticket* t : s.select<Ticket>().all()) {
      t->status = "closed";
      t->email = "B" + std::to_string(t->id) + "@x.org";
      t->rank = t->id + 1;
    }
    auto statements = s.stats().statements;
    s.commit();
    // One statement (128 rows at most each), not one a row.
    EXPECT_EQ(s.stats().statements, statements + (n + 127) / 128);
  }
  {
    auto s = session();
    for (Ticket* t : s.select<Ticket>().all()) {
      t->status = "open";
      if (t->id == n) t->rank = 0;
    }
    EXPECT_THROW(s.commit(), IntegrityError);
  }
  auto check = session();
  auto back = check.select<Ticket>().untracked();
  ASSERT_EQ(static_cast<std::int64_t>(back.size()), n);
  for (const Ticket& t : back) {
    EXPECT_EQ(t.status, "closed") << t.id;
    EXPECT_EQ(t.email, "B" + std::to_string(t.id) + "@x.org") << t.id;
    EXPECT_EQ(t.rank, t.id + 1) << t.id;
  }
}

// A GENERATED column marked computed(): left out of INSERT (read back with RETURNING) and of
// every UPDATE, single- or multi-row; writing it is refused before anything is sent.
TEST_P(OrmFlushBatch, AComputedColumnIsReadButNeverWritten) {
  engine().connect().execute_script(
      is_sqlite() ? "CREATE TABLE people (id INTEGER PRIMARY KEY, first TEXT NOT NULL, last TEXT "
                    "NOT NULL, full_name TEXT GENERATED ALWAYS AS (first || ' ' || last) STORED)"
                  : "CREATE TABLE people (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
                    "first TEXT NOT NULL, last TEXT NOT NULL, full_name TEXT GENERATED ALWAYS AS "
                    "(first || ' ' || last) STORED)");
  {
    auto s = session();
    auto& ann = s.add(Person{.first = "Ann", .last = "Lee", .full_name = "ignored"});
    s.add(Person{.first = "Bob", .last = "Ray"});
    s.add(Person{.first = "Cy", .last = "Woo"});
    s.commit();
    EXPECT_EQ(ann.full_name, "Ann Lee");
  }
  {
    auto s = session();
    for (Person* p : s.select<Person>().all()) p->last = p->last + "-Smith";
    s.commit();
    Person* ann = s.select<Person>().where(col(&Person::first) == "Ann").first();
    ASSERT_NE(ann, nullptr);
    s.refresh(*ann);
    EXPECT_EQ(ann->full_name, "Ann Lee-Smith");
  }
  {
    auto s = session();
    auto all = s.select<Person>().all();
    ASSERT_EQ(all.size(), 3u);
    all[0]->first = "Changed";
    all[1]->full_name = "Someone Else";
    auto statements = s.stats().statements;
    try {
      s.commit();
      ADD_FAILURE() << "a computed column was written";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("column full_name of a loaded"), std::string::npos)
          << e.what();
    }
    EXPECT_EQ(s.stats().statements, statements);  // refused before anything was sent
  }
  auto check = session();
  for (const Person& p : check.select<Person>().untracked()) {
    EXPECT_NE(p.first, "Changed");
    EXPECT_EQ(p.full_name, p.first + " " + p.last);
  }
}

// computed(expression) declares the GENERATED column: create_all makes it, and the database
// computes it for what the session adds. Plain computed() leaves the DDL to the migrations:
// create_all makes a plain column.
TEST_P(OrmFlushBatch, AComputedColumnWithItsExpressionIsMadeByCreateAll) {
  MetaData metadata;
  contacts.add_to(metadata);
  people.add_to(metadata);
  metadata.create_all(engine());
  EXPECT_FALSE(Inspector(engine()).table("people").column("full_name")->generated);
  Table made = Inspector(engine()).table("contacts");
  ASSERT_TRUE(made.column("full_name")->generated);
  EXPECT_TRUE(made.column("full_name")->generated->stored);
  EXPECT_TRUE(same_generated(made.column("full_name")->generated,
                             metadata.table("contacts")->column("full_name")->generated));
  auto s = session();
  auto& ann = s.add(Contact{.first = "Ann", .last = "Lee"});
  s.commit();
  EXPECT_EQ(ann.full_name, "Ann Lee");
  EXPECT_THROW(engine().connect().execute("UPDATE contacts SET full_name = 'x'"), DatabaseError);
}

STRATA_ON_BOTH_BACKENDS(OrmFlushBatch);

}  // namespace
}  // namespace strata::test
