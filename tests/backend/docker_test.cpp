// No Docker engine runs where the tests do, so the container files are checked as data: the
// compose file's services, volumes and environment, and the Dockerfile's stages, user and
// runtime libraries. (The start sequence itself, migrate then serve on a file in a data folder,
// runs for real in startup_test.cpp.)
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <strata/core/url.hpp>
#include <string>

namespace {

const std::string kRoot = STRATA_SOURCE_DIR;

// yaml-cpp leaves YAML merge keys (`<<: *anchor`) to the reader: apply them.
YAML::Node merged(const YAML::Node& node) {
  YAML::Node out(YAML::NodeType::Map);
  if (node["<<"]) {
    for (const auto& kv : node["<<"]) out[kv.first.as<std::string>()] = kv.second;
  }
  for (const auto& kv : node) {
    if (kv.first.as<std::string>() != "<<") out[kv.first.as<std::string>()] = kv.second;
  }
  return out;
}

std::set<std::string> keys(const YAML::Node& map) {
  std::set<std::string> out;
  for (const auto& kv : map) out.insert(kv.first.as<std::string>());
  return out;
}

std::vector<std::string> strings(const YAML::Node& list) {
  std::vector<std::string> out;
  for (const auto& v : list) out.push_back(v.as<std::string>());
  return out;
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class DockerCompose : public ::testing::Test {
 protected:
  YAML::Node compose = YAML::LoadFile(kRoot + "/docker-compose.yml");
  YAML::Node service(const std::string& name) { return merged(compose["services"][name]); }
};

TEST_F(DockerCompose, SqliteBackendKeepsItsFileInANamedVolume) {
  EXPECT_EQ(keys(compose["services"]),
            (std::set<std::string>{"backend", "postgres", "backend-postgres"}));
  auto backend = service("backend");
  EXPECT_FALSE(backend["profiles"]) << "the default service runs without a profile";
  EXPECT_EQ(backend["build"]["context"].as<std::string>(), ".");
  EXPECT_EQ(backend["build"]["dockerfile"].as<std::string>(), "backend/Dockerfile");
  EXPECT_EQ(backend["environment"]["DATABASE_URL"].as<std::string>(), "sqlite:////data/app.db");
  EXPECT_EQ(strings(backend["volumes"]), std::vector<std::string>{"app-data:/data"});
  EXPECT_TRUE(compose["volumes"]["app-data"]) << "app-data must be a named volume";
  EXPECT_EQ(strings(backend["ports"]), std::vector<std::string>{"8000:8000"});
  // The URL is one strata accepts: an absolute path inside the volume.
  auto url = strata::Url::parse(backend["environment"]["DATABASE_URL"].as<std::string>());
  EXPECT_EQ(url.database(), "/data/app.db");
}

TEST_F(DockerCompose, PostgresProfileRunsPostgres15AndPointsABackendAtIt) {
  auto postgres = service("postgres");
  EXPECT_EQ(postgres["image"].as<std::string>(), "postgres:15");
  EXPECT_EQ(strings(postgres["profiles"]), std::vector<std::string>{"postgres"});
  EXPECT_TRUE(postgres["healthcheck"]);
  auto env = postgres["environment"];

  auto backend = service("backend-postgres");
  EXPECT_EQ(strings(backend["profiles"]), std::vector<std::string>{"postgres"});
  EXPECT_EQ(backend["build"]["dockerfile"].as<std::string>(), "backend/Dockerfile");
  EXPECT_EQ(backend["depends_on"]["postgres"]["condition"].as<std::string>(), "service_healthy");
  auto url = strata::Url::parse(backend["environment"]["DATABASE_URL"].as<std::string>());
  EXPECT_EQ(url.backend(), strata::Backend::postgresql);
  EXPECT_EQ(url.host(), "postgres");  // the service's name on the compose network
  EXPECT_EQ(url.username(), env["POSTGRES_USER"].as<std::string>());
  EXPECT_EQ(url.password(), env["POSTGRES_PASSWORD"].as<std::string>());
  EXPECT_EQ(url.database(), env["POSTGRES_DB"].as<std::string>());
  EXPECT_TRUE(compose["volumes"]["pg-data"]);
}

// The Dockerfile's lines that start with `word`.
std::vector<std::string> lines(const std::string& dockerfile, const std::string& word) {
  std::vector<std::string> out;
  std::istringstream in(dockerfile);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(word + " ", 0) == 0) out.push_back(line);
  }
  return out;
}

TEST(Dockerfile, BuildsOnBookwormAndRunsOnSlimAsNonRoot) {
  auto dockerfile = read(kRoot + "/backend/Dockerfile");
  auto from = lines(dockerfile, "FROM");
  ASSERT_EQ(from.size(), 2U);
  EXPECT_EQ(from[0], "FROM debian:bookworm AS build");
  EXPECT_EQ(from[1], "FROM debian:bookworm-slim");
  auto user = lines(dockerfile, "USER");
  ASSERT_EQ(user.size(), 1U);
  EXPECT_NE(user[0], "USER root");
  EXPECT_NE(user[0], "USER 0");
  EXPECT_NE(dockerfile.find("DATABASE_URL=sqlite:////data/app.db"), std::string::npos);
  EXPECT_EQ(lines(dockerfile, "ENTRYPOINT"), std::vector<std::string>{R"(ENTRYPOINT ["backend"])"});
  // What the image copies from the context exists.
  for (const auto& copy : lines(dockerfile, "COPY")) {
    if (copy.find("--from") != std::string::npos) continue;
    std::istringstream words(copy.substr(5));
    std::string source;
    words >> source;
    EXPECT_TRUE(std::ifstream(kRoot + "/" + source) ||
                std::filesystem::is_directory(kRoot + "/" + source))
        << copy;
  }
}

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  std::array<char, 4096> buffer{};
  for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) {
    out.append(buffer.data(), n);
  }
  ::pclose(pipe);
  return out;
}

// Every shared library the built binary needs comes from a package the runtime stage installs
// (or from the base image): an image that builds but fails at `docker run` is caught here.
TEST(Dockerfile, RuntimeStageInstallsEveryLibraryTheBinaryNeeds) {
  auto dockerfile = read(kRoot + "/backend/Dockerfile");
  auto runtime = dockerfile.substr(dockerfile.find("FROM debian:bookworm-slim"));
  auto needed = run(std::string("objdump -p '") + BACKEND_PATH + "' | awk '/NEEDED/ {print $2}'");
  ASSERT_FALSE(needed.empty());
  // The base image has these; a sanitizer build links runtimes the image's build does not.
  const std::set<std::string> base{"libc6", "libstdc++6", "libgcc-s1", "libasan8", "libubsan1"};
  // strata opens libpq only when a PostgreSQL URL is used, so no NEEDED entry names it.
  EXPECT_TRUE(std::regex_search(runtime, std::regex("[ \\t]libpq5[ \\t\\n]")))
      << "the runtime stage must install libpq5, which strata loads for PostgreSQL URLs";
  std::istringstream libraries(needed);
  std::string patterns;
  std::set<std::string> unowned;
  for (std::string library; std::getline(libraries, library);) {
    patterns += " '*/" + library + "'";
    unowned.insert(library);
  }
  // One line per file: "libpq5:amd64: /lib/x86_64-linux-gnu/libpq.so.5".
  std::istringstream owners(run("dpkg -S" + patterns + " 2>/dev/null"));
  for (std::string line; std::getline(owners, line);) {
    if (line.find("/lib32/") != std::string::npos) continue;  // another architecture's copy
    auto package = line.substr(0, line.find(':'));
    auto library = line.substr(line.rfind('/') + 1);
    if (!unowned.erase(library) || base.count(package)) continue;
    EXPECT_TRUE(std::regex_search(runtime, std::regex("[ \\t]" + package + "[ \\t\\n]")))
        << library << " comes from " << package << ", which the runtime stage does not install";
  }
  EXPECT_TRUE(unowned.empty()) << *unowned.begin() << " belongs to no package";
}

}  // namespace
