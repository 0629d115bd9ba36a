#include <gtest/gtest.h>

#include <limits>
#include <strata/core/error.hpp>
#include <strata/core/value.hpp>

namespace strata {
namespace {

TEST(Value, KindsAndAccess) {
  EXPECT_TRUE(Value().is_null());
  EXPECT_EQ(Value(42).as_int(), 42);
  EXPECT_EQ(Value(std::numeric_limits<std::int64_t>::min()).as_int(),
            std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(Value(1.5).as_double(), 1.5);
  EXPECT_EQ(Value("text").as_text(), "text");
  EXPECT_EQ(Value(true).kind(), ValueKind::boolean);
  EXPECT_EQ(Value(Blob(std::string_view("a\0b", 3))).as_blob().bytes.size(), 3u);
  EXPECT_TRUE(Value(std::optional<int>()).is_null());
  EXPECT_EQ(Value(std::optional<int>(7)).as_int(), 7);
}

TEST(Value, WrongKindNamesBoth) {
  try {
    Value("x").as_int();
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "value is text, not integer");
  }
}

TEST(Value, RefViewsWithoutCopyingAndBack) {
  std::string text = "hello";
  ValueRef ref(text);
  EXPECT_EQ(ref.as_text().data(), text.data());
  EXPECT_EQ(Value(ref), Value("hello"));
  EXPECT_EQ(Value(ValueRef(Value(3))), Value(3));
  EXPECT_TRUE(ValueRef(std::optional<std::string>()).is_null());
}

TEST(Value, ToStringLooksLikeSql) {
  EXPECT_EQ(Value().to_string(), "NULL");
  EXPECT_EQ(Value("a").to_string(), "'a'");
  EXPECT_EQ(Value(Blob(std::string_view("\x00\xff", 2))).to_string(), "x'00ff'");
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {
namespace chr = std::chrono;

std::string formatted(ValueRef ref) {
  char buffer[kMaxTemporalText];
  return std::string(buffer, ref.format(buffer));
}

TEST(DateTime, FormatsIsoTextWithMicrosecondsOnlyWhenPresent) {
  Date d{chr::year(1969), chr::December, chr::day(31)};
  EXPECT_EQ(formatted(d), "1969-12-31");
  EXPECT_EQ(formatted(TimeOfDay{chr::hours(7) + chr::microseconds(5)}), "07:00:00.000005");
  EXPECT_EQ(formatted(DateTime(chr::local_days(d)) + chr::hours(23)), "1969-12-31 23:00:00");
  EXPECT_EQ(formatted(Timestamp(chr::microseconds(-1))), "1969-12-31 23:59:59.999999+00:00");
}

TEST(DateTime, ParsesWhatBothBackendsWrite) {
  EXPECT_EQ(parse_time("10:00:00.5").since_midnight, chr::hours(10) + chr::milliseconds(500));
  EXPECT_EQ(parse_datetime("2024-01-02T03:04:05"), parse_datetime("2024-01-02 03:04:05"));
  EXPECT_EQ(parse_datetime("2024-01-02"),
            DateTime(chr::local_days(Date{chr::year(2024), chr::January, chr::day(2)})));
  auto utc = parse_timestamp("2024-01-02 03:04:05Z");
  EXPECT_EQ(parse_timestamp("2024-01-02 08:34:05+05:30"), utc);
  EXPECT_EQ(parse_timestamp("2024-01-01 22:04:05-05"), utc);
  EXPECT_EQ(parse_timestamp("2024-01-02 03:04:05"), utc);
  EXPECT_EQ(Value(ValueRef(utc)), Value(utc));
  EXPECT_EQ(Value(utc).to_string(), "'2024-01-02 03:04:05+00:00'");
}

// Whatever precision a backend stored (SQLite's CURRENT_TIMESTAMP has whole seconds,
// PostgreSQL microseconds), the text given out has one shape.
TEST(DateTime, Iso8601HasOneShapeForEveryInstant) {
  EXPECT_EQ(to_iso8601(parse_timestamp("2024-01-02 03:04:05")), "2024-01-02T03:04:05.000000+00:00");
  EXPECT_EQ(to_iso8601(parse_timestamp("2024-01-02T08:34:05.5+05:30")),
            "2024-01-02T03:04:05.500000+00:00");
  EXPECT_EQ(to_iso8601(Timestamp(chr::microseconds(-1))), "1969-12-31T23:59:59.999999+00:00");
  EXPECT_EQ(parse_timestamp(to_iso8601(Timestamp(chr::microseconds(123456789)))),
            Timestamp(chr::microseconds(123456789)));
}

TEST(DateTime, MalformedTextNamesTheExpectedForm) {
  try {
    parse_date("2024/01/02");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("'2024/01/02' is not a date (YYYY-MM-DD)"),
              std::string::npos);
  }
  for (const char* bad :
       {"25:00:00", "-1:00:00", "00:-5:00", "24:30:00", "12:00:00.", "12:00:00.1234567"}) {
    EXPECT_THROW(parse_time(bad), DataError) << bad;
  }
  EXPECT_EQ(parse_time("24:00:00").since_midnight, chr::hours(24));
  EXPECT_THROW(parse_timestamp("2024-01-02 03:04:05+05:30junk"), DataError);
  EXPECT_EQ(parse_timestamp("1900-01-01 00:19:32+00:19:32"),
            parse_timestamp("1900-01-01 00:00:00Z"));
  EXPECT_THROW(parse_datetime("2024-01-02 03:04"), DataError);
  EXPECT_THROW(Uuid::parse("123e4567e89b12d3a456426614174000zz"), DataError);
  EXPECT_EQ(Uuid::parse("123e4567e89b12d3a456426614174000").to_string(),
            "123e4567-e89b-12d3-a456-426614174000");
}

}  // namespace
}  // namespace strata
