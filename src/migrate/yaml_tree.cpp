#include "yaml_tree.hpp"

#include <yaml.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "yaml_scalars.hpp"

namespace strata::migrate::yaml {

const Node* Node::find(std::string_view name) const noexcept {
  if (kind != Kind::map) return nullptr;
  for (std::size_t i = 0; i + 1 < children.size(); i += 2) {
    if (children[i]->is_scalar() && children[i]->scalar == name) return children[i + 1];
  }
  return nullptr;
}

Document::Document()
    : nodes_(std::make_unique<std::deque<Node>>()), root_(&nodes_->emplace_back()) {}

Node& Document::add(Kind kind) {
  Node& node = nodes_->emplace_back();
  node.kind = kind;
  return node;
}

namespace {

// libyaml's parser and the event it last gave, freed however the parse ends.
class Events {
 public:
  explicit Events(std::string_view text) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size());
  }
  ~Events() {
    if (has_event_) yaml_event_delete(&event_);
    yaml_parser_delete(&parser_);
  }
  Events(const Events&) = delete;
  Events& operator=(const Events&) = delete;

  // The next event; null on a syntax error.
  const yaml_event_t* next() {
    if (has_event_) yaml_event_delete(&event_);
    has_event_ = yaml_parser_parse(&parser_, &event_) != 0;
    return has_event_ ? &event_ : nullptr;
  }

 private:
  yaml_parser_t parser_{};
  yaml_event_t event_{};
  bool has_event_ = false;
};

// The \n in `text`; nullopt for a text where libyaml and yaml-cpp part ways, which yaml-cpp
// reads instead: a '?' (yaml-cpp ends a plain scalar in {...} and [...] at one and reads
// explicit keys its own way), a lone \r or one of Unicode's line breaks (yaml-cpp counted lines
// by \n alone).
std::optional<int> line_breaks(std::string_view text) {
  int breaks = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n') ++breaks;
    if (c == '?') return std::nullopt;
    if (c == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')) return std::nullopt;
    // NEL (C2 85), LINE SEPARATOR (E2 80 A8), PARAGRAPH SEPARATOR (E2 80 A9)
    if (c == '\xC2' && text.substr(i + 1, 1) == "\x85") return std::nullopt;
    if (c == '\xE2' && (text.substr(i + 1, 2) == "\x80\xA8" || text.substr(i + 1, 2) == "\x80\xA9"))
      return std::nullopt;
  }
  return breaks;
}

// Builds the tree of the first document from its events, as yaml-cpp read only that one.
class Builder {
 public:
  Builder(Document& document, int line_breaks) : document_(document), breaks_(line_breaks) {}
  // False where yaml-cpp is to decide: an anchor or alias (yaml-cpp's names take characters
  // libyaml's do not, as in `&a:`), a plain scalar over several lines in {...} or [...], or a
  // text nested deeper than revision files ever are.
  bool on(const yaml_event_t& event);

 private:
  Node& start(Kind kind, const yaml_mark_t& mark);
  void place(Node& node);
  bool scalar(const yaml_event_t& event);
  bool collection(const yaml_event_t& event);
  bool in_flow() const noexcept { return !flow_.empty() && flow_.back(); }

  static constexpr std::size_t kDeepest = 200;
  Document& document_;
  int breaks_;
  std::vector<Node*> open_;  // the lists and maps being read, the innermost last
  std::vector<bool> flow_;   // whether each of open_ is written {...} or [...]
  Node* empty_ = nullptr;    // a null written as nothing, waiting for the next event's mark
  bool has_root_ = false;
  bool first_done_ = false;  // the events of later documents are read for errors only
};

Node& Builder::start(Kind kind, const yaml_mark_t& mark) {
  Node& node = document_.add(kind);
  node.line = static_cast<int>(mark.line);
  node.column = static_cast<int>(mark.column);
  return node;
}

void Builder::place(Node& node) {
  if (!open_.empty()) {
    open_.back()->children.push_back(&node);
  } else if (!has_root_) {
    document_.set_root(node);
    has_root_ = true;
  }
}

// yaml-cpp's tags: "?" plain without a tag, "!" otherwise without a tag; a null is a plain,
// untagged ~, null, Null, NULL or nothing.
bool Builder::scalar(const yaml_event_t& event) {
  const auto& s = event.data.scalar;
  if (s.anchor) return false;
  std::string_view value(reinterpret_cast<const char*>(s.value), s.length);
  bool plain = s.style == YAML_PLAIN_SCALAR_STYLE;
  // yaml-cpp refuses some plain scalars over several lines inside {...} or [...] (a key with
  // its `:` lost to a line break) that libyaml reads as one.
  if (plain && in_flow() && event.start_mark.line != event.end_mark.line) return false;
  bool null = !s.tag && plain && is_null_text(value);
  Node& node = start(null ? Kind::null : Kind::scalar, event.start_mark);
  node.quoted = s.tag ? std::strcmp(reinterpret_cast<const char*>(s.tag), "!") == 0 : !plain;
  if (!null) node.scalar = value;
  place(node);
  // yaml-cpp placed a nothing in a block (`key:` at the end of its line, a bare `-`) where the
  // next thing starts, libyaml right after the `:` or `-`.
  bool nothing = null && value.empty() && event.start_mark.index == event.end_mark.index;
  if (nothing && !in_flow()) empty_ = &node;
  return true;
}

bool Builder::collection(const yaml_event_t& event) {
  bool map = event.type == YAML_MAPPING_START_EVENT;
  if (open_.size() >= kDeepest) return false;
  if (map ? event.data.mapping_start.anchor : event.data.sequence_start.anchor) return false;
  Node& node = start(map ? Kind::map : Kind::sequence, event.start_mark);
  place(node);
  open_.push_back(&node);
  flow_.push_back(map ? event.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                      : event.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE);
  return true;
}

bool Builder::on(const yaml_event_t& event) {
  if (empty_) {
    // At the end of a text without a line break libyaml counts one more line than yaml-cpp.
    empty_->line = std::min(static_cast<int>(event.start_mark.line), breaks_);
    empty_->column = static_cast<int>(event.start_mark.column);
    empty_ = nullptr;
  }
  if (first_done_) return true;
  switch (event.type) {
    case YAML_SCALAR_EVENT:
      return scalar(event);
    case YAML_ALIAS_EVENT:
      return false;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
      return collection(event);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
      open_.pop_back();
      flow_.pop_back();
      return true;
    case YAML_DOCUMENT_END_EVENT:
      first_done_ = true;
      return true;
    default:
      return true;
  }
}

}  // namespace

// The whole text is read, later documents too: where libyaml stops at an error in them yaml-cpp
// may have stopped in the first.
std::optional<Document> parse(std::string_view text) {
  std::optional<int> breaks = line_breaks(text);
  if (!breaks) return std::nullopt;
  Document document;
  Events events(text);
  Builder builder(document, *breaks);
  for (;;) {
    const yaml_event_t* event = events.next();
    if (!event || !builder.on(*event)) return std::nullopt;
    if (event->type == YAML_STREAM_END_EVENT) return document;
  }
}

}  // namespace strata::migrate::yaml
