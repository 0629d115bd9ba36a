// Connection::copy_in on a real SQLite file and a real PostgreSQL server: what it copies
// (values that COPY's text format must escape, exactly), what a bad row leaves (nothing), how
// it behaves in a transaction, and on PostgreSQL how many round trips it costs.
#include <cmath>
#include <limits>

#include "support/backends.hpp"

namespace strata::test {
namespace {

const std::vector<std::string_view> kColumns = {"id", "name", "price", "data"};

class Copy : public DatabaseTest {
 protected:
  void create_items(Connection& conn) const { conn.execute_script(fmt_items("items")); }
  std::string fmt_items(const std::string& table) const {
    return "CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, name TEXT, price " +
           (is_sqlite() ? "REAL" : "DOUBLE PRECISION") + ", data " +
           (is_sqlite() ? "BLOB" : "BYTEA") + ", CHECK (price IS NULL OR price >= 0))";
  }
  static std::int64_t count(Connection& conn, const std::string& table = "items") {
    return conn.execute("SELECT COUNT(*) FROM " + table).scalar<std::int64_t>();
  }
  static std::vector<std::vector<Value>> simple_rows(int n) {
    std::vector<std::vector<Value>> rows;
    for (int i = 0; i < n; ++i) rows.push_back({i, "item " + std::to_string(i), 1.5 * i, Value()});
    return rows;
  }
};

Blob all_bytes() {
  std::vector<std::byte> bytes;
  for (int b = 0; b < 256; ++b) bytes.push_back(static_cast<std::byte>(b));
  return Blob(std::move(bytes));
}

TEST_P(Copy, ValuesComeBackExactly) {
  auto conn = make_engine().connect();
  create_items(conn);
  const std::vector<std::string> names = {"tab\there",      "line\nbreak", "cr\rlf\r\n",
                                          "back\\slash",    "\\N",         "",
                                          "żółw 🐢 ünïcödé", "\\.",         "ends with \\"};
  const std::vector<double> prices = {0.1,
                                      1e300,
                                      5e-324,
                                      2.2250738585072014e-308,
                                      std::numeric_limits<double>::infinity(),
                                      0.0,
                                      123456789.123456789,
                                      1.0 / 3,
                                      7};
  std::vector<std::vector<Value>> rows;
  for (std::size_t i = 0; i < names.size(); ++i) {
    rows.push_back({static_cast<std::int64_t>(i), names[i], prices[i],
                    i % 2 ? Value(all_bytes()) : Value(Blob(std::vector<std::byte>{}))});
  }
  rows.push_back({100, Value(), Value(), Value()});
  EXPECT_EQ(conn.copy_in("items", kColumns, rows), static_cast<std::int64_t>(rows.size()));
  auto result = conn.execute("SELECT id, name, price, data FROM items ORDER BY id");
  std::size_t i = 0;
  for (const auto& row : result) {
    if (i == names.size()) {
      EXPECT_TRUE(row.is_null(1));  // NULL stays NULL, and "" stays "" (above)
      EXPECT_TRUE(row.is_null(2));
      EXPECT_TRUE(row.is_null(3));
    } else {
      EXPECT_EQ(row.get<std::string>(1), names[i]) << i;
      EXPECT_EQ(row.get<double>(2), prices[i]) << i;  // bit for bit, not approximately
      EXPECT_EQ(row.get<Blob>(3), rows[i][3].as_blob()) << i;
    }
    ++i;
  }
  EXPECT_EQ(i, rows.size());
}

TEST_P(Copy, TypedValuesComeBack) {
  auto conn = make_engine().connect();
  conn.execute_script(
      is_sqlite() ? "CREATE TABLE typed (d DATE, ts TIMESTAMP, u TEXT, j TEXT, b BOOLEAN)"
                  : "CREATE TABLE typed (d DATE, ts TIMESTAMP, u UUID, j JSONB, b BOOLEAN)");
  const Date date = parse_date("2026-02-28");
  const DateTime stamp = parse_datetime("2026-02-28 23:59:58.123456");
  const Uuid uuid = Uuid::parse("0b2f6c1e-8a4d-4c3b-9f7e-1a2b3c4d5e6f");
  const Json json{R"({"tab": "a\tb", "quote": "\"", "list": [1, 2]})"};
  const std::vector<std::string_view> columns = {"d", "ts", "u", "j", "b"};
  EXPECT_EQ(conn.copy_in("typed", columns,
                         std::vector<std::vector<Value>>{{date, stamp, uuid, json, true},
                                                         {date, stamp, uuid, json, false}}),
            2);
  auto result = conn.execute("SELECT d, ts, u, j, b FROM typed ORDER BY b DESC");
  auto row = result.row();
  EXPECT_EQ(row.get<Date>(0), date);
  EXPECT_EQ(row.get<DateTime>(1), stamp);
  EXPECT_EQ(row.get<Uuid>(2), uuid);
  const std::string text = row.get<Json>(3).text;  // jsonb orders the keys its own way
  if (is_sqlite()) {
    EXPECT_EQ(text, json.text);
  } else {
    EXPECT_NE(text.find(R"("tab": "a\tb")"), std::string::npos) << text;
    EXPECT_NE(text.find(R"("quote": "\"")"), std::string::npos) << text;
  }
  EXPECT_TRUE(row.get<bool>(4));
  ASSERT_TRUE(result.next());
  EXPECT_FALSE(result.row().get<bool>(4));
}

TEST_P(Copy, CostsTwoRoundTripsHoweverManyRows) {
  auto conn = make_engine().connect();
  create_items(conn);
  auto before = conn.round_trips();
  EXPECT_EQ(conn.copy_in("items", kColumns, simple_rows(10)), 10);
  auto ten = conn.round_trips() - before;
  conn.execute_script("DELETE FROM items");
  before = conn.round_trips();
  EXPECT_EQ(conn.copy_in("items", kColumns, simple_rows(20000)), 20000);
  auto many = conn.round_trips() - before;
  EXPECT_EQ(count(conn), 20000);
  EXPECT_EQ(conn.execute("SELECT SUM(id) FROM items").scalar<std::int64_t>(), 199990000);
  EXPECT_EQ(ten, is_sqlite() ? 0u : 2u);  // start the COPY, end it
  EXPECT_EQ(many, ten);
}

TEST_P(Copy, StreamsRowsFromACallback) {
  auto conn = make_engine().connect();
  create_items(conn);
  constexpr int kRows = 100000;  // several 64 KiB chunks of COPY text
  int next = 0;
  std::string name;
  auto before = conn.round_trips();
  auto copied = conn.copy_in("items", kColumns, [&](std::vector<ValueRef>& row) {
    if (next == kRows) return false;
    name = "row\t" + std::to_string(next);  // viewed until the next call
    row = {ValueRef(next), ValueRef(name), ValueRef(0.25), ValueRef(nullptr)};
    ++next;
    return true;
  });
  EXPECT_EQ(copied, kRows);
  EXPECT_EQ(conn.round_trips() - before, is_sqlite() ? 0u : 2u);
  EXPECT_EQ(count(conn), kRows);
  EXPECT_EQ(conn.execute("SELECT name FROM items WHERE id = 77777").scalar<std::string>(),
            "row\t77777");
}

TEST_P(Copy, AFailingRowCopiesNothing) {
  auto conn = make_engine().connect();
  create_items(conn);
  // Row `at` gets `value` in `column`; the copy must refuse it with `sqlstate` (PostgreSQL).
  auto expect_refused = [&](std::size_t at, std::size_t column, Value value,
                            const std::string& sqlstate) {
    auto rows = simple_rows(500);
    rows[at][column] = std::move(value);
    try {
      conn.copy_in("items", kColumns, rows);
      ADD_FAILURE() << "no error for " << sqlstate;
    } catch (const IntegrityError& e) {
      if (!is_sqlite()) {
        EXPECT_EQ(e.sqlstate(), sqlstate) << e.what();
      }
    }
  };
  expect_refused(400, 0, Value(3), "23505");     // a duplicate key
  expect_refused(250, 2, Value(-1.0), "23514");  // the CHECK
  EXPECT_EQ(count(conn), 0);
  // The connection is usable afterwards.
  EXPECT_EQ(conn.copy_in("items", kColumns, simple_rows(3)), 3);
}

TEST_P(Copy, AValueTheColumnCannotTakeCopiesNothing) {
  auto conn = make_engine().connect();
  // SQLite stores any value in a BIGINT column (a type is an affinity there), but not text in
  // a rowid.
  conn.execute_script(is_sqlite() ? "CREATE TABLE nums (n INTEGER PRIMARY KEY)"
                                  : "CREATE TABLE nums (n BIGINT PRIMARY KEY)");
  const std::vector<std::string_view> columns = {"n"};
  try {
    conn.copy_in("nums", columns, std::vector<std::vector<Value>>{{1}, {2}, {"five"}, {6}});
    ADD_FAILURE() << "no error";
  } catch (const DatabaseError& e) {
    if (!is_sqlite()) {
      EXPECT_EQ(e.sqlstate(), "22P02") << e.what();
      EXPECT_NE(std::string(e.what()).find("five"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(count(conn, "nums"), 0);
}

TEST_P(Copy, NoRowsCopiesNothingAndSendsNothing) {
  auto conn = make_engine().connect();
  create_items(conn);
  const std::vector<std::vector<Value>> none;
  auto before = conn.round_trips();
  EXPECT_EQ(conn.copy_in("items", kColumns, none), 0);
  EXPECT_EQ(conn.round_trips(), before);
  EXPECT_FALSE(conn.in_transaction());
  EXPECT_THROW(conn.copy_in("items", std::span<const std::string_view>(), none), UsageError);
  EXPECT_THROW(conn.copy_in("items.", kColumns, none), UsageError);
  EXPECT_EQ(count(conn), 0);
}

TEST_P(Copy, ARowOfTheWrongWidthIsAUsageErrorBeforeAnythingIsSent) {
  auto conn = make_engine().connect();
  create_items(conn);
  auto rows = simple_rows(10);
  rows[7].pop_back();
  auto before = conn.round_trips();
  try {
    conn.copy_in("items", kColumns, rows);
    ADD_FAILURE() << "no error";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "copy_in() into items: row 7 has 3 values for 4 columns");
  }
  EXPECT_EQ(conn.round_trips(), before);
  EXPECT_EQ(count(conn), 0);
}

TEST_P(Copy, AStreamedRowOfTheWrongWidthUndoesTheCopy) {
  auto conn = make_engine().connect();
  create_items(conn);
  for (int bad : {3, 60000}) {  // within the first chunk (nothing sent), and well after it
    int next = 0;
    auto before = conn.round_trips();
    EXPECT_THROW(conn.copy_in("items", kColumns,
                              [&](std::vector<ValueRef>& row) {
                                row = {ValueRef(next), ValueRef("x"), ValueRef(1.0)};
                                if (next++ != bad) row.emplace_back(nullptr);
                                return true;
                              }),
                 UsageError);
    if (bad == 3) {
      EXPECT_EQ(conn.round_trips(), before);
    }
    EXPECT_EQ(count(conn), 0) << bad;
  }
}

TEST_P(Copy, AnExceptionFromTheSourceUndoesTheCopy) {
  auto conn = make_engine().connect();
  create_items(conn);
  int next = 0;
  EXPECT_THROW(
      conn.copy_in("items", kColumns,
                   [&](std::vector<ValueRef>& row) {
                     if (next == 50000) throw std::runtime_error("source failed");
                     row = {ValueRef(next++), ValueRef("x"), ValueRef(1.0), ValueRef(nullptr)};
                     return true;
                   }),
      std::runtime_error);
  EXPECT_EQ(count(conn), 0);
}

TEST_P(Copy, UnknownTableOrColumnIsNamed) {
  auto conn = make_engine().connect();
  create_items(conn);
  try {
    conn.copy_in("no_such_table", kColumns, simple_rows(1));
    ADD_FAILURE() << "no error";
  } catch (const DatabaseError& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_table"), std::string::npos) << e.what();
  }
  const std::vector<std::string_view> columns = {"id", "no_such_column"};
  try {
    conn.copy_in("items", columns, std::vector<std::vector<Value>>{{1, 2}});
    ADD_FAILURE() << "no error";
  } catch (const DatabaseError& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_column"), std::string::npos) << e.what();
  }
  EXPECT_THROW(conn.copy_in("items", {}, simple_rows(1)), UsageError);
  EXPECT_THROW(conn.copy_in("", kColumns, simple_rows(1)), UsageError);
}

TEST_P(Copy, NamesAreQuotedAndMayNameASchema) {
  auto conn = make_engine().connect();
  std::string schema = is_sqlite() ? "main" : "copy_elsewhere";
  if (!is_sqlite()) {
    conn.execute_script(
        "DROP SCHEMA IF EXISTS copy_elsewhere CASCADE; CREATE SCHEMA copy_elsewhere");
  }
  conn.execute_script("CREATE TABLE " + schema +
                      ".\"Odd \"\"Name\"\"\" (\"select\" INT, \"a b\" TEXT)");
  const std::vector<std::string_view> columns = {"select", "a b"};
  EXPECT_EQ(conn.copy_in(schema + ".Odd \"Name\"", columns,
                         std::vector<std::vector<Value>>{{1, "one"}, {2, "two"}}),
            2);
  EXPECT_EQ(count(conn, schema + ".\"Odd \"\"Name\"\"\""), 2);
}

TEST_P(Copy, InsideATransactionItIsPartOfIt) {
  auto conn = make_engine().connect();
  create_items(conn);
  {
    auto tx = conn.begin();
    conn.copy_in("items", kColumns, simple_rows(10));
    tx.rollback();
  }
  EXPECT_EQ(count(conn), 0);
  auto tx = conn.begin();
  conn.execute("INSERT INTO items (id) VALUES (?)", 1000);
  auto rows = simple_rows(10);
  rows[9][0] = Value(1000);
  EXPECT_THROW(conn.copy_in("items", kColumns, rows), IntegrityError);
  if (is_sqlite()) {
    // The copy alone is undone; the transaction goes on.
    EXPECT_EQ(count(conn), 1);
    EXPECT_EQ(conn.copy_in("items", kColumns, simple_rows(5)), 5);
    tx.commit();
    EXPECT_EQ(count(conn), 6);
  } else {
    // As after any failing statement, PostgreSQL has aborted the transaction.
    EXPECT_THROW(tx.commit(), ProgrammingError);
    EXPECT_EQ(count(conn), 0);
  }
}

STRATA_ON_BOTH_BACKENDS(Copy);

}  // namespace
}  // namespace strata::test
