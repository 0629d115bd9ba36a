// The models the ORM tests share: a three-level foreign-key chain (authors, books, chapters),
// a versioned row, and a row with a member of every supported type.
#pragma once

#include <optional>
#include <strata/orm/orm.hpp>
#include <strata/strata.hpp>
#include <string>

#include "support/backends.hpp"

namespace strata::test {

struct Author {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string> email;
  std::string status;  // server default 'new'
};

struct Book {
  std::int64_t id = 0;
  std::int64_t author_id = 0;
  std::string title;
  double price = 0;
  std::optional<std::int32_t> pages;
};

struct Chapter {
  std::int64_t id = 0;
  std::int64_t book_id = 0;
  std::int32_t number = 0;
  std::string heading;
};

struct Note {
  std::int64_t id = 0;
  std::string body;
  std::int64_t version = 0;
};

enum class Color { red, green, blue };
enum class Size : std::int16_t { small = 1, large = 2 };

}  // namespace strata::test

template <>
struct strata::EnumText<strata::test::Color> {
  static constexpr std::array<std::pair<strata::test::Color, std::string_view>, 3> names{
      {{strata::test::Color::red, "red"},
       {strata::test::Color::green, "green"},
       {strata::test::Color::blue, "blue"}}};
};

namespace strata::test {

struct Everything {
  Uuid id;
  std::int16_t small = 0;
  std::int32_t medium = 0;
  std::int64_t big = 0;
  bool flag = false;
  float ratio = 0;
  double amount = 0;
  std::string text;
  Blob data;
  Date day{};
  TimeOfDay time;
  DateTime local{};
  Timestamp instant{};
  Json doc;
  Color color = Color::red;
  Size size = Size::small;
  std::optional<std::string> maybe_text;
  std::optional<std::int64_t> maybe_int;
  std::optional<Timestamp> maybe_instant;
  std::optional<Color> maybe_color;
};

inline const auto authors = strata::table<Author>(
    "authors", strata::column(&Author::id, "id").primary_key(),
    strata::column(&Author::name, "name").type(strata::String{100}).unique(),
    strata::column(&Author::email, "email"),
    strata::column(&Author::status, "status").type(strata::String{20}).server_default("new"));

inline const auto books = strata::table<Book>(
    "books", strata::column(&Book::id, "id").primary_key(),
    strata::column(&Book::author_id, "author_id").references("authors.id").index(),
    strata::column(&Book::title, "title").type(strata::String{200}),
    strata::column(&Book::price, "price").check("price >= 0"),
    strata::column(&Book::pages, "pages"), strata::unique({"author_id", "title"}));

inline const auto chapters = strata::table<Chapter>(
    "chapters", strata::column(&Chapter::id, "id").primary_key(),
    strata::column(&Chapter::book_id, "book_id").references("books.id"),
    strata::column(&Chapter::number, "number"), strata::column(&Chapter::heading, "heading"));

inline const auto notes = strata::table<Note>(
    "notes", strata::column(&Note::id, "id").primary_key(), strata::column(&Note::body, "body"),
    strata::column(&Note::version, "version").version());

inline const auto everything = strata::table<Everything>(
    "everything", strata::column(&Everything::id, "id").primary_key(),
    strata::column(&Everything::small, "small"), strata::column(&Everything::medium, "medium"),
    strata::column(&Everything::big, "big"), strata::column(&Everything::flag, "flag"),
    strata::column(&Everything::ratio, "ratio"), strata::column(&Everything::amount, "amount"),
    strata::column(&Everything::text, "text"), strata::column(&Everything::data, "data"),
    strata::column(&Everything::day, "day"), strata::column(&Everything::time, "time"),
    strata::column(&Everything::local, "local"), strata::column(&Everything::instant, "instant"),
    strata::column(&Everything::doc, "doc"), strata::column(&Everything::color, "color"),
    strata::column(&Everything::size, "size"),
    strata::column(&Everything::maybe_text, "maybe_text"),
    strata::column(&Everything::maybe_int, "maybe_int"),
    strata::column(&Everything::maybe_instant, "maybe_instant"),
    strata::column(&Everything::maybe_color, "maybe_color"));

inline MetaData& orm_metadata() {
  static MetaData metadata = [] {
    MetaData m;
    authors.add_to(m);
    books.add_to(m);
    chapters.add_to(m);
    notes.add_to(m);
    everything.add_to(m);
    return m;
  }();
  return metadata;
}

// Every test starts with the tables of orm_metadata() created.
// What a commit that must fail as stale says.
inline std::string stale_message(Session& s) {
  try {
    s.commit();
  } catch (const StaleDataError& e) {
    return e.what();
  }
  return "(the commit went through)";
}

// Whether `message` holds `part`, printing the message when not.
inline ::testing::AssertionResult says(const std::string& message, const std::string& part) {
  if (message.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "no \"" << part << "\" in: " << message;
}

class OrmTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    engine_.emplace(make_engine());
    orm_metadata().create_all(*engine_);
  }

  Engine& engine() { return *engine_; }
  Session session(SessionOptions options = {}) { return Session(*engine_, options); }
  // The number of rows of `table`, read outside any session.
  std::int64_t rows(const std::string& table) {
    auto conn = engine_->connect();
    return conn.execute("SELECT count(*) FROM " + table).scalar<std::int64_t>();
  }

 private:
  std::optional<Engine> engine_;
};

}  // namespace strata::test
