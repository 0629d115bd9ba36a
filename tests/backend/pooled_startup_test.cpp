// The service behind a transaction pooler: with DATABASE_URL marked pooled it serves through it,
// and `serve --migrate` and `backend db` migrate through STRATA_MIGRATION_URL, refusing to run
// without one in a line that says what to set. A SQLite URL cannot be marked pooled.
#include <strata/dialect/inspector.hpp>

#include "backend/backend_fixture.hpp"

namespace strata::test {
namespace {

class BackendPooled : public BackendTest {};

TEST_P(BackendPooled, MigrateGoesThroughTheMigrationUrl) {
  if (is_sqlite()) {
    auto refused = start({"--migrate"}, {{"DATABASE_URL", app_url("pgbouncer=true")}});
    EXPECT_EQ(refused->exit_status(), 2);
    EXPECT_NE(refused->log().find("a SQLite file has none: remove it"), std::string::npos)
        << refused->log();
    return;
  }
  Environment pooled{{"DATABASE_URL", app_url("pgbouncer=true")}};
  auto refused = start({"--migrate"}, pooled);
  EXPECT_EQ(refused->exit_status(), 2);
  for (const std::string& log : {refused->log(), db({"upgrade", "head"}, pooled).err}) {
    // DATABASE_URL came from the environment: strata.toml's [migrations] url would not apply.
    EXPECT_NE(log.find("is marked pooled (pgbouncer=true), and migrations need a direct "
                       "connection to the server: DATABASE_URL comes from the environment, so "
                       "set STRATA_MIGRATION_URL to one"),
              std::string::npos)
        << log;
  }
  EXPECT_TRUE(Inspector(make_engine()).table_names().empty());
  pooled["STRATA_MIGRATION_URL"] = url();
  auto server = start({"--migrate"}, pooled);
  ASSERT_TRUE(server->running()) << server->log();
  auto client = server->client();
  EXPECT_EQ(call(*client, "GET", "/health").json["at_head"], true);
  std::int64_t id = create_user(*client, "ann@example.com");
  EXPECT_EQ(call(*client, "GET", "/users/" + std::to_string(id)).status, 200);
  client.reset();
  EXPECT_EQ(server->stop(), 0) << server->log();
  auto current = db({"current"}, pooled);
  EXPECT_EQ(current.status, 0) << current.err;
}

STRATA_ON_BOTH_BACKENDS(BackendPooled);

}  // namespace
}  // namespace strata::test
