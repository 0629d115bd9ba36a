// yaml-cpp's reading of a revision file, for the texts libyaml refuses: its messages for syntax
// errors are the ones revision files have always had, and it accepts a few texts libyaml does
// not. Slow, but only a broken or unusual file comes here.
#pragma once

#include <string_view>

#include "yaml_reader.hpp"

namespace strata::migrate::detail {

// load_document's checks and messages, as they were when yaml-cpp read every file.
yaml::Document load_with_yaml_cpp(std::string_view text, const Source& source);

}  // namespace strata::migrate::detail
