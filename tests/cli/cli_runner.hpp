// Runs the built strata binary as a user would, in a project folder holding strata.toml and
// db/versions/, and captures its exit status, stdout and stderr.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

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
