#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <limits>

#include "support/backends.hpp"

namespace strata::test {
namespace {

template <class E, class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "no error";
}

// Whether `f` throws UsageError. A DatabaseError instead fails the test: handlers of database
// failures (catch (const DatabaseError&), retries) must never see a misuse of the API.
template <class F>
bool usage_error(F&& f) {
  try {
    f();
  } catch (const DatabaseError& e) {
    ADD_FAILURE() << "a DatabaseError: " << e.what();
  } catch (const UsageError&) {
    return true;
  }
  return false;
}

class Errors : public DatabaseTest {};

// Each call is refused before anything reaches the database; the connection stays usable.
TEST_P(Errors, MisuseIsAUsageErrorNotADatabaseError) {
  auto engine = make_engine();
  auto conn = engine.connect();
  EXPECT_TRUE(usage_error([&] { conn.execute("SELECT ?", 1, 2); }));
  EXPECT_TRUE(usage_error([&] { conn.execute("SELECT :a", {{"b", 1}}); }));
  {
    auto none = conn.execute("SELECT 1 WHERE 1 = 0");
    EXPECT_TRUE(usage_error([&] { none.row(); }));
    auto one = conn.execute("SELECT CAST(NULL AS BIGINT) AS n");
    EXPECT_TRUE(usage_error([&] { one.row().get<std::int64_t>("n"); }));
    EXPECT_TRUE(usage_error([&] { one.row().get<std::int64_t>("missing"); }));
  }
  auto tx = conn.begin();
  tx.commit();
  EXPECT_TRUE(usage_error([&] { tx.commit(); }));
  conn.execute_script("BEGIN");
  EXPECT_TRUE(usage_error([&] { conn.begin(); }));
  conn.execute_script("ROLLBACK");
  EXPECT_EQ(conn.execute("SELECT 2").scalar<int>(), 2);
  conn.close();
  EXPECT_TRUE(usage_error([&] { conn.execute("SELECT 1"); }));
}

TEST_P(Errors, SyntaxErrorIsProgrammingErrorWithStatement) {
  auto conn = make_engine().connect();
  // Twice: PostgreSQL sends a statement's text the first time and prepares it the second.
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      conn.execute("SELEC 1");
      FAIL();
    } catch (const ProgrammingError& e) {
      EXPECT_EQ(e.statement(), "SELEC 1");
      EXPECT_EQ(e.code(), is_sqlite() ? "SQLITE_ERROR" : "42601");
      EXPECT_NE(std::string(e.what()).find("syntax error"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(conn.execute("SELECT * FROM no_such_table"), ProgrammingError);
}

TEST_P(Errors, UniqueViolationIsIntegrityError) {
  auto conn = make_engine().connect();
  conn.execute_script("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE)");
  conn.execute("INSERT INTO users (id, email) VALUES (1, ?)", "a@example.com");
  try {
    conn.execute("INSERT INTO users (id, email) VALUES (2, ?)", "a@example.com");
    FAIL();
  } catch (const IntegrityError& e) {
    EXPECT_EQ(e.code(), is_sqlite() ? "SQLITE_CONSTRAINT_UNIQUE" : "23505");
    EXPECT_EQ(e.sqlstate(), is_sqlite() ? "" : "23505");
    EXPECT_NE(std::string(e.what()).find("INSERT INTO users"), std::string::npos);
  }
  EXPECT_EQ(conn.execute("SELECT count(*) FROM users").scalar<int>(), 1);
}

// A failing multi-row statement can run to many kilobytes: the message shows its start, cut
// between characters, and the error's statement() keeps all of it.
TEST_P(Errors, ALongStatementIsCutInTheMessageAndKeptWhole) {
  auto conn = make_engine().connect();
  std::string sql = "SELECT '" + std::string(291, 'a') + "\u00e9' FROM no_such_table WHERE 1 IN (";
  for (int i = 0; i < 2000; ++i) sql += (i ? ", " : "") + std::to_string(i);
  sql += ")";
  try {
    conn.execute(sql);
    FAIL();
  } catch (const DatabaseError& e) {
    std::string message = e.what();
    EXPECT_EQ(e.statement(), sql);
    EXPECT_LT(message.size(), 700u) << message;
    EXPECT_NE(message.find("no_such_table"), std::string::npos) << message;
    EXPECT_NE(message.find(std::string(291, 'a') + "... (" + std::to_string(sql.size() - 299) +
                           " more characters)"),
              std::string::npos)
        << message;
  }
}

TEST_P(Errors, NarrowIntegersRefuseValuesThatDoNotFit) {
  auto conn = make_engine().connect();
  auto result =
      conn.execute("SELECT CAST(? AS BIGINT), CAST(? AS BIGINT)", std::int64_t{1} << 40, -1);
  EXPECT_THROW(result.row().get<int>(0), DataError);
  EXPECT_THROW(result.row().get<std::uint8_t>(1), DataError);
  EXPECT_EQ(result.row().get<std::int64_t>(0), std::int64_t{1} << 40);
  EXPECT_EQ(result.row().get<std::int8_t>(1), -1);
}

STRATA_ON_BOTH_BACKENDS(Errors);

TEST(SqliteErrors, MissingParentFolderIsCreated) {
  auto dir = std::filesystem::temp_directory_path() / ("strata-mk-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  auto engine = create_engine("sqlite:///" + (dir / "a" / "b" / "app.db").string());
  engine.connect().execute_script("CREATE TABLE t (x INTEGER)");
  EXPECT_TRUE(std::filesystem::exists(dir / "a" / "b" / "app.db"));
  std::filesystem::remove_all(dir);
}

TEST(SqliteErrors, FolderThatCannotBeCreatedNamesPathAndReason) {
  auto dir = std::filesystem::temp_directory_path() / ("strata-nf-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "file") << "not a folder";
  auto path = (dir / "file" / "sub" / "app.db").string();
  auto message = error_of<OperationalError>([&] { create_engine("sqlite:///" + path).connect(); });
  EXPECT_NE(message.find("cannot create folder"), std::string::npos) << message;
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("Not a directory"), std::string::npos) << message;
  std::filesystem::remove_all(dir);
}

// Root ignores permissions, so the attempt runs in a child that has given up root.
TEST(SqliteErrors, ReadOnlyFolderNamesPathAndReason) {
  auto dir = std::filesystem::temp_directory_path() / ("strata-ro-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "ro");
  std::filesystem::permissions(dir, std::filesystem::perms::all);
  std::filesystem::permissions(
      dir / "ro", std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec |
                      std::filesystem::perms::others_read | std::filesystem::perms::others_exec);
  auto path = (dir / "ro" / "app.db").string();
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(3);
    std::string message =
        error_of<OperationalError>([&] { create_engine("sqlite:///" + path).connect(); });
    auto written = ::write(fds[1], message.data(), message.size());
    ::_exit(written < 0 ? 4 : 0);
  }
  ::close(fds[1]);
  std::string message;
  char buffer[512];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) message.append(buffer, n);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("is not writable (Permission denied)"), std::string::npos) << message;
  EXPECT_FALSE(std::filesystem::exists(path));
  std::filesystem::remove_all(dir);
}

TEST(SqliteErrors, FileThatIsNotADatabase) {
  auto path = std::filesystem::temp_directory_path() / ("strata-nd-" + std::to_string(::getpid()));
  std::ofstream(path) << std::string(4096, 'x');
  try {
    create_engine("sqlite:///" + path.string()).connect();
    FAIL();
  } catch (const OperationalError& e) {
    EXPECT_EQ(e.code(), "SQLITE_NOTADB");
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not a database"), std::string::npos) << e.what();
  }
  std::ifstream in(path);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), std::string(4096, 'x'));
  std::filesystem::remove(path);
}

TEST(SqliteErrors, BadDriverParametersAreConfigErrors) {
  EXPECT_THROW(create_engine("sqlite:///x.db?journal_mode=fast"), ConfigError);
  EXPECT_THROW(create_engine("sqlite:///x.db?busy_timeout=-1"), ConfigError);
  EXPECT_THROW(create_engine("postgresql://h/d?sslmode=always"), ConfigError);
  EXPECT_THROW(create_engine("postgresql://h/d?connect_timeout=x"), ConfigError);
}

class PostgresErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* skip = std::getenv("STRATA_SKIP_POSTGRES");
    if (skip && std::string(skip) == "1") GTEST_SKIP() << "STRATA_SKIP_POSTGRES=1";
    ASSERT_FALSE(postgres_server_url().empty()) << "run through `make test`";
    server_ = Url::parse(postgres_server_url());
  }
  std::string fmt_url(const std::string& user, const std::string& password) const {
    return "postgresql://" + user + ":" + password + "@" + server_.host() + ":" +
           std::to_string(*server_.port()) + "/postgres";
  }
  Url server_ = Url::parse("sqlite://");
};

TEST_F(PostgresErrors, UnreachableServer) {
  auto message = error_of<OperationalError>([] {
    create_engine("postgresql://app:hunter2@127.0.0.1:1/app?connect_timeout=2").connect();
  });
  EXPECT_NE(message.find("cannot connect to postgresql://app:***@127.0.0.1:1/app"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("Connection refused"), std::string::npos) << message;
  EXPECT_EQ(message.find("hunter2"), std::string::npos);
}

TEST_F(PostgresErrors, WrongPassword) {
  auto url = fmt_url("strata_pw", "wrong-password");
  auto message = error_of<OperationalError>([&] { create_engine(url).connect(); });
  EXPECT_NE(message.find("password authentication failed"), std::string::npos) << message;
  EXPECT_NE(message.find("strata_pw:***@"), std::string::npos) << message;
  EXPECT_EQ(message.find("wrong-password"), std::string::npos) << message;
  EXPECT_EQ(
      create_engine(fmt_url("strata_pw", "secret")).connect().execute("SELECT 1").scalar<int>(), 1);
}

TEST_F(PostgresErrors, PasswordNeverAppearsInStatementErrors) {
  auto conn = create_engine(fmt_url("strata_pw", "secret")).connect();
  try {
    conn.execute("SELEC 1");
    FAIL();
  } catch (const DatabaseError& e) {
    EXPECT_EQ(std::string(e.what()).find("secret"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("strata_pw:***@"), std::string::npos) << e.what();
  }
}

// PostgreSQL sends numbers as text: what is not a 64-bit integer is refused, naming the column,
// and the extremes and bool columns read exactly.
TEST_F(PostgresErrors, TextThatIsNotAnIntegerIsRefused) {
  auto conn = create_engine(postgres_server_url()).connect();
  auto result = conn.execute(
      "SELECT '12x'::text AS a, '1.5'::numeric AS b, "
      "'9223372036854775808'::numeric AS c, '-9223372036854775809'::numeric AS d, "
      "''::text AS e, '-'::text AS f, '-9223372036854775808'::int8 AS g, "
      "true AS h, ' 7'::text AS i, 2.5::float8 AS j, 'x'::text AS k");
  auto row = result.row();
  for (int column : {0, 1, 2, 3, 4, 5, 8}) {
    auto message = error_of<DataError>([&] { (void)row.get<std::int64_t>(column); });
    EXPECT_NE(message.find("is not an integer"), std::string::npos) << message;
  }
  EXPECT_NE(error_of<DataError>([&] { (void)row.get<std::int64_t>(0); }).find("('a')"),
            std::string::npos);
  EXPECT_EQ(row.get<std::int64_t>(6), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(row.get<std::int64_t>(7), 1);
  EXPECT_TRUE(row.get<bool>(7));
  EXPECT_EQ(row.get<double>(9), 2.5);
  EXPECT_NE(error_of<DataError>([&] { (void)row.get<double>(10); }).find("is not a number"),
            std::string::npos);
}

TEST_F(PostgresErrors, MissingDatabase) {
  auto url = "postgresql://postgres@" + server_.host() + ":" + std::to_string(*server_.port()) +
             "/no_such_db";
  auto message = error_of<OperationalError>([&] { create_engine(url).connect(); });
  EXPECT_NE(message.find("no_such_db"), std::string::npos) << message;
}

}  // namespace
}  // namespace strata::test

namespace strata::test {
namespace {

TEST(SqliteDriver, DefaultPragmasAndOverrides) {
  auto dir =
      std::filesystem::temp_directory_path() / ("strata-pragma-" + std::to_string(::getpid()));
  auto path = (dir / "app.db").string();
  {
    auto conn = create_engine("sqlite:///" + path).connect();
    EXPECT_EQ(conn.execute("PRAGMA foreign_keys").scalar<int>(), 1);
    EXPECT_EQ(conn.execute("PRAGMA busy_timeout").scalar<int>(), 5000);
    EXPECT_EQ(conn.execute("PRAGMA journal_mode").scalar<std::string>(), "wal");
    EXPECT_EQ(conn.execute("PRAGMA synchronous").scalar<int>(), 1);  // NORMAL
  }
  auto conn =
      create_engine("sqlite:///" + path +
                    "?journal_mode=delete&busy_timeout=250&foreign_keys=off&synchronous=full")
          .connect();
  EXPECT_EQ(conn.execute("PRAGMA foreign_keys").scalar<int>(), 0);
  EXPECT_EQ(conn.execute("PRAGMA busy_timeout").scalar<int>(), 250);
  EXPECT_EQ(conn.execute("PRAGMA journal_mode").scalar<std::string>(), "delete");
  EXPECT_EQ(conn.execute("PRAGMA synchronous").scalar<int>(), 2);  // FULL
  std::filesystem::remove_all(dir);
}

TEST(SqliteDriver, LockHeldBeyondBusyTimeoutIsOperationalError) {
  auto dir = std::filesystem::temp_directory_path() / ("strata-busy-" + std::to_string(::getpid()));
  auto engine = create_engine("sqlite:///" + (dir / "app.db").string() + "?busy_timeout=0");
  auto holder = engine.connect();
  holder.execute_script("CREATE TABLE t (x INTEGER)");
  auto held = holder.begin_immediate();
  auto other = engine.connect();
  try {
    auto tx = other.begin_immediate();
    FAIL() << "expected SQLITE_BUSY";
  } catch (const OperationalError& e) {
    EXPECT_EQ(e.code(), "SQLITE_BUSY");
    EXPECT_NE(std::string(e.what()).find("raise busy_timeout"), std::string::npos) << e.what();
  }
  held.rollback();
  EXPECT_NO_THROW(other.begin_immediate().commit());
  std::filesystem::remove_all(dir);
}

TEST_F(PostgresErrors, UnixSocketApplicationNameAndSslmode) {
  const char* socket_dir = std::getenv("STRATA_TEST_PG_SOCKET_DIR");
  ASSERT_NE(socket_dir, nullptr) << "run through `make test`";
  auto url = "postgresql://postgres@:" + std::to_string(*server_.port()) +
             "/postgres?host=" + socket_dir + "&application_name=strata-test&sslmode=disable";
  auto conn = create_engine(url).connect();
  EXPECT_EQ(conn.execute("SELECT current_setting('application_name')").scalar<std::string>(),
            "strata-test");
  EXPECT_EQ(conn.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = pg_backend_pid() "
                         "AND client_addr IS NULL")
                .scalar<int>(),
            1);  // a Unix socket has no client address
  auto require = fmt_url("postgres", "x") + "?sslmode=require";
  auto message = error_of<OperationalError>([&] { create_engine(require).connect(); });
  EXPECT_NE(message.find("SSL"), std::string::npos) << message;
}

}  // namespace
}  // namespace strata::test
