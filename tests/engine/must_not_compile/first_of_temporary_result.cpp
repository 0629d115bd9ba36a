// Result::first() on a temporary: the Row would read from a Result destroyed at the semicolon.
#include <strata/engine/connection.hpp>

int read(strata::Connection& conn) {
#ifdef STRATA_FIXED
  auto result = conn.execute("SELECT 1");
  auto row = result.first();
#else
  auto row = conn.execute("SELECT 1").first();
#endif
  return row ? row->get<int>(0) : 0;
}
