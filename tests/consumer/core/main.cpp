// An Engine-only program outside strata's tree: it links strata::core and nothing of the ORM,
// migrations or command line (their libraries must not be needed, see ../run).
#include <cstdio>
#include <strata/core.hpp>

int main() {
  auto engine = strata::create_engine("sqlite://");
  auto conn = engine.connect();
  auto answer = conn.execute("SELECT CAST(? AS INTEGER) + CAST(? AS INTEGER)", 40, 2).scalar<int>();
  std::printf("consumer ok: %d\n", answer);
  return answer == 42 ? 0 : 1;
}
