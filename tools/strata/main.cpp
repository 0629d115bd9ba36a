// The standalone `strata` command line; everything is in strata::cli::run.
#include <strata/cli/cli.hpp>

int main(int argc, char** argv) {
  return strata::cli::run(argc, argv);
}
