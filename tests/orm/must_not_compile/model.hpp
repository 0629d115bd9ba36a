// The models the must-not-compile cases share. Each case compiles with STRATA_FIXED defined
// (the control: the right code) and must fail without it (the wrong code), so a case cannot
// pass because of an unrelated error.
#pragma once

#include <optional>
#include <strata/orm/orm.hpp>
#include <string>
#include <vector>

struct User {
  std::int64_t id = 0;
  std::string name;
};

enum class Color { red, blue };

struct Item {
  std::int64_t id = 0;
  std::int64_t owner_id = 0;
  std::string title;
  std::optional<std::string> note;
  Color color = Color::red;
  std::vector<int> numbers;  // no column type
};

inline const auto users = strata::table<User>(
    "users", strata::column(&User::id, "id").primary_key(), strata::column(&User::name, "name"));
