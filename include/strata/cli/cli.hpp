// The strata command line as a library entry point: tools/strata is a thin main() around it,
// and an application embeds the same commands (`backend db ...`).
//
//   strata [--config FILE] [--url URL] [--json] [-q|-v] COMMAND
//
// Exit status: 0 done, 1 failed, 2 usage or configuration error. Errors are one line on stderr.
#pragma once

#include <string>

namespace strata {
class MetaData;
}

namespace strata::cli {

// Runs one command. `program` names the binary in usage text ("strata", "backend db").
// `models` are the application's tables, the target of `revision --autogenerate`, `check` and
// `verify`; the standalone binary has none. Not owned; must outlive the call.
int run(int argc, const char* const* argv, const std::string& program = "strata",
        const MetaData* models = nullptr);

}  // namespace strata::cli
