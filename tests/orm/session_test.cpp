// The Session's core on both backends: add and fill-back, the identity map, dirty tracking,
// flush order along foreign keys, rollback and recovery from errors, the version column.
#include <algorithm>

#include "orm_models.hpp"

namespace strata::test {
namespace {

class OrmSession : public OrmTest {};

TEST_P(OrmSession, AddFillsInKeyAndServerDefaults) {
  auto s = session();
  auto& ann = s.add(Author{.name = "Ann"});
  EXPECT_EQ(ann.id, 0);
  s.commit();
  EXPECT_GT(ann.id, 0);
  EXPECT_EQ(ann.status, "new");
  EXPECT_EQ(rows("authors"), 1);
}

TEST_P(OrmSession, IdentityMapGivesOneObjectPerRow) {
  std::int64_t id = 0;
  {
    auto s = session();
    id = s.add(Author{.name = "Ann"}).id;
    s.commit();
    id = s.select<Author>().one().id;
  }
  auto s = session();
  Author* a = s.get<Author>(id);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(s.get<Author>(id), a);
  EXPECT_EQ(s.select<Author>().where(col(&Author::name) == "Ann").first(), a);
  EXPECT_EQ(s.select<Author>().all(), std::vector<Author*>{a});
  EXPECT_EQ(s.get<Author>(id + 100), nullptr);
}

// A view can list a key twice, and so can a table whose key the database does not enforce:
// one object per key all the same, with the first row's values, whether the session held
// objects of the type before the query (rows probed one by one) or none (tracked at the end).
struct Listed {
  std::int64_t id = 0;
  std::string name;
};
const auto listed = strata::table<Listed>("listed", strata::column(&Listed::id, "id").primary_key(),
                                          strata::column(&Listed::name, "name"));

TEST_P(OrmSession, AKeyARowRepeatsGivesOneObject) {
  {
    auto conn = engine().connect();
    conn.execute_script(
        "CREATE TABLE listed_rows (n INTEGER, id INTEGER, name TEXT);"
        "INSERT INTO listed_rows VALUES (1, 1, 'first'), (2, 2, 'two'), (3, 1, 'again');"
        "CREATE VIEW listed AS SELECT id, name FROM listed_rows");
  }
  for (bool held_before : {false, true}) {
    auto s = session();
    if (held_before) {
      ASSERT_NE(s.get<Listed>(2), nullptr);
    }
    auto all = s.select<Listed>().order_by(col(&Listed::name)).all();  // again, first, two
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0], all[1]) << "held before: " << held_before;
    EXPECT_EQ(all[0]->name, "again");
    EXPECT_EQ(all[2]->name, "two");
    auto before = s.stats().statements;
    EXPECT_EQ(s.get<Listed>(1), all[0]);
    EXPECT_EQ(s.stats().statements, before);
  }
}

// A row that cannot be read (NULL for a std::string) stops the query; the rows read before it
// stay in the session, as objects it can hand out without a query.
TEST_P(OrmSession, RowsReadBeforeABadOneStayTracked) {
  {
    auto conn = engine().connect();
    conn.execute_script(
        "CREATE TABLE listed_rows (n INTEGER, id INTEGER, name TEXT);"
        "INSERT INTO listed_rows VALUES (1, 1, 'one'), (2, 2, 'two'), (3, 3, NULL);"
        "CREATE VIEW listed AS SELECT id, name FROM listed_rows");
  }
  auto s = session();
  EXPECT_THROW(s.select<Listed>().order_by(col(&Listed::id)).all(), UsageError);
  auto before = s.stats().statements;
  Listed* two = s.get<Listed>(2);
  ASSERT_NE(two, nullptr);
  EXPECT_EQ(two->name, "two");
  EXPECT_EQ(s.stats().statements, before);
}

// A table made outside strata whose integer key SQLite does not number (only INTEGER PRIMARY
// KEY is the rowid; BIGINT PRIMARY KEY keeps the NULL an INSERT leaves): handing out rowids as
// keys while the rows hold NULL would be silent corruption, so the flush is refused, naming
// the table and the column, and nothing is written. PostgreSQL refuses the NULL key itself.
struct Legacy {
  std::int64_t id = 0;
  std::string name;
};
const auto legacy_keyed =
    strata::table<Legacy>("legacy_keyed", strata::column(&Legacy::id, "id").primary_key(),
                          strata::column(&Legacy::name, "name"));

TEST_P(OrmSession, AKeyTheDatabaseDoesNotNumberIsRefused) {
  engine().connect().execute("CREATE TABLE legacy_keyed (id BIGINT PRIMARY KEY, name TEXT)");
  for (int objects : {1, 3}) {
    auto s = session();
    for (int i = 0; i < objects; ++i) s.add(Legacy{.name = "n" + std::to_string(i)});
    try {
      s.commit();
      ADD_FAILURE() << "a flush of " << objects << " went through";
    } catch (const ProgrammingError& e) {
      EXPECT_TRUE(is_sqlite()) << e.what();
      std::string message = e.what();
      EXPECT_NE(message.find("table 'legacy_keyed' did not fill in its key column 'id'"),
                std::string::npos)
          << message;
      EXPECT_NE(message.find("INTEGER PRIMARY KEY"), std::string::npos) << message;
      EXPECT_EQ(e.url(), engine().url().masked());
    } catch (const IntegrityError& e) {
      EXPECT_FALSE(is_sqlite()) << e.what();
    }
  }
  EXPECT_EQ(rows("legacy_keyed"), 0);
}

// Many objects, then every third expunged: the identity map must still find each of the rest
// (removal shifts later entries of a probe run back) and forget the expunged ones.
TEST_P(OrmSession, IdentityMapSurvivesManyRemovals) {
  constexpr int kAuthors = 3000;
  auto s = session();
  std::vector<Author*> added;
  for (int i = 0; i < kAuthors; ++i) added.push_back(&s.add(Author{.name = std::to_string(i)}));
  s.commit();
  for (int i = 0; i < kAuthors; i += 3) s.expunge(*added[static_cast<std::size_t>(i)]);
  auto before = s.stats().statements;
  for (int i = 1; i < kAuthors; i += 3) EXPECT_EQ(s.get<Author>(added[i]->id), added[i]);
  EXPECT_EQ(s.stats().statements, before);
  for (int i = 0; i < kAuthors; i += 300) {
    Author* again = s.get<Author>(added[static_cast<std::size_t>(i)]->id);
    ASSERT_NE(again, nullptr);
    EXPECT_NE(again, added[static_cast<std::size_t>(i)]);
    EXPECT_EQ(again->name, std::to_string(i));
  }
  EXPECT_EQ(s.stats().statements, before + kAuthors / 300);
}

// The map places runs of consecutive integer keys side by side: keys in steps that line up
// with those runs (4, 64, 4096), negative keys and runs that meet must each still find their
// own object, loaded once, and a removal must leave the rest findable.
TEST_P(OrmSession, IdentityMapFindsStridedAndNegativeKeys) {
  std::vector<std::int64_t> ids;
  for (std::int64_t i = -40; i <= 40; ++i) ids.push_back(i == 0 ? 100'000 : i);
  for (std::int64_t i = 1; i <= 300; ++i) ids.push_back(1000 + i * 4);
  for (std::int64_t i = 1; i <= 300; ++i) ids.push_back(5000 + i * 64);
  for (std::int64_t i = 1; i <= 300; ++i) ids.push_back(40'000 + i * 4096);
  {
    auto conn = engine().connect();
    auto tx = conn.begin();
    for (auto id : ids) {
      conn.execute("INSERT INTO authors (id, name) VALUES (?, ?)", id, std::to_string(id));
    }
    tx.commit();
  }
  auto s = session();
  auto all = s.select<Author>().all();
  ASSERT_EQ(all.size(), ids.size());
  auto before = s.stats().statements;
  for (Author* a : all) {
    EXPECT_EQ(a->name, std::to_string(a->id));
    EXPECT_EQ(s.get<Author>(a->id), a);
  }
  auto again = s.select<Author>().all();  // the same objects, not new ones
  std::sort(again.begin(), again.end());
  auto sorted = all;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(again, sorted);
  EXPECT_EQ(s.stats().statements, before + 1);
  for (std::size_t i = 0; i < all.size(); i += 2) s.expunge(*all[i]);
  before = s.stats().statements;
  for (std::size_t i = 1; i < all.size(); i += 2) EXPECT_EQ(s.get<Author>(all[i]->id), all[i]);
  EXPECT_EQ(s.stats().statements, before);
}

TEST_P(OrmSession, GetAfterLoadSendsNoQuery) {
  auto s = session();
  auto& ann = s.add(Author{.name = "Ann"});
  s.flush();
  auto before = s.stats().statements;
  EXPECT_EQ(s.get<Author>(ann.id), &ann);
  EXPECT_EQ(s.stats().statements, before);
}

TEST_P(OrmSession, UpdateSetsOnlyTheChangedColumns) {
  std::int64_t id = 0;
  {
    auto s = session();
    id = s.add(Author{.name = "Ann", .email = "ann@x.com"}).id;
    s.commit();
    id = s.select<Author>().one().id;
  }
  auto s = session();
  Author* a = s.get<Author>(id);
  a->name = "Anna";
  // Another connection changes the email meanwhile: an UPDATE of every column would undo it.
  engine().connect().execute("UPDATE authors SET email = 'other@x.com' WHERE id = ?", id);
  s.commit();
  auto conn = engine().connect();
  auto result = conn.execute("SELECT name, email FROM authors WHERE id = ?", id);
  EXPECT_EQ(result.row().get<std::string>(0), "Anna");
  EXPECT_EQ(result.row().get<std::string>(1), "other@x.com");
}

TEST_P(OrmSession, UnchangedObjectsAreNotWritten) {
  auto s = session();
  s.add(Author{.name = "Ann"});
  s.commit();
  auto before = s.stats().statements;
  s.select<Author>().all();
  s.commit();
  EXPECT_EQ(s.stats().statements, before + 1);  // the select only
}

// Snapshots keep text apart from the object: every change of a text or optional text must be
// seen at flush (set, changed to a longer one, cleared), and nothing else written.
TEST_P(OrmSession, TextChangesAreSeenAtFlush) {
  auto s = session();
  auto& ann = s.add(Author{.name = "Ann"});
  s.commit();
  auto email = [&] {
    return engine()
        .connect()
        .execute("SELECT email FROM authors WHERE id = ?", ann.id)
        .scalar<std::optional<std::string>>();
  };
  auto writes = [&](auto change) {
    change();
    auto before = s.stats().statements;
    s.commit();
    return s.stats().statements - before;
  };
  EXPECT_EQ(writes([&] { ann.email = "ann@example.com"; }), 1);
  EXPECT_EQ(email(), "ann@example.com");
  EXPECT_EQ(writes([&] { ann.email = "ann.longer.address@example.com"; }), 1);
  EXPECT_EQ(email(), "ann.longer.address@example.com");
  EXPECT_EQ(writes([&] { ann.email = std::string("ann.longer.address@example.com"); }), 0);
  EXPECT_EQ(writes([&] { ann.email.reset(); }), 1);
  EXPECT_EQ(email(), std::nullopt);
  EXPECT_EQ(writes([&] { ann.name = "Ann, a name longer than any small-string buffer"; }), 1);
  EXPECT_EQ(writes([] {}), 0);
}

TEST_P(OrmSession, FlushInsertsParentsFirstAndDeletesChildrenFirst) {
  auto s = session();
  // Added children first: the flush orders them by the foreign keys.
  auto& chapter = s.add(Chapter{.id = 1, .book_id = 1, .number = 1, .heading = "one"});
  auto& book = s.add(Book{.id = 1, .author_id = 1, .title = "B"});
  auto& author = s.add(Author{.id = 1, .name = "Ann"});
  s.commit();
  EXPECT_EQ(rows("chapters"), 1);
  s.remove(author);
  s.remove(book);
  s.remove(chapter);
  s.commit();
  EXPECT_EQ(rows("authors"), 0);
  EXPECT_EQ(rows("chapters"), 0);
}

TEST_P(OrmSession, GeneratedKeysFlowIntoChildrenAcrossFlushes) {
  auto s = session();
  auto& author = s.add(Author{.name = "Ann"});
  s.flush();
  auto& book = s.add(Book{.author_id = author.id, .title = "B"});
  s.flush();
  s.add(Chapter{.book_id = book.id, .number = 1, .heading = "one"});
  s.commit();
  EXPECT_EQ(rows("chapters"), 1);
}

TEST_P(OrmSession, RollbackUndoesAndForgets) {
  auto s = session();
  auto& ann = s.add(Author{.name = "Ann"});
  s.flush();
  EXPECT_GT(ann.id, 0);
  s.rollback();
  EXPECT_EQ(rows("authors"), 0);
  EXPECT_EQ(ann.name, "Ann");  // still valid, no longer tracked
  EXPECT_EQ(s.select<Author>().count(), 0);
  s.add(Author{.name = "Bob"});
  s.commit();
  EXPECT_EQ(rows("authors"), 1);
}

TEST_P(OrmSession, DestroyingASessionRollsBack) {
  {
    auto s = session();
    s.add(Author{.name = "Ann"});
    s.flush();
  }
  EXPECT_EQ(rows("authors"), 0);
}

TEST_P(OrmSession, UsableAfterIntegrityError) {
  auto s = session();
  s.add(Author{.name = "Ann"});
  s.commit();
  s.add(Author{.name = "Ann"});
  EXPECT_THROW(s.commit(), IntegrityError);
  EXPECT_FALSE(s.in_transaction());
  s.add(Author{.name = "Bob"});
  s.commit();
  EXPECT_EQ(rows("authors"), 2);
  EXPECT_EQ(s.select<Author>().count(), 2);
}

TEST_P(OrmSession, VersionColumnDetectsConcurrentChanges) {
  std::int64_t id = 0;
  {
    auto s = session();
    auto& note = s.add(Note{.body = "v1"});
    s.commit();
    EXPECT_EQ(note.version, 1);
    id = note.id;
  }
  auto first = session();
  auto second = session();
  Note* a = first.get<Note>(id);
  Note* b = second.get<Note>(id);
  a->body = "first";
  first.commit();
  EXPECT_EQ(a->version, 2);
  b->body = "second";
  EXPECT_THROW(second.commit(), StaleDataError);
  // The failed flush wrote nothing: the object keeps the version it was read with, and its
  // change.
  EXPECT_EQ(b->version, 1);
  EXPECT_EQ(b->body, "second");
  // Loaded afresh, the change goes through; a stale DELETE fails the same way.
  Note* fresh = second.get<Note>(id);
  EXPECT_EQ(fresh->body, "first");
  Note* old = first.get<Note>(id);
  fresh->body = "third";
  second.commit();
  first.remove(*old);
  EXPECT_THROW(first.commit(), StaleDataError);
  EXPECT_EQ(rows("notes"), 1);
}

// A rollback undoes every flush of the transaction, the ones that succeeded too: the objects
// go back to the versions they were read with, their changes kept.
TEST_P(OrmSession, ARollbackGivesBackTheVersionsOfEveryFlush) {
  std::int64_t id = 0;
  {
    auto s = session();
    auto& note = s.add(Note{.body = "a"});
    s.commit();
    id = note.id;
  }
  auto s = session();
  Note* note = s.get<Note>(id);
  note->body = "a2";
  s.flush();
  note->body = "a3";
  s.flush();
  EXPECT_EQ(note->version, 3);
  s.add(Note{.id = id, .body = "the same key"});
  EXPECT_THROW(s.commit(), IntegrityError);
  EXPECT_EQ(note->version, 1);
  EXPECT_EQ(note->body, "a3");
  auto check = session();
  EXPECT_EQ(check.get<Note>(id)->version, 1);
  EXPECT_EQ(check.get<Note>(id)->body, "a");
}

TEST_P(OrmSession, UpdateOfAVanishedRowIsStale) {
  auto s = session();
  auto& ann = s.add(Author{.name = "Ann"});
  s.commit();
  engine().connect().execute("DELETE FROM authors");
  ann.name = "Anna";
  EXPECT_TRUE(says(stale_message(s), "UPDATE of a row of table authors (id=" +
                                         std::to_string(ann.id) + ") matched no row"));
}

TEST_P(OrmSession, RemovePendingObjectNeverInserts) {
  auto s = session();
  auto& ann = s.add(Author{.name = "Ann"});
  s.remove(ann);
  s.commit();
  EXPECT_EQ(rows("authors"), 0);
}

TEST_P(OrmSession, RefreshDropsUnflushedChanges) {
  auto s = session();
  auto& ann = s.add(Author{.name = "Ann"});
  s.commit();
  ann.name = "changed";
  engine().connect().execute("UPDATE authors SET email = 'a@x.com'");
  s.refresh(ann);
  EXPECT_EQ(ann.name, "Ann");
  EXPECT_EQ(ann.email, "a@x.com");
  s.commit();
  EXPECT_EQ(s.select<Author>().one().name, "Ann");
}

TEST_P(OrmSession, ExpungeStopsTracking) {
  auto s = session();
  auto& ann = s.add(Author{.name = "Ann"});
  s.commit();
  s.expunge(ann);
  ann.name = "ignored";
  s.commit();
  Author* again = s.get<Author>(ann.id);
  ASSERT_NE(again, nullptr);
  EXPECT_NE(again, &ann);
  EXPECT_EQ(again->name, "Ann");
}

TEST_P(OrmSession, ObjectOfAnotherSessionIsRefused) {
  auto s = session();
  Author copy{.name = "x"};
  EXPECT_THROW(s.remove(copy), UsageError);
}

TEST_P(OrmSession, ChangingAPrimaryKeyIsRefused) {
  auto s = session();
  auto& ann = s.add(Author{.name = "Ann"});
  s.commit();
  ann.id += 1;
  EXPECT_THROW(s.commit(), UsageError);
}

// A wrong call reaches no database: a UsageError, which handlers of database failures do not
// catch, and the session goes on.
TEST_P(OrmSession, MisuseIsAUsageErrorNotADatabaseError) {
  auto s = session();
  s.add(Author{.name = "Ann"});
  try {
    s.execute("SELECT count(*) FROM authors WHERE name = ?", "Ann", "Bob");
    ADD_FAILURE() << "no error";
  } catch (const DatabaseError& e) {
    ADD_FAILURE() << "a DatabaseError: " << e.what();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("statement takes 1 parameters, 2 given"),
              std::string::npos)
        << e.what();
  }
  auto none = s.execute("SELECT name FROM authors WHERE name = ?", "Bob");
  EXPECT_THROW(none.row(), UsageError);
  EXPECT_EQ(s.execute("SELECT count(*) FROM authors").scalar<std::int64_t>(), 1);
}

TEST_P(OrmSession, ExecuteRunsInTheSessionsTransaction) {
  auto s = session();
  s.add(Author{.name = "Ann"});
  auto result = s.execute("SELECT count(*) FROM authors WHERE name = ?", "Ann");
  EXPECT_EQ(result.scalar<std::int64_t>(), 1);  // autoflushed
  EXPECT_TRUE(s.in_transaction());
  s.rollback();
  EXPECT_EQ(rows("authors"), 0);
}

TEST_P(OrmSession, ExpireOnCommitForgetsObjects) {
  auto s = session({.expire_on_commit = true});
  auto& ann = s.add(Author{.name = "Ann"});
  s.commit();
  engine().connect().execute("UPDATE authors SET name = 'Other'");
  Author* again = s.get<Author>(ann.id);
  ASSERT_NE(again, nullptr);
  EXPECT_NE(again, &ann);
  EXPECT_EQ(again->name, "Other");
}

TEST_P(OrmSession, ObjectsKeepValuesAfterCommit) {
  auto s = session();
  auto& ann = s.add(Author{.name = "Ann"});
  s.commit();
  EXPECT_EQ(s.get<Author>(ann.id), &ann);
}

TEST_P(OrmSession, AutoflushMakesPendingObjectsVisibleToQueries) {
  auto s = session();
  s.add(Author{.name = "Ann"});
  EXPECT_EQ(s.select<Author>().count(), 1);
  auto off = session({.autoflush = false});
  off.add(Author{.name = "Bob"});
  EXPECT_EQ(off.select<Author>().where(col(&Author::name) == "Bob").count(), 0);
}

TEST_P(OrmSession, EveryTypeRoundTrips) {
  Everything e;
  e.id = Uuid::parse("0f8fad5b-d9cb-469f-a165-70867728950e");
  e.small = -7;
  e.medium = 70000;
  e.big = 1LL << 40;
  e.flag = true;
  e.ratio = 0.5f;
  e.amount = 12.25;
  e.text = "it's text";
  e.data = Blob(std::string_view("\0\1\2", 3));
  e.day = std::chrono::year{2024} / 2 / 29;
  e.time = TimeOfDay{std::chrono::hours{13} + std::chrono::microseconds{5}};
  e.local = DateTime{std::chrono::sys_days(e.day).time_since_epoch() + std::chrono::seconds{7}};
  e.instant = Timestamp{std::chrono::sys_days(e.day).time_since_epoch() + std::chrono::hours{1}};
  e.doc = Json{R"({"a": 1})"};
  e.color = Color::blue;
  e.size = Size::large;
  e.maybe_text = "some";
  e.maybe_instant = e.instant;
  e.maybe_color = Color::green;
  {
    auto s = session();
    s.add(e);
    s.commit();
  }
  auto s = session();
  Everything* back = s.get<Everything>(e.id);
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->small, e.small);
  EXPECT_EQ(back->medium, e.medium);
  EXPECT_EQ(back->big, e.big);
  EXPECT_EQ(back->flag, e.flag);
  EXPECT_EQ(back->ratio, e.ratio);
  EXPECT_EQ(back->amount, e.amount);
  EXPECT_EQ(back->text, e.text);
  EXPECT_EQ(back->data, e.data);
  EXPECT_EQ(back->day, e.day);
  EXPECT_EQ(back->time, e.time);
  EXPECT_EQ(back->local, e.local);
  EXPECT_EQ(back->instant, e.instant);
  EXPECT_EQ(back->color, Color::blue);
  EXPECT_EQ(back->size, Size::large);
  EXPECT_EQ(back->maybe_text, "some");
  EXPECT_EQ(back->maybe_int, std::nullopt);
  EXPECT_EQ(back->maybe_instant, e.instant);
  EXPECT_EQ(back->maybe_color, Color::green);
  // Stored as text: the enum's names, queryable in SQL.
  auto conn = engine().connect();
  EXPECT_EQ(conn.execute("SELECT color FROM everything").scalar<std::string>(), "blue");
  EXPECT_EQ(s.select<Everything>().where(col(&Everything::color) == Color::blue).count(), 1);
  EXPECT_EQ(s.select<Everything>().where(col(&Everything::maybe_int) == std::nullopt).count(), 1);
}

STRATA_ON_BOTH_BACKENDS(OrmSession);

}  // namespace
}  // namespace strata::test
