#include "backend_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace strata::test {
namespace fs = std::filesystem;
namespace {

// A server that has not printed its port within this long is taken as hung. Generous: it
// bounds a failure, it does not measure anything.
constexpr int kStartupTimeoutMs = 60'000;

std::vector<std::string> environment(const Environment& extra) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    std::string name = entry.substr(0, entry.find('='));
    if (name == "DATABASE_URL" || name == "HOST" || name == "PORT" || extra.count(name)) continue;
    out.push_back(entry);
  }
  for (const auto& [name, value] : extra) out.push_back(name + "=" + value);
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int decode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Servers are started from several threads at once (the topology tests): a shared random
// engine raced there, and two servers could get one log file, each truncating the other's lines.
fs::path unique_file(const fs::path& dir, const std::string& stem) {
  static std::atomic<unsigned> next{0};
  return dir / (stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(next++) + ".txt");
}

// Starts `backend args` in `dir`: stdout to `out_fd` (a pipe or a file), stderr to `err_file`.
pid_t spawn(const fs::path& dir, const std::vector<std::string>& args, const Environment& env,
            int out_fd, const fs::path& err_file) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_file.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
  std::vector<std::string> argv_strings{BACKEND_PATH};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  auto env_strings = environment(env);
  auto argv = pointers(argv_strings);
  auto envp = pointers(env_strings);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, BACKEND_PATH, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(std::string("posix_spawn: ") + std::strerror(rc));
  return pid;
}

}  // namespace

Finished run_backend(const fs::path& dir, const std::vector<std::string>& args,
                     const Environment& env) {
  auto out_file = unique_file(dir, "stdout");
  auto err_file = unique_file(dir, "stderr");
  int out_fd = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = spawn(dir, args, env, out_fd, err_file);
  ::close(out_fd);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {decode(status), read_file(out_file), read_file(err_file)};
}

BackendServer::BackendServer(const fs::path& dir, std::vector<std::string> args,
                             const Environment& env)
    : log_file_(unique_file(dir, "server")) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_ = spawn(dir, args, env, fds[1], log_file_);
  ::close(fds[1]);
  out_fd_ = fds[0];
  // The first line says where it listens: "listening on http://127.0.0.1:PORT".
  std::string line;
  char c = 0;
  while (line.find('\n') == std::string::npos) {
    pollfd p{out_fd_, POLLIN, 0};
    if (::poll(&p, 1, kStartupTimeoutMs) <= 0) throw std::runtime_error("backend did not start");
    if (::read(out_fd_, &c, 1) != 1) break;  // exited before listening
    line += c;
  }
  auto colon = line.rfind(':');
  if (line.rfind("listening on http://", 0) == 0 && colon != std::string::npos) {
    port_ = std::stoi(line.substr(colon + 1));
  } else {
    wait();
  }
}

BackendServer::~BackendServer() {
  if (!status_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    wait();
  }
  if (out_fd_ >= 0) ::close(out_fd_);
}

std::unique_ptr<httplib::Client> BackendServer::client() const {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", port_);
  client->set_keep_alive(true);
  // A POST goes out as two writes, headers then body: without NODELAY the body waits for the
  // server's delayed ACK (40 ms).
  client->set_tcp_nodelay(true);
  client->set_read_timeout(60);
  return client;
}

int BackendServer::stop(int signal) {
  if (!status_) ::kill(pid_, signal);
  return wait();
}

int BackendServer::exit_status() {
  return wait();
}

int BackendServer::wait() {
  if (!status_) {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    status_ = decode(status);
  }
  return *status_;
}

std::string BackendServer::log() const {
  return read_file(log_file_);
}

}  // namespace strata::test
