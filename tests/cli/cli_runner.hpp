// Runs the built strata binary as a user would, in a project folder holding strata.toml and
// db/versions/, and captures its exit status, stdout and stderr.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace strata::test {

struct Outcome {
  int status;
  std::string out;
  std::string err;
};

// Runs `strata ARGS` in `dir` with `env` (NAME=value ...) added to a DATABASE_URL-free
// environment.
inline Outcome run_strata(const std::filesystem::path& dir, const std::string& args,
                          const std::string& env = "",
                          const std::string& program = STRATA_CLI_PATH) {
  std::string err_file = (dir / "stderr.txt").string();
  std::string command = "cd '" + dir.string() + "' && env -u DATABASE_URL " + env + " " + program +
                        " " + args + " 2>'" + err_file + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  std::string out;
  std::array<char, 4096> buffer{};
  for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) {
    out.append(buffer.data(), n);
  }
  int status = ::pclose(pipe);
  std::ifstream in(err_file);
  return {WEXITSTATUS(status), out, std::string((std::istreambuf_iterator<char>(in)), {})};
}

// Starts `strata --config DIR/strata.toml ARGS` without waiting for it, with stdout into `out`
// (a pipe's or a file's descriptor) and stderr into DIR/stderr.txt, in a DATABASE_URL-free
// environment: for a test that watches a run as it goes, and may kill it. -1 when it cannot.
inline pid_t start_strata(const std::filesystem::path& dir, std::vector<std::string> args,
                          int out) {
  args.insert(args.begin(), {STRATA_CLI_PATH, "--config", (dir / "strata.toml").string()});
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!std::string_view(*e).starts_with("DATABASE_URL=")) env.push_back(*e);
  }
  env.push_back(nullptr);
  std::string err = (dir / "stderr.txt").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out, STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

class CliRunner {
 public:
  // Writes strata.toml pointing at `url` with script_location "db".
  CliRunner(std::filesystem::path dir, const std::string& url) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_ / "db" / "versions");
    std::ofstream(dir_ / "strata.toml")
        << "[database]\nurl = \"" << url << "\"\n[migrations]\nscript_location = \"db\"\n";
  }

  void write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / "db" / "versions" / name) << text;
  }

  Outcome run(const std::string& args) const { return run_strata(dir_, args); }

 private:
  std::filesystem::path dir_;
};

}  // namespace strata::test
