// Result::row() on a temporary: the Row would read from a Result destroyed at the semicolon.
#include <strata/engine/connection.hpp>

int read(strata::Connection& conn) {
#ifdef STRATA_FIXED
  auto result = conn.execute("SELECT 1");
  auto row = result.row();
#else
  auto row = conn.execute("SELECT 1").row();
#endif
  return row.get<int>(0);
}
