#include "app/http/server.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <csignal>
#include <thread>
#include <vector>

#include "app/http/connection.hpp"
#include "app/http/dispatch.hpp"

namespace backend::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// File descriptors kept for the database, logs and the listening socket.
constexpr std::size_t kReservedFiles = 64;
// After accept() fails (out of descriptors), wait before trying again instead of spinning.
constexpr std::chrono::milliseconds kAcceptRetry{50};

// Raises the soft open-file limit to the hard one and fits `wanted` connections under it.
std::size_t fit_connections(std::size_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return wanted;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur <= kReservedFiles) return wanted;
  return std::min<std::size_t>(wanted, limit.rlim_cur - kReservedFiles);
}

unsigned thread_count(unsigned configured) {
  if (configured > 0) return configured;
  return std::max(8U, 4 * std::max(1U, std::thread::hardware_concurrency()));
}

}  // namespace

Response Context::answer(Request& request) const {
  try {
    return dispatch(router, cors, request);
  } catch (const std::exception& e) {
    // The API's handlers catch their own; this is the last line for anything else.
    spdlog::error("{} {}: {}", request.method, request.path, e.what());
    return Response::error(500, "Internal Server Error");
  }
}

struct Server::State {
  State(Router router, Limits limits, Cors cors)
      : context{std::move(router), limits, std::move(cors)} {}

  Context context;
  asio::io_context io;
  // The acceptor, its retry timer and the signals are used from whichever I/O thread runs a
  // handler: one strand keeps stop() from closing the acceptor while on_accept uses it.
  asio::strand<asio::io_context::executor_type> strand{io.get_executor()};
  tcp::acceptor acceptor{strand};
  asio::steady_timer retry{strand};
  asio::signal_set signals{strand, SIGTERM, SIGINT};

  void accept();
  void on_accept(boost::system::error_code ec, tcp::socket socket);
  void stop(int signal);
};

void Server::State::accept() {
  acceptor.async_accept(asio::make_strand(io),
                        [this](auto ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void Server::State::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
  if (ec) {
    spdlog::warn("accept: {}; retrying", ec.message());
    retry.expires_after(kAcceptRetry);
    retry.async_wait([this](auto wait_ec) {
      if (!wait_ec) accept();
    });
    return;
  }
  bool full = context.open.load(std::memory_order_relaxed) >= context.limits.max_connections;
  auto connection = std::make_shared<Connection>(std::move(socket), context, !full);
  full ? connection->turn_away() : connection->start();
  accept();
}

void Server::State::stop(int signal) {
  spdlog::info("{}: finishing the requests in flight", signal == SIGINT ? "SIGINT" : "SIGTERM");
  context.stopping = true;
  boost::system::error_code ignored;
  acceptor.close(ignored);
  retry.cancel();
  // The last owner of a connection may be the copy made here: its destructor takes the mutex,
  // so the copies are made under the lock and dropped after it.
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(context.mutex);
    for (auto& [raw, weak] : context.live) {
      if (auto connection = weak.lock()) open.push_back(std::move(connection));
    }
  }
  for (auto& connection : open) {
    asio::post(connection->executor(), [connection] { connection->stop_if_idle(); });
  }
}

Server::Server(Router router, Limits limits, Cors cors)
    : state_(std::make_unique<State>(std::move(router), limits, std::move(cors))) {}

Server::~Server() = default;

int Server::run(const Listen& where, const std::function<void(int port)>& listening) {
  auto& s = *state_;
  s.context.limits.max_connections = fit_connections(s.context.limits.max_connections);
  boost::system::error_code ec;
  auto address = asio::ip::make_address(where.host, ec);
  tcp::endpoint endpoint(address, static_cast<unsigned short>(where.port));
  if (!ec) s.acceptor.open(endpoint.protocol(), ec);
  if (!ec) s.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(endpoint, ec);
  if (!ec) s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    spdlog::error("cannot listen on {}:{}: {}", where.host, where.port, ec.message());
    return 1;
  }
  listening(s.acceptor.local_endpoint().port());
  s.signals.async_wait([&s](auto wait_ec, int signal) {
    if (!wait_ec) s.stop(signal);
  });
  s.accept();
  unsigned threads = thread_count(s.context.limits.threads);
  spdlog::info("{} I/O threads, at most {} connections", threads, s.context.limits.max_connections);
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&s] { s.io.run(); });
  s.io.run();
  for (auto& thread : pool) thread.join();
  return 0;
}

}  // namespace backend::http
