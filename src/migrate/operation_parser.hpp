// Operations of a revision file's `upgrade:` and `downgrade:` lists.
#pragma once

#include <string_view>
#include <vector>

#include "strata/migrate/operations.hpp"
#include "strata/schema/metadata.hpp"
#include "yaml_reader.hpp"

namespace strata::migrate::detail {

// The keys one map of a revision file accepts: an operation's own map, or a map inside one.
struct MapSpec {
  std::string_view name;  // the operation ("create_table"), or the inner map as messages call it
  std::vector<std::string_view> keys;
};

// Every operation the parser knows, with the keys it accepts: the very table the parser checks
// keys against, so that docs/operations.md can be tested against it.
const std::vector<MapSpec>& operation_specs();
// The maps inside operations (a column, its foreign_key, a references map, ...), likewise.
const std::vector<MapSpec>& nested_specs();

// One list item ({create_table: {...}}); add_column with shorthands gives several operations.
std::vector<Operation> parse_operation(const yaml::Node& item, const Source& source,
                                       const NamingConvention& convention);

}  // namespace strata::migrate::detail
