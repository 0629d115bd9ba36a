#include "yaml_reader.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <optional>
#include <sstream>
#include <utility>

#include "strata/core/error.hpp"

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
    source.fail(*last_, fmt::format("YAML syntax error: {}: the {} opened on this line is never "
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
  source.fail(e.mark, fmt::format("YAML syntax error: {}", e.msg));
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
    source_.fail(node, "an alias names a map or list it is inside; write it out");
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
        source_.fail(key, fmt::format("key '{}' given twice (first at line {}); keep one",
                                      key.Scalar(), keys_[i].second));
      }
      keys_.emplace_back(key.Scalar(), key.Mark().line + 1);
    }
    visit(key, depth);
    visit(entry.second, depth);
  }
  keys_.resize(first);
}

}  // namespace

void Source::fail(const YAML::Node& at, std::string_view message) const {
  if (!at.IsDefined()) throw MigrationError(fmt::format("{}: {}", file.string(), message));
  fail(at.Mark(), message);
}

void Source::fail(const YAML::Mark& at, std::string_view message) const {
  if (at.line < 0) throw MigrationError(fmt::format("{}: {}", file.string(), message));
  throw MigrationError(fmt::format("{}:{}: {}", file.string(), at.line + 1, message));
}

YAML::Node load_document(std::string_view text, const Source& source) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    syntax_error(text, source, e);
  }
  Walk walk(text, source);
  walk.visit(root);
  walk.quotes().check(source);
  return root;
}

MapReader::MapReader(const YAML::Node& node, const Source& source, std::string_view what,
                     const std::vector<std::string_view>& allowed)
    : node_(node), source_(source), what_(what) {
  if (!node.IsMap()) source.fail(node, fmt::format("{} must be a map of keys", what));
  for (const auto& entry : node) {
    auto key = entry.first.as<std::string>();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    // `{type: numeric(10,2)}`: in a flow map the comma ends the value.
    if (key.ends_with(")")) {
      source.fail(entry.first, fmt::format("unknown key '{}' in {}: a type with a comma inside "
                                           "{{...}} needs quotes, as in type: \"numeric(10,2)\"",
                                           key, what));
    }
    source.fail(entry.first, fmt::format("unknown key '{}' in {} (expected {})", key, what,
                                         fmt::join(allowed, ", ")));
  }
}

bool MapReader::has(std::string_view key) const {
  return node_[std::string(key)].IsDefined();
}

YAML::Node MapReader::required(std::string_view key) const {
  YAML::Node value = node_[std::string(key)];
  if (!value.IsDefined()) {
    source_.fail(node_, fmt::format("{} is missing the required field '{}'", what_, key));
  }
  return value;
}

int MapReader::line_of(std::string_view key) const {
  YAML::Node value = node_[std::string(key)];
  return value.IsDefined() ? value.Mark().line + 1 : 0;
}

std::string MapReader::string(std::string_view key) const {
  YAML::Node value = required(key);
  if (!value.IsScalar()) source_.fail(value, fmt::format("'{}' in {} must be text", key, what_));
  return value.Scalar();
}

std::optional<std::string> MapReader::optional_string(std::string_view key) const {
  YAML::Node value = node_[std::string(key)];
  if (!value.IsDefined() || value.IsNull()) return std::nullopt;
  if (!value.IsScalar()) source_.fail(value, fmt::format("'{}' in {} must be text", key, what_));
  return value.Scalar();
}

bool MapReader::boolean(std::string_view key, bool fallback) const {
  YAML::Node value = node_[std::string(key)];
  if (!value.IsDefined() || value.IsNull()) return fallback;
  bool result = false;
  if (!value.IsScalar() || !YAML::convert<bool>::decode(value, result)) {
    source_.fail(value, fmt::format("'{}' in {} must be true or false", key, what_));
  }
  return result;
}

std::vector<std::string> MapReader::strings(std::string_view key) const {
  YAML::Node value = node_[std::string(key)];
  if (!value.IsDefined() || value.IsNull()) return {};
  if (value.IsScalar()) return {value.Scalar()};
  if (!value.IsSequence()) {
    source_.fail(value, fmt::format("'{}' in {} must be a list of names", key, what_));
  }
  std::vector<std::string> out;
  for (const auto& item : value) {
    if (!item.IsScalar()) source_.fail(item, fmt::format("'{}' in {} must list names", key, what_));
    out.push_back(item.Scalar());
  }
  return out;
}

}  // namespace strata::migrate::detail
