// Runs the built `backend` binary as an operator would: `backend db ...` to completion, and
// `backend serve` as a server the test talks to over loopback and stops with SIGTERM. Each runs
// in a project folder (holding strata.toml) with an environment free of the caller's
// DATABASE_URL.
#pragma once

#include <httplib.h>
#include <signal.h>
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace strata::test {

using Environment = std::map<std::string, std::string>;

struct Finished {
  int status = -1;
  std::string out;
  std::string err;
};

// Runs `backend ARGS` in `dir` and waits for it.
Finished run_backend(const std::filesystem::path& dir, const std::vector<std::string>& args,
                     const Environment& env = {});

// A running `backend serve --port 0 ...`. The constructor returns once the server printed the
// port it listens on, or once it exited (then running() is false and exit_status() says why).
// The destructor kills a server still running. One thread at a time.
class BackendServer {
 public:
  BackendServer(const std::filesystem::path& dir, std::vector<std::string> args,
                const Environment& env = {});
  ~BackendServer();
  BackendServer(const BackendServer&) = delete;
  BackendServer& operator=(const BackendServer&) = delete;

  bool running() const { return port_ != 0 && !status_; }
  int port() const { return port_; }
  // For a test that signals the server itself and bounds its wait for the exit.
  pid_t pid() const { return pid_; }
  // A keep-alive client of this server.
  std::unique_ptr<httplib::Client> client() const;

  // Sends `signal`, then waits; returns the exit status (128 + signal when killed by one).
  // Destroy the clients first: the server lets an idle keep-alive connection wait for its next
  // request up to the keep-alive timeout (5 s) before it exits.
  int stop(int signal = SIGTERM);
  // The exit status of a server that exited by itself (waits for it).
  int exit_status();
  // What the server logged on stderr so far.
  std::string log() const;

 private:
  int wait();

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int port_ = 0;
  std::optional<int> status_;
  std::filesystem::path log_file_;
};

}  // namespace strata::test
