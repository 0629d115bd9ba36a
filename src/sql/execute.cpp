#include "strata/sql/execute.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "../core/usage_error.hpp"
#include "strata/core/error.hpp"
#include "strata/dialect/dialect.hpp"

namespace strata::sql {
namespace {

[[noreturn]] void throw_binding_error(const std::string& message, const Compiled& compiled) {
  throw strata::detail::usage_error(message, compiled.sql);
}

std::string binding_names(const Compiled& compiled) {
  std::vector<std::string_view> names;
  for (const auto& b : compiled.bindings) {
    if (std::find(names.begin(), names.end(), b.name) == names.end()) names.push_back(b.name);
  }
  return names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
}

// Puts each named value into every placeholder of its bindparam.
void bind_values(const Compiled& compiled, std::span<const NamedParam> values,
                 std::vector<ValueRef>& refs) {
  for (const auto& value : values) {
    bool used = false;
    for (const auto& b : compiled.bindings) {
      if (b.name != value.name) continue;
      refs[b.index] = value.value;
      used = true;
    }
    if (!used) {
      throw_binding_error(fmt::format("the statement has no bindparam '{}'; its bindparams: {}",
                                      value.name, binding_names(compiled)),
                          compiled);
    }
  }
  for (const auto& b : compiled.bindings) {
    bool given = std::any_of(values.begin(), values.end(),
                             [&](const NamedParam& v) { return v.name == b.name; });
    if (b.required && !given) {
      throw_binding_error(fmt::format("no value given for bindparam '{}'; pass it to execute() "
                                      "as {{\"{}\", value}}",
                                      b.name, b.name),
                          compiled);
    }
  }
}

}  // namespace

Result execute(Connection& conn, const Statement& statement, std::span<const NamedParam> values) {
  const Compiled& compiled = statement.compiled(Dialect::of(conn.backend()));
  std::vector<ValueRef> refs(compiled.params.begin(), compiled.params.end());
  bind_values(compiled, values, refs);
  return conn.execute_native(compiled.sql, refs);
}

}  // namespace strata::sql
