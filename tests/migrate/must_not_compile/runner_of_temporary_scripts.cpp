// A Runner keeps a reference to its ScriptDirectory: made from a temporary one, it would run
// revisions freed at the semicolon.
#include <strata/migrate/runner.hpp>

std::size_t upgrade(const strata::Engine& engine) {
#ifdef STRATA_FIXED
  auto scripts = strata::migrate::ScriptDirectory::load("migrations");
  strata::migrate::Runner runner(engine, scripts);
#else
  strata::migrate::Runner runner(engine, strata::migrate::ScriptDirectory::load("migrations"));
#endif
  return runner.upgrade().size();
}
