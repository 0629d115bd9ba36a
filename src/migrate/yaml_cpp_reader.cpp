#include "yaml_cpp_reader.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <optional>
#include <sstream>
#include <utility>
#include <vector>

namespace strata::migrate::detail {
namespace {

// The quoted scalar that starts furthest into the text. A quote never closed runs to the end
// of the file, so it is always that one.
class LastQuote {
 public:
  explicit LastQuote(std::string_view text) : text_(text) {}
  // `tag` is "!" for every non-plain scalar, block scalars (| and >) too.
  void note(const YAML::Mark& mark, const std::string& tag) {
    if (tag == "!" && quote_at(mark) != 0 && (!last_ || mark.pos > last_->pos)) last_ = mark;
  }
  void check(const Source& source) const {
    if (!last_ || closed(*last_)) return;
    char quote = quote_at(*last_);
    source.fail(last_->line,
                fmt::format("YAML syntax error: {}: the {} opened on this line is never "
                            "closed; add the closing {}",
                            YAML::ErrorMsg::EOF_IN_SCALAR, quote, quote));
  }

 private:
  // yaml-cpp counts positions from after a UTF-8 byte-order mark.
  std::size_t offset(const YAML::Mark& mark) const {
    constexpr std::string_view kBom = "\xEF\xBB\xBF";
    return static_cast<std::size_t>(mark.pos) + (text_.starts_with(kBom) ? kBom.size() : 0);
  }
  // The quote that opens the scalar at `mark`; 0 for a block scalar or a position that does not
  // match the text (another encoding).
  char quote_at(const YAML::Mark& mark) const {
    std::size_t at = offset(mark);
    if (mark.pos < 0 || at >= text_.size()) return 0;
    return text_[at] == '"' || text_[at] == '\'' ? text_[at] : 0;
  }
  // Escapes are \" inside double quotes and '' inside single quotes.
  bool closed(const YAML::Mark& mark) const {
    std::size_t at = offset(mark);
    char quote = text_[at];
    for (std::size_t i = at + 1; i < text_.size(); ++i) {
      if (quote == '"' && text_[i] == '\\') {
        ++i;
      } else if (text_[i] == quote) {
        if (quote == '"' || i + 1 == text_.size() || text_[i + 1] != '\'') return true;
        ++i;
      }
    }
    return false;
  }

  std::string_view text_;
  std::optional<YAML::Mark> last_;
};

// The scalars a failed parse read before failing: in a flow collection ({...} or [...]) an
// unclosed quote makes yaml-cpp fail at the end of the file, after the quote's scalar.
class QuoteEvents final : public YAML::EventHandler {
 public:
  explicit QuoteEvents(LastQuote& quotes) : quotes_(quotes) {}
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t,
                const std::string&) override {
    quotes_.note(mark, tag);
  }
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

 private:
  LastQuote& quotes_;
};

[[noreturn]] void syntax_error(std::string_view text, const Source& source,
                               const YAML::ParserException& e) {
  LastQuote quotes(text);
  QuoteEvents events(quotes);
  // Without a line break at the end, yaml-cpp fails inside an unclosed quote before passing on
  // its scalar ("illegal EOF in scalar", at the end of the file).
  std::istringstream in(std::string(text) + "\n");
  YAML::Parser parser(in);
  try {
    parser.HandleNextDocument(events);
  } catch (const YAML::ParserException&) {
  }
  quotes.check(source);
  source.fail(e.mark.line, fmt::format("YAML syntax error: {}", e.msg));
}

// Every node once, in document order, so that the first problem in the file is the one named.
class Walk {
 public:
  Walk(std::string_view text, const Source& source) : source_(source), quotes_(text) {}
  void visit(const YAML::Node& node, int depth = 0);
  const LastQuote& quotes() const noexcept { return quotes_; }

 private:
  void visit_map(const YAML::Node& map, int depth);

  const Source& source_;
  LastQuote quotes_;
  // The keys of the maps being visited, the innermost last: one buffer for the whole walk.
  std::vector<std::pair<std::string_view, int>> keys_;
};

void Walk::visit(const YAML::Node& node, int depth) {
  if (node.IsScalar()) quotes_.note(node.Mark(), node.Tag());
  if (!node.IsMap() && !node.IsSequence()) return;
  // yaml-cpp refuses a text nested 500 deep, and builds `a: &x {b: *x}` as a map inside itself:
  // deeper than that, the walk is going round such a loop.
  constexpr int kDeepest = 1000;
  if (depth > kDeepest)
    source_.fail(node.Mark().line, "an alias names a map or list it is inside; write it out");
  if (node.IsMap()) {
    visit_map(node, depth + 1);
  } else {
    for (const auto& item : node) visit(item, depth + 1);
  }
}

// Maps in revision files have a handful of keys: comparing each with the ones before it costs
// less than a set per map.
void Walk::visit_map(const YAML::Node& map, int depth) {
  std::size_t first = keys_.size();
  for (const auto& entry : map) {
    const YAML::Node& key = entry.first;
    if (key.IsScalar()) {
      for (std::size_t i = first; i < keys_.size(); ++i) {
        if (keys_[i].first != key.Scalar()) continue;
        source_.fail(key.Mark().line,
                     fmt::format("key '{}' given twice (first at line {}); keep one", key.Scalar(),
                                 keys_[i].second));
      }
      keys_.emplace_back(key.Scalar(), key.Mark().line + 1);
    }
    visit(key, depth);
    visit(entry.second, depth);
  }
  keys_.resize(first);
}

// Nodes the walk has checked: an alias is written out again where it stands, as the walk
// refused any alias to a node it is inside.
yaml::Node& copy(const YAML::Node& from, yaml::Document& to) {
  yaml::Kind kind = from.IsMap()        ? yaml::Kind::map
                    : from.IsSequence() ? yaml::Kind::sequence
                    : from.IsScalar()   ? yaml::Kind::scalar
                                        : yaml::Kind::null;
  yaml::Node& node = to.add(kind);
  node.quoted = from.Tag() == "!";
  node.line = from.Mark().line;
  node.column = from.Mark().column;
  if (from.IsScalar()) node.scalar = from.Scalar();
  if (from.IsMap()) {
    for (const auto& entry : from) {
      node.children.push_back(&copy(entry.first, to));
      node.children.push_back(&copy(entry.second, to));
    }
  } else if (from.IsSequence()) {
    for (const auto& item : from) node.children.push_back(&copy(item, to));
  }
  return node;
}

}  // namespace

yaml::Document load_with_yaml_cpp(std::string_view text, const Source& source) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    syntax_error(text, source, e);
  }
  Walk walk(text, source);
  walk.visit(root);
  walk.quotes().check(source);
  yaml::Document document;
  document.set_root(copy(root, document));
  return document;
}

}  // namespace strata::migrate::detail
