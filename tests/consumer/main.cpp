// A program outside strata's tree, built against it the two ways users do.
#include <cstdio>
#include <strata/strata.hpp>

int main() {
  auto engine = strata::create_engine("sqlite://");
  auto conn = engine.connect();
  auto answer = conn.execute("SELECT CAST(? AS INTEGER) + CAST(? AS INTEGER)", 40, 2).scalar<int>();
  std::printf("consumer ok: %d\n", answer);
  return answer == 42 ? 0 : 1;
}
