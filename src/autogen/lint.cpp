#include "strata/autogen/lint.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>

#include "../core/overloaded.hpp"
#include "../core/read_file.hpp"
#include "strata/core/error.hpp"
#include "strata/dialect/dialect.hpp"
#include "strata/dialect/inspector.hpp"
#include "strata/migrate/render.hpp"

namespace strata::autogen {
namespace {

using namespace strata::migrate;

using strata::detail::Overloaded;

const LintRule& rule(std::string_view id) {
  const auto& rules = lint_rules();
  return *std::find_if(rules.begin(), rules.end(), [&](const LintRule& r) { return r.id == id; });
}

int integer_rank(TypeKind kind) {
  switch (kind) {
    case TypeKind::smallinteger:
      return 1;
    case TypeKind::integer:
      return 2;
    default:
      return 3;
  }
}

// Digits left of the point that an integer type needs.
int integer_digits(TypeKind kind) {
  switch (kind) {
    case TypeKind::smallinteger:
      return 5;
    case TypeKind::integer:
      return 10;
    default:
      return 19;
  }
}

bool fits_text(const Type& from, int length) {
  if (length == 0) return from.kind() != TypeKind::binary;
  if (from.kind() == TypeKind::string) return from.length() > 0 && from.length() <= length;
  return from.kind() == TypeKind::uuid && length >= 36;
}

// Whether every value of `from` has a place in `to`.
bool widens(const Type& from, const Type& to) {
  if (from == to) return true;
  switch (to.kind()) {
    case TypeKind::text:
      return fits_text(from, 0);
    case TypeKind::string:
      return fits_text(from, to.length());
    case TypeKind::smallinteger:
    case TypeKind::integer:
    case TypeKind::biginteger:
      return from.is_integer() && integer_rank(from.kind()) <= integer_rank(to.kind());
    case TypeKind::numeric:
      if (from.is_integer()) return to.precision() - to.scale() >= integer_digits(from.kind());
      return from.kind() == TypeKind::numeric && to.scale() >= from.scale() &&
             to.precision() - to.scale() >= from.precision() - from.scale();
    case TypeKind::float64:
      return from.kind() == TypeKind::float32 || from.kind() == TypeKind::smallinteger ||
             from.kind() == TypeKind::integer;
    case TypeKind::datetime:
    case TypeKind::datetime_tz:
      return from.kind() == TypeKind::date || from.kind() == TypeKind::datetime;
    default:
      return false;
  }
}

// Ignore comments of a file: how many findings of each rule they silence.
std::map<std::string, int, std::less<>> ignores(std::string_view text) {
  std::map<std::string, int, std::less<>> out;
  constexpr std::string_view kMarker = "strata:lint-ignore";
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    auto hash = line.find('#');
    auto at = line.find(kMarker, hash == std::string::npos ? line.size() : hash);
    if (at == std::string::npos) continue;
    std::istringstream ids(line.substr(at + kMarker.size()));
    for (std::string id; ids >> id;) {
      if (id.back() == ',') id.pop_back();
      if (!id.empty()) ++out[id];
    }
  }
  return out;
}

// Collects findings for one revision.
class Linter {
 public:
  Linter(const Revision& r, const SchemaState& before, const LintOptions& options)
      : revision_(r), start_(before), state_(before), options_(options) {}

  std::vector<Finding> run() {
    if (!revision_.transactional && revision_.upgrade.size() > 1) {
      add("non-transactional-mixed", 0,
          fmt::format("runs {} operations outside a transaction: a failure halfway leaves some "
                      "applied; give each its own revision",
                      revision_.upgrade.size()));
    }
    for (std::size_t i = 0; i < revision_.upgrade.size(); ++i) {
      const Operation& op = revision_.upgrade[i];
      check(op, i + 1);
      check_rebuild(op, i + 1);
      state_.apply(op);
    }
    return std::move(findings_);
  }

 private:
  void add(std::string_view id, std::size_t op, std::string message) {
    const LintRule& r = rule(id);
    findings_.push_back(
        {std::string(r.id), r.severity, revision_.id, revision_.file, op, std::move(message)});
  }

  void check(const Operation& op, std::size_t i) {
    std::visit(Overloaded{
                   [&](const DropTable& o) {
                     add("drop-table", i,
                         fmt::format("drops table {} and every row in it", o.name));
                   },
                   [&](const DropColumn& o) {
                     add("drop-column", i,
                         fmt::format("drops column {}.{} and its data", o.table, o.name));
                   },
                   [&](const RenameTable& o) {
                     add("rename", i,
                         fmt::format("renames table {} to {}: code using the old name fails "
                                     "until it is deployed",
                                     o.name, o.new_name));
                   },
                   [&](const AlterColumn& o) { check_alter(o, i); },
                   [&](const AddColumn& o) { check_add(o, i); },
                   [&](const CreateIndex& o) { check_index(o, i); },
                   [&](const auto&) {},
               },
               op);
  }

  void check_alter(const AlterColumn& o, std::size_t i) {
    if (o.new_name && *o.new_name != o.name) {
      add("rename", i,
          fmt::format("renames column {}.{} to {}: code using the old name fails until it is "
                      "deployed",
                      o.table, o.name, *o.new_name));
    }
    const Table* t = state_.table(o.table);
    const Column* c = t ? t->column(o.name) : nullptr;
    if (o.type && c && !widens(c->type, *o.type)) {
      add("type-narrowing", i,
          fmt::format("changes {}.{} from {} to {}, which cannot hold every value it held", o.table,
                      o.name, c->type.to_string(), o.type->to_string()));
    }
  }

  void check_add(const AddColumn& o, std::size_t i) {
    const Column& c = o.column;
    if (c.nullable || c.server_default || c.autoincrement) return;
    add("not-null-without-default", i,
        fmt::format("adds NOT NULL column {}.{} without a server default: fails on a table "
                    "with rows; add a default, or add it nullable, fill it, then alter it",
                    o.table, c.name));
  }

  void check_index(const CreateIndex& o, std::size_t i) {
    if (o.concurrently || !start_.table(o.table)) return;
    add("pg-index-not-concurrent", i,
        fmt::format("builds index {} on {} without CONCURRENTLY: PostgreSQL blocks writes to "
                    "the table meanwhile; use concurrently: true in a transactional: false "
                    "revision",
                    o.index.name, o.table));
  }

  void check_rebuild(const Operation& op, std::size_t i) {
    RenderedOperation rendered;
    try {
      rendered = render(op, Dialect::of(Backend::sqlite), state_);
    } catch (const MigrationError&) {
      return;  // does not fit the schema: the runner reports it
    }
    auto rows = options_.row_counts.find(rendered.rebuilt_table);
    if (rendered.rebuilt_table.empty() || rows == options_.row_counts.end() ||
        rows->second < options_.large_table_rows) {
      return;
    }
    add("sqlite-rebuild-large-table", i,
        fmt::format("rebuilds table {} ({} rows) on SQLite: the table is copied while the "
                    "database is locked",
                    rendered.rebuilt_table, rows->second));
  }

  const Revision& revision_;
  const SchemaState& start_;
  SchemaState state_;
  const LintOptions& options_;
  std::vector<Finding> findings_;
};

std::string read_text(const std::filesystem::path& file) {
  if (file.empty()) return "";
  return strata::detail::read_file(file).value_or("");
}

SchemaState state_before(const RevisionGraph& graph, const Revision& r) {
  std::vector<std::string> below = r.down_revisions;
  below.insert(below.end(), r.depends_on.begin(), r.depends_on.end());
  SchemaState state;
  for (const Revision* applied : graph.applied_in_order(below)) {
    for (const auto& op : applied->upgrade) state.apply(op);
  }
  return state;
}

}  // namespace

std::string_view to_string(Severity severity) noexcept {
  return severity == Severity::error ? "error" : "warning";
}

const std::vector<LintRule>& lint_rules() {
  static const std::vector<LintRule> rules = {
      {"drop-table", Severity::error, "drops a table and its rows"},
      {"drop-column", Severity::error, "drops a column and its data"},
      {"rename", Severity::warning, "renames a table or column under running code"},
      {"type-narrowing", Severity::error, "changes a type to one that cannot hold every value"},
      {"not-null-without-default", Severity::error, "adds a NOT NULL column without a default"},
      {"sqlite-rebuild-large-table", Severity::warning, "rebuilds a large table on SQLite"},
      {"pg-index-not-concurrent", Severity::warning,
       "builds an index on an existing table without CONCURRENTLY"},
      {"non-transactional-mixed", Severity::error, "runs several operations outside a transaction"},
  };
  return rules;
}

std::string Finding::describe() const {
  std::string where = file.empty() ? revision : file.string();
  if (operation > 0) where += fmt::format(": upgrade operation {}", operation);
  return fmt::format("{}: {} {}: {}", where, to_string(severity), rule, message);
}

std::vector<Finding> lint(const Revision& revision, const SchemaState& before,
                          const LintOptions& options, std::string_view file_text) {
  auto findings = Linter(revision, before, options).run();
  auto silenced = ignores(file_text);
  std::erase_if(findings, [&](const Finding& f) {
    auto it = silenced.find(f.rule);
    return it != silenced.end() && it->second-- > 0;
  });
  return findings;
}

std::vector<Finding> lint(const ScriptDirectory& scripts, const Range& range,
                          const LintOptions& options) {
  const auto& graph = scripts.graph();
  auto revisions = graph.history(range);
  std::vector<Finding> out;
  for (auto it = revisions.rbegin(); it != revisions.rend(); ++it) {
    const Revision& r = **it;
    auto found = lint(r, state_before(graph, r), options, read_text(r.file));
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

bool has_errors(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& f) { return f.severity == Severity::error; });
}

std::map<std::string, std::int64_t, std::less<>> row_counts(const Engine& engine) {
  auto conn = engine.connect();
  const Dialect& dialect = Dialect::of(engine.backend());
  std::map<std::string, std::int64_t, std::less<>> out;
  for (const auto& name : Inspector(conn).table_names()) {
    out[name] = conn.execute("SELECT count(*) FROM " + dialect.quote(name)).scalar<std::int64_t>();
  }
  return out;
}

}  // namespace strata::autogen
