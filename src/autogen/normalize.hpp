// What counts as "the same" when a model meets a reflected database: types through the
// dialect, defaults and conditions in a normalised form, keys making columns NOT NULL.
// Private to autogen.
#pragma once

#include <optional>
#include <string>

#include "strata/dialect/dialect.hpp"
#include "strata/schema/table.hpp"

namespace strata::autogen::detail {

// Types as the dialect matches them; an autoincrementing integer key matches any integer
// size (SQLite's rowid is 64-bit whatever was declared). `dialect` may be null: exact match.
bool same_type(const Column& model, const Column& reflected, const Dialect* dialect);

// A default in a canonical text: "none", "now", a number, a boolean, 'text' or sql:EXPR.
// NULL and NaN read as none (SQLite stores NaN as NULL); numbers compare by value; the
// current-timestamp spellings (CURRENT_TIMESTAMP, now(), ...) read as now.
std::string canonical_default(const std::optional<ServerDefault>& d, const Type& type);

bool same_default(const Column& model, const Column& reflected);

bool same_definition(const Index& a, const Index& b);
bool same_definition(const UniqueConstraint& a, const UniqueConstraint& b);
bool same_definition(const ForeignKey& a, const ForeignKey& b);
bool same_definition(const CheckConstraint& a, const CheckConstraint& b);

}  // namespace strata::autogen::detail
