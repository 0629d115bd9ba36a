// An application embedding the strata command line with its own models, as `backend db` does.
// STRATA_TEST_MODELS picks the models: "full" (every type and constraint kind) or "users".
#include <cstdlib>
#include <strata/cli/cli.hpp>
#include <string>

#include "support/full_model.hpp"

namespace {

strata::MetaData users_only() {
  strata::MetaData md;
  md.add(strata::Table("users", {strata::Column("id", strata::Type::biginteger()).primary_key(),
                                 strata::Column("email", strata::Type::string(320))}));
  return md;
}

}  // namespace

int main(int argc, char** argv) {
  const char* which = std::getenv("STRATA_TEST_MODELS");
  auto models = which && std::string(which) == "users" ? users_only() : strata::test::full_model();
  return strata::cli::run(argc, argv, "app", &models);
}
