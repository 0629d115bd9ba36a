#include "strata/autogen/scratch.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "strata/dialect/dialect.hpp"

namespace strata::autogen {
namespace {
namespace fs = std::filesystem;

std::string scratch_name() {
  std::random_device seed;
  return fmt::format("strata_verify_{}_{:08x}", ::getpid(), seed());
}

// A server database, or a file in the temporary folder where the backend's databases are
// files (SQLite): a file, not memory, so that the runner and the inspector can each have a
// connection.
bool on_server(const Url& url) {
  return !Dialect::of(url.backend()).create_database_sql("x").empty();
}

Url make(const Url& like, const std::string& name) {
  if (!on_server(like)) return like.with_database((fs::temp_directory_path() / name).string());
  create_engine(like).connect().execute_script(
      Dialect::of(like.backend()).create_database_sql(name));
  return like.with_database(name);
}

}  // namespace

ScratchDatabase::ScratchDatabase(const Url& like)
    : server_(like),
      name_(scratch_name() + (on_server(like) ? "" : ".db")),
      url_(make(like, name_)),
      engine_(create_engine(url_)) {}

ScratchDatabase::~ScratchDatabase() {
  engine_.dispose();  // its connections would keep the database open
  if (!on_server(server_)) {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm"}) {
      fs::remove(url_.database() + suffix, ignored);
    }
    return;
  }
  try {
    create_engine(server_).connect().execute_script(
        Dialect::of(server_.backend()).drop_database_sql(name_));
  } catch (const std::exception&) {
    // Left behind (the server went away): its name says what it was, for a manual DROP.
  }
}

}  // namespace strata::autogen
