// Autogenerate's comparison (reflect the database, compare with the models) over 500 tables of
// 10 columns that match the models, on SQLite and PostgreSQL. Baseline in the same run:
// Alembic 1.8's `alembic revision --autogenerate` on the same database (autogen_alembic.py,
// run with Debian's /usr/bin/python3). Goals: under 1 s on SQLite, and at least 10x faster
// than Alembic on both backends. Medians; the machine is shared, so read the ratios.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <strata/autogen/compare.hpp>
#include <strata/strata.hpp>
#include <string>

#include "schema_model.hpp"
#include "timing.hpp"

namespace {

constexpr int kTables = 500;
constexpr int kRounds = 5;
constexpr int kAlembicRounds = 3;

strata::MetaData model() {
  return bench_schema(kTables);
}

// Alembic's median seconds on `url`, or a negative number when it could not run.
double alembic_seconds(const std::string& url) {
  std::string command = "/usr/bin/python3 " STRATA_BENCH_DIR "/autogen_alembic.py '" + url + "' " +
                        std::to_string(kTables) + " " + std::to_string(kAlembicRounds) +
                        " 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  if (!pipe) return -1;
  std::array<char, 256> line{};
  double seconds = -1;
  int changes = -1;
  while (std::fgets(line.data(), line.size(), pipe.get())) {
    std::sscanf(line.data(), "alembic_seconds=%lf changes=%d", &seconds, &changes);
  }
  if (changes > 0) std::printf("  (Alembic reported %d changes on a matching schema)\n", changes);
  return seconds;
}

void run(const char* name, const std::string& url, double goal) {
  auto engine = strata::create_engine(url);
  auto md = model();
  md.drop_all(engine);
  md.create_all(engine);
  std::size_t differences = 0;
  auto t = strata::bench::interleaved(
      {[&] { differences = strata::autogen::compare(md, engine).describe().size(); }}, kRounds);
  if (differences != 0) std::printf("  (strata found %zu differences)\n", differences);
  double ours = t[0];
  double alembic = alembic_seconds(url);
  std::printf("%-11s compare %d tables: %.3f s (goal < %.1f s: %s)", name, kTables, ours, goal,
              ours < goal ? "met" : "MISSED");
  if (alembic > 0) {
    double ratio = alembic / ours;
    std::printf("; alembic revision --autogenerate %.3f s; %.1fx faster (goal >= 10x: %s)\n",
                alembic, ratio, ratio >= 10 ? "met" : "MISSED");
  } else {
    std::printf("; alembic: skipped (run scripts/bootstrap bench)\n");
  }
  md.drop_all(engine);
}

}  // namespace

int main() try {
  auto dir = std::filesystem::temp_directory_path() / "strata-autogen-bench";
  std::filesystem::create_directories(dir);
  run("sqlite:", "sqlite:///" + (dir / "bench.db").string(), 1.0);
  std::filesystem::remove_all(dir);
  const char* pg = std::getenv("STRATA_TEST_POSTGRES_URL");
  if (!pg) {
    std::printf("postgresql: skipped (STRATA_TEST_POSTGRES_URL not set; run `make bench`)\n");
    return 0;
  }
  run("postgresql:", pg, 1.0);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "autogen_bench: %s\n", e.what());
  return 1;
}
