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
  } catch (const Error& e) {
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
