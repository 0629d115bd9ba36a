#include "app/server.hpp"

#include <httplib.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <thread>

#include "app/api/endpoint.hpp"
#include "app/api/routes.hpp"

namespace backend {
namespace {

constexpr std::size_t kMaxBody = 1 << 20;  // 1 MiB; larger bodies get 413
// Enough for a load balancer's or a benchmark's pooled connections, without letting one
// client keep a worker forever (the idle timeout still closes quiet connections).
constexpr std::size_t kKeepAliveRequests = 100'000;
// How long an idle keep-alive connection waits for its next request. httplib lets it wait out
// this time after stop(), too, so it is also the longest a graceful stop takes beyond the
// requests in flight.
constexpr time_t kKeepAliveIdleSeconds = 5;
constexpr int kListenBacklog = 1024;

// httplib holds a worker for each open keep-alive connection while it waits for the next
// request, so the pool must exceed the connections clients keep open, not just the cores.
// The database pool, not this one, bounds the work in flight on the database.
std::size_t worker_count() {
  std::size_t cores = std::max(1U, std::thread::hardware_concurrency());
  return std::max<std::size_t>(64, 16 * cores);
}

// When this thread's request started, for the log line; the pre-routing handler sets it and
// the logger reads and clears it (requests rejected before routing have none).
thread_local std::optional<std::chrono::steady_clock::time_point> request_started;

void log_request(const httplib::Request& req, const httplib::Response& res) {
  double ms = 0;
  if (request_started) {
    ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                   *request_started)
             .count();
    request_started.reset();
  }
  spdlog::info("{} {} {} {:.2f}ms", req.method, req.path, res.status, ms);
}

void configure(httplib::Server& server, const db::Database& database) {
  std::size_t workers = worker_count();
  // httplib takes ownership of the queue it is given.
  server.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  server.set_keep_alive_max_count(kKeepAliveRequests);
  server.set_keep_alive_timeout(kKeepAliveIdleSeconds);
  server.set_payload_max_length(kMaxBody);
  // Headers and body go out in two writes; without NODELAY, Nagle's algorithm holds the body
  // back until the client's delayed ACK, 40 ms later.
  server.set_tcp_nodelay(true);
  server.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
    request_started = std::chrono::steady_clock::now();
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server.set_error_handler(httplib::Server::Handler(
      [](const httplib::Request&, httplib::Response& res) { api::fill_error_body(res); }));
  server.set_logger(log_request);
  api::add_routes(server, database);
  spdlog::info("{} workers, keep-alive up to {} requests per connection, {} database connections",
               workers, kKeepAliveRequests, database.engine().pool_status().size);
}

// Binds, and raises the listen backlog above httplib's compiled-in 5, which would drop the
// SYNs of clients opening many connections at once (a second's retransmit each). SO_REUSEPORT,
// which httplib sets by default, is left off: a second server on a busy port must fail.
std::optional<int> bind(httplib::Server& server, const Listen& where) {
  int listening = -1;
  server.set_socket_options([&listening](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listening = sock;
  });
  int port = where.port == 0 ? server.bind_to_any_port(where.host)
                             : (server.bind_to_port(where.host, where.port) ? where.port : -1);
  if (port < 0) return std::nullopt;
  ::listen(listening, kListenBacklog);  // Linux lets listen() again change the backlog
  return port;
}

// Waits for SIGTERM or SIGINT in its own thread and stops the server: in-flight requests
// finish, then listen_after_bind() returns.
class SignalWatcher {
 public:
  explicit SignalWatcher(httplib::Server& server) : thread_([this, &server] { watch(server); }) {}
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;
  // After the server stopped on its own: wakes the thread with the signal it waits for.
  ~SignalWatcher() {
    stopping_by_itself_ = true;
    if (!fired_) pthread_kill(thread_.native_handle(), SIGTERM);
    thread_.join();
  }

  // Blocks both signals in the calling thread and in every thread it starts later.
  static void block_signals() { pthread_sigmask(SIG_BLOCK, &signals(), nullptr); }

 private:
  static const sigset_t& signals() {
    static const sigset_t set = [] {
      sigset_t s;
      sigemptyset(&s);
      sigaddset(&s, SIGTERM);
      sigaddset(&s, SIGINT);
      return s;
    }();
    return set;
  }

  void watch(httplib::Server& server) {
    int signal = 0;
    sigwait(&signals(), &signal);
    fired_ = true;
    if (stopping_by_itself_) return;
    spdlog::info("{}: finishing the requests in flight", signal == SIGINT ? "SIGINT" : "SIGTERM");
    // A signal right after startup may come before listen_after_bind() runs, when stop()
    // would do nothing: wait for the server to be running (microseconds at most).
    while (!server.is_running() && !stopping_by_itself_) std::this_thread::yield();
    server.stop();
  }

  std::atomic<bool> fired_{false};
  std::atomic<bool> stopping_by_itself_{false};
  std::thread thread_;  // last: starts once the flags exist
};

}  // namespace

int serve(const db::Database& database, const Listen& where) {
  SignalWatcher::block_signals();
  httplib::Server server;
  configure(server, database);
  auto port = bind(server, where);
  if (!port) {
    spdlog::error("cannot listen on {}:{}: {}", where.host, where.port, std::strerror(errno));
    return 1;
  }
  std::printf("listening on http://%s:%d\n", where.host.c_str(), *port);
  std::fflush(stdout);
  spdlog::info("listening on http://{}:{}", where.host, *port);
  bool clean = false;
  {
    SignalWatcher watcher(server);
    clean = server.listen_after_bind();  // returns after stop(), once the workers are done
  }
  auto pool = database.engine().pool_status();
  spdlog::info("stopped; database pool: {} open, {} checked out", pool.open, pool.checked_out);
  database.engine().dispose();
  return clean ? 0 : 1;
}

}  // namespace backend
