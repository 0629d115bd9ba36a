// A TCP proxy that adds latency: it listens on 127.0.0.1 at a free port and forwards each
// connection to `upstream`, holding every chunk it reads for `delay` before writing it on, in
// order, in both directions (so a round trip gains twice `delay`). bench/peers_bench.cpp puts
// it between the clients and PostgreSQL to see what a network costs each library.
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace strata::bench {

// Owns its listening socket, its threads (two per direction of each connection) and the
// connections' sockets; the destructor closes them all and joins the threads. port() may be
// read from any thread; the rest is the owner's.
class LatencyProxy {
 public:
  LatencyProxy(std::string upstream_host, std::uint16_t upstream_port,
               std::chrono::microseconds delay);
  ~LatencyProxy();
  LatencyProxy(const LatencyProxy&) = delete;
  LatencyProxy& operator=(const LatencyProxy&) = delete;

  std::uint16_t port() const noexcept { return port_; }

  class Link;  // one proxied connection

 private:
  void accept_loop();
  void reap_finished();

  std::string host_;
  std::uint16_t upstream_port_;
  std::chrono::microseconds delay_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::mutex mutex_;
  bool stopping_ = false;                   // guarded by mutex_
  std::list<std::unique_ptr<Link>> links_;  // guarded by mutex_
  std::thread acceptor_;
};

}  // namespace strata::bench
