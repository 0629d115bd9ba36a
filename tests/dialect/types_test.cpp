// Every strata type, written and read back on each backend, with the extremes each allows.
#include <cmath>
#include <limits>
#include <strata/dialect/inspector.hpp>
#include <strata/schema/metadata.hpp>

#include "support/backends.hpp"

namespace strata::test {
namespace {
namespace chr = std::chrono;
using std::numeric_limits;

class Types : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    engine_.emplace(make_engine());
    MetaData md;
    md.add(Table("v", {Column("id", Type::integer()).primary_key().auto_increment(false),
                       Column("b", Type::boolean()), Column("i16", Type::smallinteger()),
                       Column("i32", Type::integer()), Column("i64", Type::biginteger()),
                       Column("f32", Type::float32()), Column("f64", Type::float64()),
                       Column("num", Type::numeric(40, 20)), Column("s", Type::string(50)),
                       Column("t", Type::text()), Column("d", Type::date()),
                       Column("tm", Type::time()), Column("dt", Type::datetime()),
                       Column("ts", Type::datetime_tz()), Column("bin", Type::binary()),
                       Column("j", Type::json()), Column("u", Type::uuid())}));
    md.create_all(*engine_);
  }
  void TearDown() override {
    engine_.reset();
    DatabaseTest::TearDown();
  }
  // Writes one column of row `id` and reads it back in the same row.
  template <class T, class In>
  T round_trip(const char* column, const In& value) {
    auto conn = engine_->connect();
    int id = next_id_++;
    conn.execute(std::string("INSERT INTO v (id, ") + column + ") VALUES (?, ?)", id, value);
    return conn.execute(std::string("SELECT ") + column + " FROM v WHERE id = ?", id).scalar<T>();
  }

  std::optional<Engine> engine_;
  int next_id_ = 1;
};

TEST_P(Types, NullInEveryColumn) {
  auto conn = engine_->connect();
  conn.execute("INSERT INTO v (id) VALUES (1)");
  auto result = conn.execute("SELECT * FROM v");
  auto row = result.row();
  for (int c = 1; c < row.size(); ++c) {
    EXPECT_TRUE(row.is_null(c)) << result.column_name(c);
    EXPECT_TRUE(row.get<Value>(c).is_null());
  }
  EXPECT_EQ(row.get<std::optional<Date>>("d"), std::nullopt);
}

TEST_P(Types, IntegersAtTheirLimits) {
  EXPECT_EQ(round_trip<std::int64_t>("i64", numeric_limits<std::int64_t>::min()),
            numeric_limits<std::int64_t>::min());
  EXPECT_EQ(round_trip<std::int64_t>("i64", numeric_limits<std::int64_t>::max()),
            numeric_limits<std::int64_t>::max());
  EXPECT_EQ(round_trip<std::int32_t>("i32", numeric_limits<std::int32_t>::min()),
            numeric_limits<std::int32_t>::min());
  EXPECT_EQ(round_trip<std::int16_t>("i16", numeric_limits<std::int16_t>::max()),
            numeric_limits<std::int16_t>::max());
  EXPECT_TRUE(round_trip<bool>("b", true));
  EXPECT_FALSE(round_trip<bool>("b", false));
}

TEST_P(Types, FloatingPointExtremes) {
  EXPECT_EQ(round_trip<double>("f64", numeric_limits<double>::max()),
            numeric_limits<double>::max());
  EXPECT_EQ(round_trip<double>("f64", numeric_limits<double>::denorm_min()),
            numeric_limits<double>::denorm_min());
  EXPECT_EQ(round_trip<double>("f64", numeric_limits<double>::infinity()),
            numeric_limits<double>::infinity());
  EXPECT_EQ(round_trip<double>("f64", -numeric_limits<double>::infinity()),
            -numeric_limits<double>::infinity());
  EXPECT_EQ(round_trip<float>("f32", numeric_limits<float>::max()), numeric_limits<float>::max());
  // SQLite has no NaN: it stores NULL instead. PostgreSQL keeps NaN.
  auto nan = round_trip<std::optional<double>>("f64", numeric_limits<double>::quiet_NaN());
  if (is_sqlite()) {
    EXPECT_EQ(nan, std::nullopt);
  } else {
    ASSERT_TRUE(nan);
    EXPECT_TRUE(std::isnan(*nan));
  }
}

TEST_P(Types, NumericBeyondDoublePrecision) {
  const std::string exact = "12345678901234567890.12345678901234567890";
  if (is_sqlite()) {
    // SQLite's NUMERIC affinity stores a number as an integer or a double: the nearest double
    // comes back, documented in docs/schema.md.
    EXPECT_DOUBLE_EQ(round_trip<double>("num", exact), 12345678901234567890.123456789);
  } else {
    EXPECT_EQ(round_trip<std::string>("num", exact), exact);
  }
}

TEST_P(Types, TextAndBlobs) {
  EXPECT_EQ(round_trip<std::string>("t", ""), "");
  const std::string unicode = "héllo wörld ✓ 日本語 🎉";
  EXPECT_EQ(round_trip<std::string>("s", unicode), unicode);
  const Blob bytes(std::string_view("\0a\0\xff\0", 5));
  EXPECT_EQ(round_trip<Blob>("bin", bytes), bytes);
  EXPECT_EQ(round_trip<Blob>("bin", Blob()), Blob());
}

TEST_P(Types, DatesAndTimesWithMicroseconds) {
  const Date dates[] = {Date{chr::year(1969), chr::December, chr::day(31)},
                        Date{chr::year(2024), chr::February, chr::day(29)},
                        Date{chr::year(9999), chr::December, chr::day(31)}};
  for (const Date& d : dates) EXPECT_EQ(round_trip<Date>("d", d), d);
  const TimeOfDay last{chr::hours(23) + chr::minutes(59) + chr::seconds(59) +
                       chr::microseconds(999999)};
  EXPECT_EQ(round_trip<TimeOfDay>("tm", last), last);
  EXPECT_EQ(round_trip<TimeOfDay>("tm", TimeOfDay{}), TimeOfDay{});
  const DateTime before_epoch =
      chr::local_days(Date{chr::year(1900), chr::January, chr::day(1)}) + chr::microseconds(1);
  EXPECT_EQ(round_trip<DateTime>("dt", before_epoch), before_epoch);
  const DateTime leap = chr::local_days(dates[1]) + chr::hours(12) + chr::minutes(34) +
                        chr::seconds(56) + chr::microseconds(789012);
  EXPECT_EQ(round_trip<DateTime>("dt", leap), leap);
}

TEST_P(Types, InstantsKeepTheirMomentAcrossTimeZones) {
  const Timestamp instant = chr::sys_days(Date{chr::year(2024), chr::June, chr::day(1)}) +
                            chr::hours(10) + chr::microseconds(123456);
  EXPECT_EQ(round_trip<Timestamp>("ts", instant), instant);
  // Text with an offset names the same instant as its UTC form.
  auto read = round_trip<Timestamp>("ts", "2024-06-01 15:30:00.123456+05:30");
  EXPECT_EQ(read, instant);
  EXPECT_EQ(round_trip<Value>("ts", instant),
            is_sqlite() ? Value("2024-06-01 10:00:00.123456+00:00") : Value(instant));
}

TEST_P(Types, UuidAndJson) {
  const Uuid id = Uuid::parse("123E4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(id.to_string(), "123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(round_trip<Uuid>("u", id), id);
  // Written in the order JSONB keeps keys (shorter first), so both backends give it back as is.
  const Json doc{R"({"a": 1, "s": "é", "bb": [true, null]})"};
  EXPECT_EQ(round_trip<Json>("j", doc), doc);
  EXPECT_THROW(Uuid::parse("123e4567-e89b-12d3-a456-42661417400"), DataError);
  EXPECT_THROW(parse_date("2024-02-30"), DataError);
  EXPECT_THROW(parse_timestamp("yesterday"), DataError);
}

STRATA_ON_BOTH_BACKENDS(Types);

}  // namespace
}  // namespace strata::test
