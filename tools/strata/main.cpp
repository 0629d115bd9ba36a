// The standalone `strata` command line; everything is in strata::cli::run.
#include <sqlite3.h>

#include <strata/cli/cli.hpp>

int main(int argc, char** argv) {
  // SQLite's allocation statistics take a process-wide mutex on every malloc and free; nothing
  // here reads them. A command applying DDL pays it hundreds of thousands of times (schema
  // reloads), so the binary turns them off before SQLite starts. The library leaves the
  // process's SQLite settings to the program that embeds it.
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  return strata::cli::run(argc, argv);
}
