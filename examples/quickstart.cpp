// The smallest useful strata program: read strata.toml (or DATABASE_URL), open the database,
// make a table, write a row in a transaction and read the rows back. `make build` (or
// `cmake --build build --target quickstart`) builds it as build/examples/quickstart; nothing
// runs it for you. Run from the repository's root, it uses strata.toml's SQLite file
// data/app.db; elsewhere, or to keep it apart, give it a URL:
//   DATABASE_URL=sqlite:////tmp/quickstart.db build/examples/quickstart
#include <cstdio>
#include <strata/strata.hpp>

int main() try {
  auto config = strata::Config::resolve();
  auto engine = strata::create_engine(config);
  std::printf("database: %s\n", engine.url().masked().c_str());

  auto conn = engine.connect();
  conn.execute_script(
      "CREATE TABLE IF NOT EXISTS visits ("
      "  id INTEGER PRIMARY KEY, note TEXT NOT NULL, at TEXT NOT NULL)");
  auto tx = conn.begin_immediate();
  conn.execute("INSERT INTO visits (note, at) VALUES (:note, CURRENT_TIMESTAMP)",
               {{"note", "quickstart ran"}});
  tx.commit();

  auto count = conn.execute("SELECT count(*) FROM visits").scalar<std::int64_t>();
  std::printf("%lld visits so far; the latest:\n", static_cast<long long>(count));
  for (const auto& row :
       conn.execute("SELECT id, note, at FROM visits ORDER BY id DESC LIMIT ?", 3)) {
    std::printf("  #%lld %s at %s\n", static_cast<long long>(row.get<std::int64_t>("id")),
                row.get<std::string>("note").c_str(), row.get<std::string>("at").c_str());
  }
  return 0;
} catch (const strata::Error& e) {
  std::fprintf(stderr, "quickstart: %s\n", e.what());
  return 1;
}
