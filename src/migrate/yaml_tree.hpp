// The tree a revision file reads into: maps, lists, scalars and nulls with the line of each,
// built by libyaml's event parser (several times cheaper than yaml-cpp's scanner). Shaped as
// yaml-cpp shaped its nodes, since messages and scalar rules were written against those: a
// scalar knows whether it was written plain, a null written as nothing has the line yaml-cpp
// gave it. A tree has no loop: libyaml leaves a text with anchors to yaml-cpp, whose tree is
// copied with each alias written out.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace strata::migrate::yaml {

enum class Kind : unsigned char { null, scalar, sequence, map };

// One node of a Document, which owns it; read-only once built, so any thread may read it.
struct Node {
  Kind kind = Kind::null;
  // yaml-cpp's Tag() == "!": written quoted or as a block scalar (| >) without a tag of its own,
  // so never a number, boolean or null.
  bool quoted = false;
  int line = -1;       // from 0; -1 for a node no text made (the root of an empty file)
  int column = -1;     // from 0
  std::string scalar;  // a scalar's text; empty for the other kinds
  // A list's items; a map's keys and values in turn (key, value, key, value, ...).
  std::vector<Node*> children;

  bool is_null() const noexcept { return kind == Kind::null; }
  bool is_scalar() const noexcept { return kind == Kind::scalar; }
  bool is_sequence() const noexcept { return kind == Kind::sequence; }
  bool is_map() const noexcept { return kind == Kind::map; }
  // A map's entries or a list's items.
  std::size_t size() const noexcept {
    return kind == Kind::map ? children.size() / 2 : children.size();
  }
  const Node& key(std::size_t i) const { return *children[2 * i]; }
  const Node& value(std::size_t i) const { return *children[2 * i + 1]; }
  std::span<Node* const> items() const noexcept { return children; }
  // The value of the first entry whose key is the scalar `name`, as yaml-cpp's map[name]; null
  // when there is none or this is no map.
  const Node* find(std::string_view name) const noexcept;
};

// A parsed text and every node in it. Movable, not copyable; nodes stay where they are.
class Document {
 public:
  Document();
  const Node& root() const noexcept { return *root_; }
  Node& add(Kind kind);
  void set_root(Node& root) noexcept { root_ = &root; }

 private:
  std::unique_ptr<std::deque<Node>> nodes_;  // a deque: adding never moves a node
  Node* root_;
};

// The first document of `text` read by libyaml; nullopt where yaml-cpp is to read the text
// instead: a syntax error anywhere in it, an anchor or alias, a '?', a line break other than \n
// and \r\n, a plain scalar over several lines in {...} or [...], or nesting deeper than revision
// files have (see yaml_tree.cpp for why each).
std::optional<Document> parse(std::string_view text);

}  // namespace strata::migrate::yaml
