// Clients that hold connections open, on SQLite and PostgreSQL: slow heads (slowloris), slow
// bodies, idle connections, more connections than allowed, and a SIGTERM while some are open.
// The deadlines are set short through the environment; the test waits on sockets, never on a
// clock, so a slow machine makes it slower, not wrong.
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "backend/backend_fixture.hpp"
#include "backend/raw_http.hpp"

namespace strata::test {
namespace {

class BackendHostileClients : public BackendTest {};

// A request head cut short in a header value: the server has to wait for the rest.
constexpr const char* kPartialHead = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
// Between two dribbled bytes; far below every deadline the tests set, so only a deadline that
// counts from the first byte (not from the last) can expire while bytes keep coming.
constexpr int kDribbleMs = 50;

std::vector<RawConnection> open_partial(int port, int count) {
  std::vector<RawConnection> slow;
  for (int i = 0; i < count; ++i) {
    slow.emplace_back(port);
    EXPECT_TRUE(slow.back().connected() && slow.back().send(kPartialHead)) << "connection " << i;
  }
  return slow;
}

void expect_health_answered(int port) {
  auto health = round_trip(port, get_request("/health"));
  ASSERT_EQ(health.status, 200) << health.body;
}

TEST_P(BackendHostileClients, SlowHeadsDoNotStarveOthers) {
  auto server = start_migrated();
  ASSERT_TRUE(server->running());
  int port = server->port();
  auto slow = open_partial(port, 500);
  for (int i = 0; i < 3; ++i) expect_health_answered(port);
  // The slow ones are still served once their heads are complete.
  for (int i = 0; i < 500; i += 50) {
    slow[i].send("1\r\n\r\n");
    auto late = slow[i].read_response();
    ASSERT_TRUE(late) << "connection " << i;
    EXPECT_EQ(late->status, 200) << "connection " << i;
  }
}

TEST_P(BackendHostileClients, HeadsPastTheirDeadlineAre408AndClosed) {
  auto server = start_migrated({{"HTTP_HEADER_TIMEOUT", "0.5"}});
  ASSERT_TRUE(server->running());
  int port = server->port();
  auto slow = open_partial(port, 200);
  expect_health_answered(port);
  RawConnection dribbling(port);
  std::string head = get_request("/health", "X-Slow: " + std::string(200, 'a') + "\r\n");
  EXPECT_FALSE(dribbling.dribble(head, kDribbleMs)) << "the whole head went through";
  expect_error_then_close(dribbling, 408);
  for (std::size_t i = 0; i < slow.size(); ++i) {
    SCOPED_TRACE(fmt::format("connection {}", i));
    expect_error_then_close(slow[i], 408);
    if (HasFailure()) break;  // one report, not two hundred
  }
}

TEST_P(BackendHostileClients, ADribbledBodyIs408AndCommitsNothing) {
  auto server = start_migrated({{"HTTP_BODY_TIMEOUT", "0.5"}});
  ASSERT_TRUE(server->running());
  int port = server->port();
  std::string body = R"({"email": "slow@example.com"})" + std::string(150, ' ');
  RawConnection connection(port);
  auto request = body_request("POST", "/users", body);
  auto head_size = request.size() - body.size();
  ASSERT_TRUE(connection.send(request.substr(0, head_size)));
  EXPECT_FALSE(connection.dribble(body, kDribbleMs)) << "the whole body went through";
  expect_error_then_close(connection, 408);
  EXPECT_EQ(list_size(port, "/users"), 0);
}

TEST_P(BackendHostileClients, IdleConnectionsCloseWithoutAnswer) {
  auto server = start_migrated({{"HTTP_IDLE_TIMEOUT", "0.5"}});
  ASSERT_TRUE(server->running());
  int port = server->port();
  RawConnection silent(port);
  RawConnection kept_alive(port);
  kept_alive.send(get_request("/health"));
  auto first = kept_alive.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  for (auto* connection : {&silent, &kept_alive}) {
    EXPECT_TRUE(connection->wait_closed());
    EXPECT_EQ(connection->leftover(), "");
  }
}

// A keep-alive connection that has been answered once.
RawConnection answered_once(int port) {
  RawConnection connection(port);
  connection.send(get_request("/health"));
  auto answer = connection.read_response();
  EXPECT_EQ(answer ? answer->status : 0, 200);
  return connection;
}

TEST_P(BackendHostileClients, ConnectionsBeyondTheLimitAre503) {
  auto server = start_migrated({{"HTTP_MAX_CONNECTIONS", "5"}});
  ASSERT_TRUE(server->running());
  int port = server->port();
  std::vector<RawConnection> held;
  for (int i = 0; i < 5; ++i) held.push_back(answered_once(port));
  RawConnection sixth(port);
  ASSERT_TRUE(sixth.connected());
  // Answered at once: it sends nothing.
  expect_error_then_close(sixth, 503);

  // Once one of the five goes, a new connection is served; the server learns of the close
  // a moment later, so a few attempts may still meet the limit.
  held.pop_back();
  int status = 0;
  for (int attempt = 0; attempt < 1000 && status != 200; ++attempt) {
    status = round_trip(port, get_request("/health")).status;
  }
  EXPECT_EQ(status, 200);
  for (auto& connection : held) {
    connection.send(get_request("/health"));
    auto answer = connection.read_response();
    EXPECT_EQ(answer ? answer->status : 0, 200);
  }
}

std::int64_t count_users(Engine& engine) {
  auto conn = engine.connect();
  return conn.execute("SELECT count(*) FROM users").scalar<std::int64_t>();
}

// Waits up to kGuardMs for process `pid` to exit, leaving it for BackendServer to reap.
bool exits_in_time(pid_t pid) {
  // By number: this glibc declares pidfd_open without C linkage.
  auto fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return false;
  pollfd exited{fd, POLLIN, 0};
  bool done = ::poll(&exited, 1, kGuardMs) > 0;
  ::close(fd);
  return done;
}

// SIGTERM: an idle connection is closed at once, a request whose body is arriving is finished,
// no new connection is served, and the exit status is 0. The deadlines are long, so that only
// the shutdown itself can close the idle connection within the test's guard.
TEST_P(BackendHostileClients, SigtermClosesIdleConnectionsAndFinishesRequestsInFlight) {
  auto server = start_migrated({{"HTTP_IDLE_TIMEOUT", "30"}, {"HTTP_BODY_TIMEOUT", "30"}});
  ASSERT_TRUE(server->running());
  int port = server->port();
  auto idle = answered_once(port);
  std::string body = R"({"email": "late@example.com"})";
  auto request = body_request("POST", "/users", body);
  auto split = request.size() - body.size() / 2;
  RawConnection in_flight(port);
  ASSERT_TRUE(in_flight.send(request.substr(0, split)));
  // A round trip through the server, so that it has read the half request before the signal.
  expect_health_answered(port);

  ::kill(server->pid(), SIGTERM);
  EXPECT_TRUE(idle.wait_closed()) << "the idle connection stayed open";
  EXPECT_EQ(idle.leftover(), "");
  RawConnection late(port);
  EXPECT_FALSE(late.connected() && late.send(get_request("/health")) && late.read_response())
      << "a connection made after SIGTERM was served";
  in_flight.send(request.substr(split));
  auto finished = in_flight.read_response();
  EXPECT_EQ(finished ? finished->status : 0, 201);
  in_flight.shutdown_write();  // done sending: the server need not linger for more
  EXPECT_TRUE(in_flight.wait_closed());
  bool exited = exits_in_time(server->pid());
  EXPECT_TRUE(exited) << "still running after SIGTERM\n" << server->log();
  if (!exited) server->stop(SIGKILL);
  EXPECT_EQ(server->exit_status(), 0) << server->log();
  auto engine = make_engine();
  EXPECT_EQ(count_users(engine), 1);
}

}  // namespace

STRATA_ON_BOTH_BACKENDS(BackendHostileClients);

}  // namespace strata::test
