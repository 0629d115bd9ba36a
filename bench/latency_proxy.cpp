#include "latency_proxy.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <vector>

namespace strata::bench {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("latency proxy: " + what + ": " + std::strerror(errno));
}

void no_delay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int connect_to(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) {
    throw std::runtime_error("latency proxy: cannot resolve " + host);
  }
  int fd = -1;
  for (addrinfo* a = found; a && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) fail("cannot connect to " + host + ":" + std::to_string(port));
  no_delay(fd);
  return fd;
}

bool write_all(int fd, const std::vector<char>& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// One direction of a link: a reader stamps each chunk with the time it may leave, a writer
// sends the chunks in order once their time has come. An empty chunk stands for end of stream.
class Pipe {
 public:
  Pipe(int from, int to, std::chrono::microseconds delay) : from_(from), to_(to), delay_(delay) {
    reader_ = std::thread([this] { read_loop(); });
    writer_ = std::thread([this] { write_loop(); });
  }
  ~Pipe() {
    reader_.join();
    writer_.join();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  bool finished() const noexcept { return finished_; }

 private:
  struct Chunk {
    Clock::time_point due;
    std::vector<char> bytes;
  };

  void read_loop() {
    std::vector<char> buf(64 * 1024);
    for (;;) {
      ssize_t n = recv(from_, buf.data(), buf.size(), 0);
      if (n < 0 && errno == EINTR) continue;
      std::vector<char> bytes(buf.data(), buf.data() + std::max<ssize_t>(n, 0));
      push(Chunk{Clock::now() + delay_, std::move(bytes)});
      if (n <= 0) return;
    }
  }
  void write_loop() {
    bool open = true;
    for (;;) {
      Chunk chunk = pop();
      if (chunk.bytes.empty()) break;
      std::this_thread::sleep_until(chunk.due);
      if (open) open = write_all(to_, chunk.bytes);
    }
    shutdown(to_, SHUT_WR);  // the end of stream goes on too
    finished_ = true;
  }
  void push(Chunk chunk) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(chunk));
    }
    ready_.notify_one();
  }
  Chunk pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [this] { return !queue_.empty(); });
    Chunk chunk = std::move(queue_.front());
    queue_.pop_front();
    return chunk;
  }

  int from_;
  int to_;
  std::chrono::microseconds delay_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Chunk> queue_;  // guarded by mutex_
  std::atomic<bool> finished_ = false;
  std::thread reader_;
  std::thread writer_;
};

}  // namespace

// A client's socket and the upstream one, and the two pipes between them.
class LatencyProxy::Link {
 public:
  Link(int client, int server, std::chrono::microseconds delay)
      : client_(client),
        server_(server),
        up_(std::make_unique<Pipe>(client, server, delay)),
        down_(std::make_unique<Pipe>(server, client, delay)) {}
  ~Link() {
    shutdown(client_, SHUT_RDWR);  // wakes readers still blocked
    shutdown(server_, SHUT_RDWR);
    up_.reset();
    down_.reset();
    close(client_);
    close(server_);
  }
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;
  bool finished() const noexcept { return up_->finished() && down_->finished(); }

 private:
  int client_;
  int server_;
  std::unique_ptr<Pipe> up_;
  std::unique_ptr<Pipe> down_;
};

LatencyProxy::LatencyProxy(std::string upstream_host, std::uint16_t upstream_port,
                           std::chrono::microseconds delay)
    : host_(std::move(upstream_host)), upstream_port_(upstream_port), delay_(delay) {
  listener_ = socket(AF_INET, SOCK_STREAM, 0);
  if (listener_ < 0) fail("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(listener_, 64) != 0 ||
      getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(listener_);
    fail("listen on 127.0.0.1");
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

LatencyProxy::~LatencyProxy() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  shutdown(listener_, SHUT_RDWR);  // ends the blocked accept()
  acceptor_.join();
  close(listener_);
  std::lock_guard lock(mutex_);
  links_.clear();
}

void LatencyProxy::accept_loop() {
  for (;;) {
    int client = accept(listener_, nullptr, nullptr);
    std::lock_guard lock(mutex_);
    if (stopping_) {
      if (client >= 0) close(client);
      return;
    }
    if (client < 0) continue;
    no_delay(client);
    reap_finished();
    try {
      links_.push_back(std::make_unique<Link>(client, connect_to(host_, upstream_port_), delay_));
    } catch (const std::exception&) {
      close(client);  // the client sees the connection refused, and reports it
    }
  }
}

// Joins the threads of links both sides closed, so a long run does not pile them up.
void LatencyProxy::reap_finished() {
  links_.remove_if([](const std::unique_ptr<Link>& link) { return link->finished(); });
}

}  // namespace strata::bench
