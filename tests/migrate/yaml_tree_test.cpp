// Revision files read by libyaml mean what they meant when yaml-cpp read them: the same tree,
// lines, scalar rules and messages, checked against yaml-cpp itself on hand-written texts and on
// many texts made by breaking revision files at random.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "migrate/yaml_cpp_reader.hpp"
#include "migrate/yaml_reader.hpp"
#include "migrate/yaml_scalars.hpp"
#include "strata/core/error.hpp"

namespace strata::migrate::detail {
namespace {

const std::filesystem::path kFile = "versions/x.yaml";

// A tree written out with every node's kind, line, column, quoting and text.
void describe(const yaml::Node& node, std::string& out, int depth = 0) {
  if (depth > 50) {
    out += "...";
    return;
  }
  static const char* kKinds[] = {"null", "scalar", "seq", "map"};
  out += kKinds[static_cast<int>(node.kind)];
  out += "@" + std::to_string(node.line);
  // A null written as nothing has yaml-cpp's line but not always its column.
  if (!node.is_null()) out += ":" + std::to_string(node.column);
  if (node.quoted) out += "!";
  if (node.is_scalar()) out += "'" + node.scalar + "'";
  if (node.is_map() || node.is_sequence()) {
    out += "(";
    for (const yaml::Node* child : node.items()) {
      describe(*child, out, depth + 1);
      out += " ";
    }
    out += ")";
  }
}

// What a reader makes of `text`: its tree, or its message.
template <class Load>
std::string outcome(std::string_view text, Load&& load) {
  Source source{kFile};
  try {
    yaml::Document document = load(text, source);
    std::string out;
    describe(document.root(), out);
    return out;
  } catch (const MigrationError& e) {
    return std::string("error: ") + e.what();
  }
}

std::string fast(std::string_view text) {
  return outcome(text, load_document);
}
std::string slow(std::string_view text) {
  return outcome(text, load_with_yaml_cpp);
}

const char* kRevision = R"yaml(revision: 3f2a9c1b7d4e
down_revision: [a1, 'b2']   # a merge
branch_labels:
depends_on: ~
message: "init \"x\""
created: 2025-09-26T12:00:00Z
transactional: yes
upgrade:
  - create_table:
      name: users
      columns:
        - {name: id, type: biginteger, primary_key: true}
        - {name: email, type: "numeric(10,2)", nullable: Off, server_default: 'on'}
        - name: note
          type: text
          server_default:
      indexes:
      - {name: ix, columns: [email], where: }
  - bulk_insert:
      table: users
      rows:
        - {id: 1, email: null, note: ''}
        - {id: 2.5, email: NULL, ~: x}
  - execute: &op
      sql: |
        UPDATE users
        SET note = 'x'
      sqlite: >
        folded
        text
downgrade:
  - *op
  - drop_table: {name: users}
)yaml";

// kRevision as most revision files are: no anchors, no aliases, no '?', each of which yaml-cpp
// reads instead of libyaml.
std::string plain_revision() {
  std::string text = kRevision;
  text.replace(text.find("&op"), 3, "");
  text.replace(text.find("*op"), 3, "drop_table: {name: t}");
  return text;
}

TEST(YamlTree, ReadsAsYamlCppRead) {
  std::vector<std::string> texts = {
      kRevision,
      plain_revision(),
      "",
      "# only a comment\n",
      "---\n",
      "---\nrevision: a\n...\n---\nrevision: b\n",
      "revision: a",
      "revision:",
      "revision:\n",
      "a:\n  b:\nc: 1",
      "- a\n-\n- c\n",
      "a: [1, , 2]\n",
      "a: {b, c: }\n",
      "a: !!str 5\nb: !!str\nc: ! plain\nd: !custom x\n",
      "a: &x 1\nb: *x\nc: &y {d: *x}\ne: *y\n",
      "? complex\n: value\n",
      "\xEF\xBB\xBFrevision: a\n",
      "a: 'it''s'\nb: \"tab\\there\"\nc: plain text # comment\n",
      "a:\n- 1\n- 2\nb: x\n",
      "a:\r\n  - 1\r\n  - 2\r\n",
      "key: value\n\n\n\nother:\n\n",
  };
  std::string crlf;
  for (char c : std::string(kRevision)) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  texts.push_back(crlf);
  texts.push_back(std::string(kRevision) +
                  "extra: \"caf\xC3\xA9\"\nnel: a\xC2\x85"
                  "b\nlone: \r");
  for (const auto& text : texts) EXPECT_EQ(fast(text), slow(text)) << text;
  // A '?', an anchor, a plain scalar over lines in a flow map: yaml-cpp reads these, alike.
  for (const char* text : {"a: {b: c?d}\n# why?\n", "a: &x [1]\nb: *x\n", "a: {b: c\n  d}\n"}) {
    EXPECT_FALSE(yaml::parse(text)) << text;
    EXPECT_EQ(fast(text), slow(text)) << text;
  }
}

// The texts libyaml refuses go to yaml-cpp, whose message is the one a user always had.
TEST(YamlTree, MessagesAreYamlCppMessages) {
  std::vector<std::string> texts = {
      "revision: a\nmessage: \"abc\nupgrade: []\n",
      "revision: a\nupgrade:\n  - execute: {sql: \"x}\n  - drop_table: {name: t}\n",
      "a: [1, 2\n",
      "a: {b: 1\n",
      "a: *nowhere\n",
      "a:\n\t- 1\n",
      "a: b: c\n",
      "a: 1\n a: 2\n",
      "a: 'x' y\n",
      "a: {name\n ix, b: c}\n",
  };
  for (const auto& text : texts) {
    EXPECT_EQ(fast(text), slow(text)) << text;
    EXPECT_EQ(fast(text).rfind("error: ", 0), 0u) << text;
  }
}

TEST(YamlTree, KeysTwiceQuotesAndAliasLoopsAreNamed) {
  EXPECT_EQ(fast("a: 1\nb: 2\na: 3\n"),
            "error: versions/x.yaml:3: key 'a' given twice (first at line 1); keep one");
  EXPECT_EQ(fast("a: {b: 1,\n    b: 2}\n"),
            "error: versions/x.yaml:2: key 'b' given twice (first at line 1); keep one");
  EXPECT_EQ(fast("a: 1\nb: 'open\nc: 2\n"),
            "error: versions/x.yaml:2: YAML syntax error: illegal EOF in scalar: the ' opened on "
            "this line is never closed; add the closing '");
  EXPECT_EQ(fast("a:\n  - &x {b: [*x]}\n"),
            "error: versions/x.yaml:2: an alias names a map or list it is inside; write it out");
  // A key given twice before the loop is named first, as the file reads.
  EXPECT_EQ(fast("a: &x {b: 1, b: 2, c: *x}\n"),
            "error: versions/x.yaml:1: key 'b' given twice (first at line 1); keep one");
  // Tabs between tokens are spaces; a tab that indents is yaml-cpp's to judge.
  EXPECT_EQ(fast("a:\t1\nb: [x,\ty]\n"), slow("a:\t1\nb: [x,\ty]\n"));
  EXPECT_EQ(fast("a:\n\tb: 1\n"), slow("a:\n\tb: 1\n"));
}

TEST(YamlScalars, BooleansAreYamlCppBooleans) {
  std::vector<std::string> words = {"y",   "n",    "yes", "no",    "true", "false", "on",
                                    "off", "1",    "0",   "",      "t",    "f",     "ye",
                                    "nO",  "tRUE", "yES", "maybe", "o"};
  for (const auto& word : words) {
    for (int form = 0; form < 3; ++form) {
      std::string text = word;
      if (form == 1 && !text.empty()) text[0] = static_cast<char>(std::toupper(text[0]));
      if (form == 2) {
        for (auto& c : text) c = static_cast<char>(std::toupper(c));
      }
      bool expected = false;
      bool decoded = YAML::convert<bool>::decode(YAML::Node(text), expected);
      auto ours = yaml::boolean_of(text);
      EXPECT_EQ(ours.has_value(), decoded) << text;
      if (ours && decoded) {
        EXPECT_EQ(*ours, expected) << text;
      }
    }
  }
  EXPECT_EQ(yaml::boolean_of("On"), true);
  EXPECT_EQ(yaml::boolean_of("NO"), false);
  EXPECT_EQ(yaml::boolean_of("oN"), std::nullopt);
}

TEST(YamlScalars, NullsAndKeys) {
  for (const char* text : {"", "~", "null", "Null", "NULL"}) EXPECT_TRUE(yaml::is_null_text(text));
  for (const char* text : {"nULL", "none", "nil", "''", "0"})
    EXPECT_FALSE(yaml::is_null_text(text));
  auto document = yaml::parse("{~: a, 'null': b, x: c, [l]: d, '': e}");
  ASSERT_TRUE(document);
  const yaml::Node& map = document->root();
  EXPECT_EQ(yaml::key_text(map.key(0)), "null");
  EXPECT_EQ(yaml::key_text(map.key(1)), "null");
  EXPECT_EQ(yaml::key_text(map.key(2)), "x");
  EXPECT_EQ(yaml::key_text(map.key(3)), std::nullopt);
  EXPECT_EQ(yaml::key_text(map.key(4)), "");
  // Only a scalar key is found by name, as yaml-cpp's map["null"] found only 'null'.
  EXPECT_EQ(map.find("null")->scalar, "b");
  EXPECT_TRUE(map.key(1).quoted);
  EXPECT_FALSE(map.value(2).quoted);
}

// Revision files broken at random, one to three characters at a time: wherever libyaml reads
// the text, the tree and every line are yaml-cpp's; wherever it does not, so is the message.
TEST(YamlTree, BrokenRevisionsReadAsYamlCppReadThem) {
  const std::string kBreakers = " \t\n:-{}[],'\"&*!#|>?~%@`\\0a";
  const std::string base = plain_revision();
  ASSERT_TRUE(yaml::parse(base));
  std::mt19937 random(20261207);
  int differences = 0;
  const char* rounds = std::getenv("STRATA_YAML_ROUNDS");  // more, when changing the reader
  for (int round = 0, last = rounds ? std::atoi(rounds) : 4000; round < last; ++round) {
    std::string text = base;
    int edits = 1 + static_cast<int>(random() % 3);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = random() % text.size();
      char c = kBreakers[random() % kBreakers.size()];
      switch (random() % 3) {
        case 0:
          text.erase(at, 1);
          break;
        case 1:
          text.insert(at, 1, c);
          break;
        default:
          text[at] = c;
      }
    }
    std::string ours = fast(text);
    std::string theirs = slow(text);
    if (ours != theirs && ++differences <= 50) {
      std::string changed;
      std::istringstream a(base), b(text);
      for (std::string x, y; std::getline(b, y);) {
        if (!std::getline(a, x) || x != y) changed += "[" + y + "] ";
      }
      ADD_FAILURE() << changed << "\nyaml-cpp: " << theirs.substr(0, 120)
                    << "\nlibyaml: " << ours.substr(0, 60);
    }
  }
  EXPECT_EQ(differences, 0);
}

}  // namespace
}  // namespace strata::migrate::detail
