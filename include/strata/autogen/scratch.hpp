// A throwaway database for `verify`: a SQLite file in the temporary folder, or a new
// PostgreSQL database on the server of a given URL; removed again when the object goes.
#pragma once

#include <string>

#include "strata/core/url.hpp"
#include "strata/engine/engine.hpp"

namespace strata::autogen {

// Owns the database it made; not copyable. One thread at a time.
class ScratchDatabase {
 public:
  // `like` names the backend and, for PostgreSQL, the server and credentials (its user needs
  // CREATEDB). Throws DatabaseError when the database cannot be made.
  explicit ScratchDatabase(const Url& like);
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  Engine& engine() noexcept { return engine_; }
  const Url& url() const noexcept { return url_; }

 private:
  Url server_;
  std::string name_;  // the database's name, or the file's
  Url url_;
  Engine engine_;
};

}  // namespace strata::autogen
