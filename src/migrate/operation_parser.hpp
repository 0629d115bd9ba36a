// Operations of a revision file's `upgrade:` and `downgrade:` lists.
#pragma once

#include <vector>

#include "strata/migrate/operations.hpp"
#include "strata/schema/metadata.hpp"
#include "yaml_reader.hpp"

namespace strata::migrate::detail {

// One list item ({create_table: {...}}); add_column with shorthands gives several operations.
std::vector<Operation> parse_operation(const YAML::Node& item, const Source& source,
                                       const NamingConvention& convention);

}  // namespace strata::migrate::detail
