// docs/operations.md against the revision-file parser: the page documents every operation and
// every key the parser accepts (operation_specs() and nested_specs() are the parser's own
// tables), describes no operation or key the parser does not know, and every YAML example of an
// operation parses.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "migrate/operation_parser.hpp"
#include "strata/core/error.hpp"

namespace strata::migrate::detail {
namespace {
namespace fs = std::filesystem;

// __FILE__ may be relative to the folder the compiler ran in (the build tree's root), which is
// the test binary's folder or one of its parents; the working directory may be anywhere.
fs::path find_doc() {
  fs::path relative = fs::path(__FILE__).parent_path() / "../../docs/operations.md";
  if (relative.is_absolute()) return relative.lexically_normal();
  std::error_code ec;
  for (fs::path start : {fs::current_path(ec), fs::read_symlink("/proc/self/exe", ec)}) {
    for (fs::path dir = start; !dir.empty(); dir = dir.parent_path()) {
      if (fs::is_regular_file(dir / relative, ec)) return (dir / relative).lexically_normal();
      if (dir == dir.parent_path()) break;
    }
  }
  return relative;
}

const fs::path kDoc = find_doc();

// A `### ` part of the page: the `## ` part it sits in, its heading, and what follows it.
struct Section {
  std::string part;
  std::string heading;
  std::vector<std::string> lines;
};

std::vector<Section> sections(const std::string& doc) {
  std::vector<Section> out;
  std::string part;
  std::istringstream in(doc);
  bool fenced = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("```")) fenced = !fenced;
    if (!fenced && line.starts_with("## ")) {
      part = line.substr(3);
    } else if (!fenced && line.starts_with("### ")) {
      out.push_back({part, line.substr(4), {}});
    } else if (!out.empty()) {
      out.back().lines.push_back(line);
    }
  }
  return out;
}

// "`create_table`" -> "create_table"; empty when the heading is not one name in backticks.
std::string code_name(const std::string& heading) {
  if (heading.size() < 3 || heading.front() != '`' || heading.back() != '`') return "";
  std::string name = heading.substr(1, heading.size() - 2);
  return name.find('`') == std::string::npos ? name : "";
}

// The keys of each table in a section: the first cells written as `key`.
std::vector<std::set<std::string>> key_tables(const Section& s) {
  std::vector<std::set<std::string>> out;
  bool in_table = false;
  for (const auto& line : s.lines) {
    if (!line.starts_with("|")) {
      in_table = false;
      continue;
    }
    if (!in_table) out.emplace_back();
    in_table = true;
    if (!line.starts_with("| `")) continue;
    auto end = line.find('`', 3);
    if (end != std::string::npos) out.back().insert(line.substr(3, end - 3));
  }
  return out;
}

// The YAML blocks of a section.
std::vector<std::string> yaml_blocks(const Section& s) {
  std::vector<std::string> out;
  bool inside = false;
  for (const auto& line : s.lines) {
    if (!inside && line == "```yaml") {
      inside = true;
      out.emplace_back();
    } else if (inside && line.starts_with("```")) {
      inside = false;
    } else if (inside) {
      out.back() += line + "\n";
    }
  }
  return out;
}

std::string joined(const std::set<std::string>& keys) {
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : ", ") + k;
  return out;
}

std::set<std::string> keys_of(const MapSpec& spec) {
  return {spec.keys.begin(), spec.keys.end()};
}

// Each operation has a section under `## Operations` whose first table lists exactly the keys
// the parser accepts; no section there names an operation the parser does not know.
void check_operations(const std::vector<Section>& all, std::vector<std::string>& problems) {
  std::set<std::string> documented;
  for (const auto& s : all) {
    if (s.part != "Operations") continue;
    std::string name = code_name(s.heading);
    const auto& specs = operation_specs();
    auto spec =
        std::find_if(specs.begin(), specs.end(), [&](const MapSpec& m) { return m.name == name; });
    if (spec == specs.end()) {
      problems.push_back("'### " + s.heading + "' names no operation the parser knows");
      continue;
    }
    documented.insert(name);
    auto tables = key_tables(s);
    auto keys = tables.empty() ? std::set<std::string>{} : tables.front();
    if (keys != keys_of(*spec)) {
      problems.push_back(name + ": the page lists the keys {" + joined(keys) +
                         "}, the parser accepts {" + joined(keys_of(*spec)) + "}");
    }
  }
  for (const auto& spec : operation_specs()) {
    if (!documented.count(std::string(spec.name))) {
      problems.push_back("the operation " + std::string(spec.name) + " has no '### `" +
                         std::string(spec.name) + "`' under '## Operations'");
    }
  }
}

// Each map inside operations (a column, its foreign_key, ...) has a table of exactly its keys
// under `## Inside operations`.
void check_nested(const std::vector<Section>& all, std::vector<std::string>& problems) {
  std::vector<std::set<std::string>> tables;
  for (const auto& s : all) {
    if (s.part != "Inside operations") continue;
    for (auto& t : key_tables(s)) tables.push_back(std::move(t));
  }
  for (const auto& spec : nested_specs()) {
    if (std::find(tables.begin(), tables.end(), keys_of(spec)) == tables.end()) {
      problems.push_back("no table under '## Inside operations' lists the keys of a " +
                         std::string(spec.name) + ": {" + joined(keys_of(spec)) + "}");
    }
  }
}

std::vector<std::string> problems_of(const std::string& doc) {
  auto all = sections(doc);
  std::vector<std::string> problems;
  check_operations(all, problems);
  check_nested(all, problems);
  return problems;
}

std::string read(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(OperationsDoc, DocumentsEveryOperationAndKeyTheParserAccepts) {
  std::string doc = read(kDoc);
  ASSERT_FALSE(doc.empty()) << kDoc << " is missing";
  ASSERT_GE(operation_specs().size(), 14u);
  for (const auto& problem : problems_of(doc)) ADD_FAILURE() << "docs/operations.md: " << problem;
}

TEST(OperationsDoc, AnOperationOrKeyTheParserDoesNotKnowFails) {
  std::string doc = read(kDoc);
  ASSERT_FALSE(doc.empty()) << kDoc << " is missing";
  std::string unknown_operation = doc;
  unknown_operation.insert(unknown_operation.find("### `drop_table`"),
                           "### `create_view`\n\n| key | required | meaning |\n|---|---|---|\n"
                           "| `name` | yes | the view |\n\n");
  auto problems = problems_of(unknown_operation);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("create_view"), std::string::npos) << problems[0];

  std::string unknown_key = doc;
  unknown_key.insert(unknown_key.find("| `new_name` | yes |"), "| `if_exists` | no | x |\n");
  problems = problems_of(unknown_key);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("if_exists"), std::string::npos) << problems[0];

  std::string missing_key = doc;
  auto row = missing_key.find("| `concurrently` |");
  missing_key.erase(row, missing_key.find('\n', row) + 1 - row);
  problems = problems_of(missing_key);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("concurrently"), std::string::npos) << problems[0];
}

// Each operation's examples parse, and show that operation.
TEST(OperationsDoc, EveryExampleParses) {
  auto all = sections(read(kDoc));
  Source source{kDoc};
  int examples = 0;
  for (const auto& s : all) {
    if (s.part != "Operations") continue;
    std::string name = code_name(s.heading);
    auto blocks = yaml_blocks(s);
    EXPECT_FALSE(blocks.empty()) << name << " has no example";
    for (const auto& block : blocks) {
      ++examples;
      yaml::Document document = load_document(block, source);
      const yaml::Node& list = document.root();
      ASSERT_TRUE(list.is_sequence()) << name << ": an example is a list of operations\n" << block;
      bool shows_it = false;
      for (const yaml::Node* item : list.items()) {
        try {
          for (const auto& op : parse_operation(*item, source, NamingConvention{})) {
            shows_it = shows_it || operation_name(op) == name;
          }
        } catch (const MigrationError& e) {
          ADD_FAILURE() << name << ": " << e.what() << "\n" << block;
        }
      }
      EXPECT_TRUE(shows_it) << "an example under " << name << " does not use it:\n" << block;
    }
  }
  EXPECT_GE(examples, 14);
}

}  // namespace
}  // namespace strata::migrate::detail
