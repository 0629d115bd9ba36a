#include "strata/autogen/lint.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "../core/overloaded.hpp"
#include "../core/read_file.hpp"
#include "../core/sql_text.hpp"
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
      if (to.precision() == 0) return from.is_integer() || from.kind() == TypeKind::numeric;
      if (from.is_integer()) return to.precision() - to.scale() >= integer_digits(from.kind());
      return from.kind() == TypeKind::numeric && from.precision() > 0 &&
             to.scale() >= from.scale() &&
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

template <class T>
bool has_named(const std::vector<T>& items, std::string_view name) {
  return std::any_of(items.begin(), items.end(), [&](const T& item) { return item.name == name; });
}

bool has_constraint(const Table& t, const DropConstraint& o) {
  switch (o.type) {
    case ConstraintType::unique:
      return has_named(t.unique_constraints, o.name);
    case ConstraintType::foreign_key:
      return has_named(t.foreign_keys, o.name);
    case ConstraintType::check:
      return has_named(t.check_constraints, o.name);
    case ConstraintType::primary_key:
      return t.primary_key.has_value();  // its name differs between backends and conventions
  }
  return false;
}

// The objects an operation works on that the replayed schema lacks, as "column items.stray".
class Absent {
 public:
  explicit Absent(const SchemaState& state) : state_(state) {}

  std::vector<std::string> of(const Operation& op) {
    std::visit(Overloaded{
                   [&](const CreateTable& o) { referred(o.table.name, o.table.foreign_keys); },
                   [&](const DropTable& o) { table(o.name); },
                   [&](const RenameTable& o) { table(o.name); },
                   [&](const AddColumn& o) { table(o.table); },
                   [&](const DropColumn& o) { column(o.table, o.name); },
                   [&](const AlterColumn& o) { column(o.table, o.name); },
                   [&](const DropIndex& o) { named(o.table, "index", o.name, &Table::indexes); },
                   [&](const CreateForeignKey& o) {
                     table(o.table);
                     referred(o.table, {o.constraint});
                   },
                   [&](const DropConstraint& o) { constraint(o); },
                   [&](const Execute&) {},
                   [&](const auto& o) { table(o.table); },
               },
               op);
    return std::move(out_);
  }

 private:
  const Table* table(std::string_view name) {
    const Table* t = state_.table(name);
    std::string what = fmt::format("table {}", name);
    if (!t && std::find(out_.begin(), out_.end(), what) == out_.end()) out_.push_back(what);
    return t;
  }

  void column(std::string_view table_name, std::string_view name) {
    const Table* t = table(table_name);
    if (t && !t->column(name)) out_.push_back(fmt::format("column {}.{}", table_name, name));
  }

  template <class T>
  void named(std::string_view table_name, std::string_view kind, std::string_view name,
             std::vector<T> Table::*items) {
    const Table* t = table(table_name);
    if (t && !has_named(t->*items, name)) out_.push_back(fmt::format("{} {}", kind, name));
  }

  void constraint(const DropConstraint& o) {
    const Table* t = table(o.table);
    if (t && !has_constraint(*t, o)) out_.push_back(fmt::format("constraint {}", o.name));
  }

  // Tables that foreign keys of `from` point at; one pointing at `from` itself needs nothing.
  void referred(std::string_view from, const std::vector<ForeignKey>& keys) {
    for (const auto& fk : keys) {
      if (fk.referred_table != from) table(fk.referred_table);
    }
  }

  const SchemaState& state_;
  std::vector<std::string> out_;
};

// Applies `op` to the replay when it fits. One that does not (an object made by hand or by
// `execute`, or one that exists already) is left out, so that lint goes on with the rest.
void apply_if_fits(SchemaState& state, const Operation& op) {
  try {
    state.apply(op);
  } catch (const MigrationError&) {
  }
}

// Whether PostgreSQL rewrites the table (and rebuilds its indexes) to change a column's type:
// all but a binary-compatible change it can prove keeps every value, which for strata's types
// is a longer or unbounded string, string to text, and more digits with the same scale.
bool pg_rewrites(const Type& from, const Type& to) {
  if (from == to) return false;
  bool stringish = from.kind() == TypeKind::string || from.kind() == TypeKind::text;
  switch (to.kind()) {
    case TypeKind::text:
      return from.kind() != TypeKind::string;
    case TypeKind::string:
      if (to.length() == 0) return !stringish;
      return from.kind() != TypeKind::string || from.length() == 0 || from.length() > to.length();
    case TypeKind::numeric:
      if (to.precision() == 0) return from.kind() != TypeKind::numeric;
      return from.kind() != TypeKind::numeric || from.precision() == 0 ||
             from.scale() != to.scale() || from.precision() > to.precision();
    default:
      return true;
  }
}

// Whether a check's condition is `column IS NOT NULL` and nothing more, however it is spaced,
// quoted, parenthesised or cased.
bool says_not_null(std::string_view condition, std::string_view column,
                   const detail::SqlSyntax& syntax) {
  std::vector<detail::SqlToken> tokens;
  for (const auto& t : detail::significant_tokens(condition, syntax)) {
    if (!t.is("(") && !t.is(")")) tokens.push_back(t);
  }
  return tokens.size() == 4 && detail::names_column(tokens, 0, column) &&
         tokens[1].is_keyword("IS") && tokens[2].is_keyword("NOT") && tokens[3].is_keyword("NULL");
}

std::string constraint_key(std::string_view table, std::string_view name) {
  return fmt::format("{}.{}", table, name);
}

// One dialect's view of the history: its own replay, the foreign keys and checks added NOT
// VALID and not validated yet ("table.name"), and what the revision being linted made: its
// tables (empty, so that building an index on them locks nothing) and its NOT VALID
// constraints.
struct Lane {
  const Dialect* dialect;
  SchemaState state;
  std::set<std::string, std::less<>> unvalidated;
  std::set<std::string, std::less<>> made;
  std::set<std::string, std::less<>> made_not_valid;
};

// Moves `lane` past `op`: its replay, and which constraints are still NOT VALID.
void advance(Lane& lane, const Operation& op) {
  if (!runs_on(op, lane.dialect->name())) return;
  apply_if_fits(lane.state, op);
  auto mark = [&](const std::string& table, const std::string& name, bool not_valid) {
    if (not_valid) {
      lane.unvalidated.insert(constraint_key(table, name));
    } else {
      lane.unvalidated.erase(constraint_key(table, name));
    }
  };
  std::visit(
      Overloaded{
          [&](const CreateForeignKey& o) { mark(o.table, o.constraint.name, o.not_valid); },
          [&](const CreateCheckConstraint& o) { mark(o.table, o.constraint.name, o.not_valid); },
          [&](const ValidateConstraint& o) { mark(o.table, o.name, false); },
          [&](const DropConstraint& o) { mark(o.table, o.name, false); },
          [&](const auto&) {},
      },
      op);
}

std::vector<Lane> lanes_of(const LintOptions& options, const SchemaState* from = nullptr) {
  std::vector<const Dialect*> dialects;
  for (const auto& name : options.dialects) dialects.push_back(&Dialect::named(name));
  if (options.dialects.empty()) dialects.assign(Dialect::all().begin(), Dialect::all().end());
  std::vector<Lane> out;
  for (const Dialect* d : dialects) out.push_back({d, from ? *from : SchemaState(*d), {}, {}, {}});
  return out;
}

// "every dialect", "sqlite", "postgresql and sqlite".
std::string spoken(const std::set<std::string>& dialects, std::size_t lanes) {
  if (dialects.size() == lanes) return "every dialect";
  return fmt::format("{}", fmt::join(dialects, " and "));
}

// The operation's object, whatever its dialects: how an undo and the downgrade's operation
// are matched.
std::string object_of(Operation op) {
  restrict_to(op, {});
  return describe_operation(op);
}

// A finding and the lanes that have it.
struct Shared {
  Finding finding;
  std::set<std::string> dialects;
};

// Collects findings for one revision, operation by operation on every lane.
class Linter {
 public:
  Linter(const Revision& r, std::vector<Lane>& lanes, const LintOptions& options)
      : revision_(r), lanes_(lanes), options_(options) {}

  std::vector<Finding> run() {
    if (!revision_.transactional && revision_.upgrade.size() > 1) {
      add("non-transactional-mixed", 0,
          fmt::format("runs {} operations outside a transaction: a failure halfway leaves some "
                      "applied; give each its own revision",
                      revision_.upgrade.size()));
    }
    for (auto& lane : lanes_) {
      lane.made.clear();
      lane.made_not_valid.clear();
    }
    for (std::size_t i = 0; i < revision_.upgrade.size(); ++i) {
      lint_operation(revision_.upgrade[i], i + 1);
    }
    check_dialects();
    std::stable_sort(findings_.begin(), findings_.end(),
                     [](const Finding& a, const Finding& b) { return a.operation < b.operation; });
    return std::move(findings_);
  }

 private:
  // Each check runs on every lane before the next, so that findings keep the checks' order.
  void lint_operation(const Operation& op, std::size_t i) {
    using Check = void (Linter::*)(const Operation&, std::size_t);
    std::vector<Shared> found;
    found_ = &found;
    for (Check step : {&Linter::check, &Linter::check_history, &Linter::check_rebuild,
                       &Linter::note_undo, &Linter::apply}) {
      for (auto& lane : lanes_) {
        if (!runs_on(op, lane.dialect->name())) continue;
        lane_ = &lane;
        (this->*step)(op, i);
      }
    }
    lane_ = nullptr;
    found_ = nullptr;
    for (auto& [finding, dialects] : found) {
      if (dialects.size() < lanes_.size() && rule(finding.rule).dialect.empty()) {
        finding.message += fmt::format(" ({})", fmt::join(dialects, ", "));
      }
      findings_.push_back(std::move(finding));
    }
  }

  // A finding of the lane being linted joins the same finding of another lane, if any.
  void add(std::string_view id, std::size_t op, std::string message) {
    const LintRule& r = rule(id);
    Finding f{std::string(r.id), r.severity, revision_.id, revision_.file, op, std::move(message)};
    if (!lane_) {
      findings_.push_back(std::move(f));
      return;
    }
    std::string_view dialect = lane_->dialect->name();
    if (!r.dialect.empty() && r.dialect != dialect) return;
    auto same = std::find_if(found_->begin(), found_->end(), [&](const Shared& s) {
      return s.finding.rule == f.rule && s.finding.message == f.message &&
             !s.dialects.count(std::string(dialect));
    });
    if (same == found_->end()) same = found_->insert(found_->end(), {std::move(f), {}});
    same->dialects.emplace(dialect);
  }

  void apply(const Operation& op, std::size_t) {
    SchemaState& state = lane_->state;
    bool had = false;
    if (const auto* o = std::get_if<CreateTable>(&op)) had = state.table(o->table.name);
    advance(*lane_, op);
    if (const auto* o = std::get_if<CreateTable>(&op); o && !had) lane_->made.insert(o->table.name);
    if (const auto* o = std::get_if<RenameTable>(&op); o && lane_->made.count(o->name)) {
      lane_->made.insert(o->new_name);
    }
  }

  void check(const Operation& op, std::size_t i) {
    std::visit(
        Overloaded{
            [&](const DropTable& o) {
              add("drop-table", i, fmt::format("drops table {} and every row in it", o.name));
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
            [&](const CreateForeignKey& o) {
              check_constraint("pg-foreign-key-not-valid", o.table, o.constraint.name, o.not_valid,
                               i);
            },
            [&](const CreateCheckConstraint& o) {
              check_constraint("pg-check-not-valid", o.table, o.constraint.name, o.not_valid, i);
            },
            [&](const ValidateConstraint& o) { check_validate(o, i); },
            [&](const auto&) {},
        },
        op);
  }

  void check_history(const Operation& op, std::size_t i) {
    for (const auto& what : Absent(lane_->state).of(op)) {
      add("object-not-in-history", i,
          fmt::format("{}: {} is not created by any earlier revision (made by hand or by "
                      "execute?)",
                      describe_operation(op), what));
    }
  }

  void check_alter(const AlterColumn& o, std::size_t i) {
    if (o.new_name && *o.new_name != o.name) {
      add("rename", i,
          fmt::format("renames column {}.{} to {}: code using the old name fails until it is "
                      "deployed",
                      o.table, o.name, *o.new_name));
    }
    const Table* t = lane_->state.table(o.table);
    const Column* c = t ? t->column(o.name) : nullptr;
    if (o.type && c && !widens(c->type, *o.type)) {
      add("type-narrowing", i,
          fmt::format("changes {}.{} from {} to {}, which cannot hold every value it held", o.table,
                      o.name, c->type.to_string(), o.type->to_string()));
    }
    if (!c || lane_->made.count(o.table)) return;  // a table made here is empty
    if (o.type && pg_rewrites(c->type, *o.type)) {
      add("pg-type-rewrite", i,
          fmt::format("changes {}.{} from {} to {}: PostgreSQL rewrites the table and its "
                      "indexes under an ACCESS EXCLUSIVE lock, which stops its reads and writes "
                      "meanwhile; add a new column, fill it in batches and move to it instead",
                      o.table, o.name, c->type.to_string(), o.type->to_string()));
    }
    if (o.nullable && !*o.nullable && effective_nullable(*t, *c) && !checked_not_null(*t, o.name)) {
      add("pg-set-not-null-scan", i,
          fmt::format("sets {0}.{1} NOT NULL: PostgreSQL scans the table under an ACCESS "
                      "EXCLUSIVE lock; first create_check_constraint {{condition: \"{1} IS NOT "
                      "NULL\", not_valid: true}} and validate_constraint it in a later revision, "
                      "which lets the NOT NULL skip the scan",
                      o.table, o.name));
    }
  }

  // Whether `t` has a validated check that `column` IS NOT NULL.
  bool checked_not_null(const Table& t, std::string_view column) const {
    return std::any_of(t.check_constraints.begin(), t.check_constraints.end(),
                       [&](const CheckConstraint& ck) {
                         return says_not_null(ck.condition, column, lane_->dialect->sql_syntax()) &&
                                !lane_->unvalidated.count(constraint_key(t.name, ck.name));
                       });
  }

  // A foreign key or check added to a table that has rows: PostgreSQL checks them all while it
  // holds its lock, unless the constraint is NOT VALID.
  void check_constraint(std::string_view rule_id, const std::string& table, const std::string& name,
                        bool not_valid, std::size_t i) {
    if (not_valid) lane_->made_not_valid.insert(constraint_key(table, name));
    if (not_valid || lane_->made.count(table)) return;
    bool foreign = rule_id == "pg-foreign-key-not-valid";
    add(rule_id, i,
        fmt::format("adds {} {} to {} without not_valid: true: PostgreSQL checks every row while "
                    "it holds {}; add it with not_valid: true, then validate_constraint it in a "
                    "later revision",
                    foreign ? "foreign key" : "check constraint", name, table,
                    foreign ? "a SHARE ROW EXCLUSIVE lock on both tables, which stops their writes"
                            : "an ACCESS EXCLUSIVE lock, which stops reads and writes"));
  }

  // Validated in the revision that added it NOT VALID, the constraint's scan runs while the
  // transaction still holds the lock the ALTER took: nothing was gained.
  void check_validate(const ValidateConstraint& o, std::size_t i) {
    if (!lane_->made_not_valid.count(constraint_key(o.table, o.name))) return;
    const Table* t = lane_->state.table(o.table);
    bool foreign = t && has_named(t->foreign_keys, o.name);
    add(foreign ? "pg-foreign-key-not-valid" : "pg-check-not-valid", i,
        fmt::format("validates {} on {} in the revision that adds it NOT VALID: the lock taken by "
                    "adding it is held through the scan; validate it in a later revision",
                    o.name, o.table));
  }

  void check_add(const AddColumn& o, std::size_t i) {
    const Column& c = o.column;
    // A generated column is computed for the rows there.
    bool computed = c.generated_by_expression();
    if (computed && c.generated->stored && lane_ && !lane_->made.count(o.table)) {
      add("pg-generated-column-rewrite", i,
          fmt::format("adds the STORED generated column {}.{}: PostgreSQL computes it by "
                      "rewriting the table and its indexes under an ACCESS EXCLUSIVE lock, which "
                      "stops its reads and writes meanwhile; on a large table add a plain column "
                      "and fill it in batches instead",
                      o.table, c.name));
    }
    if (c.nullable || c.server_default || c.autoincrement || computed) return;
    add("not-null-without-default", i,
        fmt::format("adds NOT NULL column {}.{} without a server default: fails on a table "
                    "with rows; add a default, or add it nullable, fill it, then alter it",
                    o.table, c.name));
  }

  void check_index(const CreateIndex& o, std::size_t i) {
    if (o.concurrently || lane_->made.count(o.table)) return;  // a table made here is empty
    add("pg-index-not-concurrent", i,
        fmt::format("builds index {} on {} without CONCURRENTLY: PostgreSQL blocks writes to "
                    "the table meanwhile; use concurrently: true in a transactional: false "
                    "revision",
                    o.index.name, o.table));
  }

  void check_rebuild(const Operation& op, std::size_t i) {
    RenderedOperation rendered;
    try {
      rendered = render(op, *lane_->dialect, lane_->state);
    } catch (const MigrationError&) {
      return;  // does not fit the schema: the runner reports it
    } catch (const ProgrammingError&) {
      return;  // SQL this dialect cannot write (a VIRTUAL column on PostgreSQL): the same
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

  // What undoes `op`, by object, and the dialects of the operations it undoes.
  void note_undo(const Operation& op, std::size_t i) {
    std::vector<Operation> undo;
    try {
      undo = inverse(op, lane_->state);
    } catch (const Error&) {
      return;  // execute, bulk_insert, or an object the history lacks: nothing to compare
    }
    for (const auto& u : undo) {
      auto& dialects =
          undone_.try_emplace(object_of(u), i, std::set<std::string>{}).first->second.second;
      for (const auto& lane : lanes_) {
        if (runs_on(op, lane.dialect->name())) dialects.insert(std::string(lane.dialect->name()));
      }
    }
  }

  // An object the upgrade changes on some dialects and the downgrade restores on others: the
  // dialects left out keep the change after a downgrade, or lose what they never had.
  void check_dialects() {
    if (!revision_.has_downgrade) return;
    std::map<std::string, std::set<std::string>, std::less<>> restored;
    for (const auto& op : revision_.downgrade) {
      auto it = undone_.find(object_of(op));
      if (it == undone_.end()) continue;
      for (const auto& lane : lanes_) {
        if (runs_on(op, lane.dialect->name())) {
          restored[it->first].insert(std::string(lane.dialect->name()));
        }
      }
    }
    for (const auto& [object, dialects] : restored) {
      const auto& [op, upgraded] = undone_.at(object);
      if (dialects == upgraded) continue;
      add("dialects-mismatch", op,
          fmt::format("{} runs on {}, but the downgrade's {} that undoes it runs on {}: give "
                      "both the same dialects",
                      describe_operation(revision_.upgrade[op - 1]),
                      spoken(upgraded, lanes_.size()), object, spoken(dialects, lanes_.size())));
    }
  }

  const Revision& revision_;
  std::vector<Lane>& lanes_;
  const LintOptions& options_;
  Lane* lane_ = nullptr;                  // the lane being linted
  std::vector<Shared>* found_ = nullptr;  // its operation's findings so far, with other lanes'
  // The undo of each upgrade operation, by object: the first operation and its dialects.
  std::map<std::string, std::pair<std::size_t, std::set<std::string>>, std::less<>> undone_;
  std::vector<Finding> findings_;
};

std::string read_text(const std::filesystem::path& file) {
  if (file.empty()) return "";
  return strata::detail::read_file(file).value_or("");
}

// Each lane with the revisions below `r` applied, replayed from the start.
std::vector<Lane> lanes_before(const RevisionGraph& graph, const Revision& r,
                               const LintOptions& options) {
  std::vector<std::string> below = r.down_revisions;
  below.insert(below.end(), r.depends_on.begin(), r.depends_on.end());
  auto lanes = lanes_of(options);
  for (const Revision* applied : graph.applied_in_order(below)) {
    for (const auto& op : applied->upgrade) {
      for (auto& lane : lanes) advance(lane, op);
    }
  }
  return lanes;
}

// Whether `r` applies right after `at` (empty: nothing), so that the replay only moves on.
bool follows(const Revision& r, const std::string& at) {
  if (!r.depends_on.empty()) return false;
  if (r.down_revisions.empty()) return at.empty();
  return r.down_revisions.size() == 1 && r.down_revisions[0] == at;
}

std::vector<Finding> lint_lanes(const Revision& revision, std::vector<Lane>& lanes,
                                const LintOptions& options, std::string_view file_text) {
  auto findings = Linter(revision, lanes, options).run();
  auto silenced = ignores(file_text);
  std::erase_if(findings, [&](const Finding& f) {
    auto it = silenced.find(f.rule);
    return it != silenced.end() && it->second-- > 0;
  });
  return findings;
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
      {"sqlite-rebuild-large-table", Severity::warning, "rebuilds a large table on SQLite",
       "sqlite"},
      {"pg-index-not-concurrent", Severity::warning,
       "builds an index on an existing table without CONCURRENTLY", "postgresql"},
      {"pg-type-rewrite", Severity::warning,
       "changes a column's type in a way that rewrites the table on PostgreSQL", "postgresql"},
      {"pg-generated-column-rewrite", Severity::warning,
       "adds a STORED generated column to an existing table, which rewrites it on PostgreSQL",
       "postgresql"},
      {"pg-set-not-null-scan", Severity::warning,
       "sets an existing column NOT NULL without a validated CHECK (col IS NOT NULL)",
       "postgresql"},
      {"pg-foreign-key-not-valid", Severity::warning,
       "adds a foreign key to an existing table without not_valid (or validates it at once)",
       "postgresql"},
      {"pg-check-not-valid", Severity::warning,
       "adds a check constraint to an existing table without not_valid (or validates it at once)",
       "postgresql"},
      {"non-transactional-mixed", Severity::error, "runs several operations outside a transaction"},
      {"object-not-in-history", Severity::warning,
       "works on a table, column, index or constraint that no earlier revision creates"},
      {"dialects-mismatch", Severity::warning,
       "an upgrade and the downgrade that undoes it run on different dialects"},
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
  auto lanes = lanes_of(options, &before);
  return lint_lanes(revision, lanes, options, file_text);
}

std::vector<Finding> lint(const ScriptDirectory& scripts, const Range& range,
                          const LintOptions& options) {
  const auto& graph = scripts.graph();
  auto revisions = graph.history(range);
  std::vector<Finding> out;
  auto lanes = lanes_of(options);
  std::string at;  // the revision whose schema the lanes hold; empty: none
  for (auto it = revisions.rbegin(); it != revisions.rend(); ++it) {
    const Revision& r = **it;
    if (!follows(r, at)) lanes = lanes_before(graph, r, options);
    auto found = lint_lanes(r, lanes, options, read_text(r.file));
    out.insert(out.end(), found.begin(), found.end());
    at = r.id;
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
