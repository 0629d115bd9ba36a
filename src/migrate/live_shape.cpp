#include "live_shape.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <utility>

#include "../core/log.hpp"
#include "../core/overloaded.hpp"
#include "strata/dialect/inspector.hpp"

namespace strata::migrate::detail {
namespace {

using strata::detail::Overloaded;

std::string column_text(const Table& t, const Column& c) {
  return fmt::format("{}{}{}{}", c.type.to_string(), !effective_nullable(t, c) ? " not null" : "",
                     c.server_default ? " with a default" : "",
                     c.generated ? " generated as (" + c.generated->expression + ")" : "");
}

class Merge {
 public:
  Merge(const Table& history, const Table& live, const Dialect& dialect,
        std::vector<std::string>& differences, std::vector<std::string>& asides)
      : history_(history),
        live_(live),
        dialect_(dialect),
        differences_(differences),
        asides_(asides) {}

  Table run() {
    Table out = live_;
    out.name = history_.name;
    out.columns.clear();
    for (const auto& c : live_.columns) out.columns.push_back(column(c));
    for (const auto& c : history_.columns) {
      if (!live_.column(c.name)) note("column {}: only in the history", c.name);
    }
    out.primary_key = primary_key();
    out.indexes = merge("index", history_.indexes, live_.indexes);
    // An index only the database has (made through execute, with an expression, COLLATE or
    // DESC key that reflection cannot write back) stays out: a SQLite rebuild makes it again
    // from the SQL the database stored.
    std::erase_if(out.indexes, [&](const Index& i) {
      return std::find(history_.indexes.begin(), history_.indexes.end(), i) ==
             history_.indexes.end();
    });
    out.unique_constraints =
        merge("unique constraint", history_.unique_constraints, live_.unique_constraints);
    out.foreign_keys = merge("foreign key", history_.foreign_keys, live_.foreign_keys);
    out.check_constraints =
        merge("check constraint", history_.check_constraints, live_.check_constraints);
    return out;
  }

 private:
  template <class... Args>
  void note(fmt::format_string<Args...> format, Args&&... args) {
    differences_.push_back(fmt::format(format, std::forward<Args>(args)...));
  }

  Column column(const Column& live) {
    const Column* declared = history_.column(live.name);
    if (!declared) {
      note("column {}: only in the database", live.name);
      return live;
    }
    bool same = same_type(*declared, live) &&
                effective_nullable(history_, *declared) == effective_nullable(live_, live) &&
                declared->server_default.has_value() == live.server_default.has_value() &&
                same_generated(declared->generated, live.generated);
    if (same) return *declared;
    note("column {}: {} in the database, {} in the history", live.name, column_text(live_, live),
         column_text(history_, *declared));
    return live;
  }

  // SQLite's rowid is 64-bit whatever integer type its key was declared with.
  bool same_type(const Column& declared, const Column& live) const {
    bool rowid = live_.primary_key && live_.primary_key->columns.size() == 1 &&
                 live_.primary_key->columns[0] == live.name;
    if (rowid && declared.type.is_integer() && live.type.is_integer()) return true;
    return dialect_.same_type(declared.type, live.type);
  }

  std::optional<PrimaryKey> primary_key() {
    const auto& declared = history_.primary_key;
    const auto& live = live_.primary_key;
    if (!declared && !live) return std::nullopt;
    // The database's name, where it has one, is what a DROP CONSTRAINT must say.
    if (declared && live && declared->columns == live->columns) {
      return live->name.empty() ? declared : live;
    }
    note("primary key: ({}) in the database, ({}) in the history",
         live ? fmt::format("{}", fmt::join(live->columns, ", ")) : "none",
         declared ? fmt::format("{}", fmt::join(declared->columns, ", ")) : "none");
    return live;
  }

  static bool same(const Index& a, const Index& b) {
    return a.columns == b.columns && a.unique == b.unique &&
           normalize_sql_expression(a.where) == normalize_sql_expression(b.where);
  }
  static bool same(const UniqueConstraint& a, const UniqueConstraint& b) {
    return a.columns == b.columns;
  }
  static bool same(const ForeignKey& a, const ForeignKey& b) {
    return a.columns == b.columns && a.referred_table == b.referred_table &&
           a.referred_columns == b.referred_columns && a.on_delete == b.on_delete &&
           a.on_update == b.on_update;
  }
  static bool same(const CheckConstraint& a, const CheckConstraint& b) {
    return normalize_sql_expression(a.condition) == normalize_sql_expression(b.condition);
  }

  // The database's objects; each the history declares the same way, in the history's words. A
  // live object without a name (SQLite's inline constraints) matches by definition; one the
  // history names otherwise keeps the database's name, which is what a later DROP needs.
  template <class T>
  std::vector<T> merge(std::string_view kind, const std::vector<T>& declared,
                       const std::vector<T>& live) {
    std::vector<T> out;
    std::vector<bool> matched(declared.size(), false);
    auto find = [&](const T& l, bool by_name) {
      for (std::size_t i = 0; i < declared.size(); ++i) {
        bool name_fits = !by_name || l.name.empty() || declared[i].name == l.name;
        if (!matched[i] && name_fits && same(declared[i], l))
          return matched[i] = true, &declared[i];
      }
      return static_cast<const T*>(nullptr);
    };
    for (const auto& l : live) {
      if (const T* d = find(l, true)) {
        out.push_back(*d);
      } else if (const T* renamed = find(l, false)) {
        asides_.push_back(
            fmt::format("{} {}: named {} in the history", kind, l.name, renamed->name));
        out.push_back(l);
      } else {
        extra(kind, l, name_in(declared, l.name));
        out.push_back(l);
      }
    }
    for (std::size_t i = 0; i < declared.size(); ++i) {
      if (!matched[i] && !name_in(live, declared[i].name)) {
        note("{} {}: only in the history", kind, declared[i].name);
      }
    }
    return out;
  }

  // Indexes made through `execute` are an idiom (expression indexes), and a rebuild has always
  // kept them: only the log at debug level mentions them.
  template <class T>
  void extra(std::string_view kind, const T& l, bool defined_otherwise) {
    auto& to = kind == "index" && !defined_otherwise ? asides_ : differences_;
    to.push_back(fmt::format(
        "{} {}: {}", kind, l.name.empty() ? "(unnamed)" : l.name,
        defined_otherwise ? "defined otherwise in the database" : "only in the database"));
  }

  template <class T>
  static bool name_in(const std::vector<T>& items, const std::string& name) {
    return !name.empty() && std::any_of(items.begin(), items.end(),
                                        [&](const T& item) { return item.name == name; });
  }

  const Table& history_;
  const Table& live_;
  const Dialect& dialect_;
  std::vector<std::string>& differences_;
  std::vector<std::string>& asides_;
};

}  // namespace

Touched touched(const Operation& op) {
  return std::visit(Overloaded{
                        [](const CreateTable& o) {
                          return Touched{{}, {o.table.name}};
                        },
                        [](const DropTable& o) {
                          return Touched{{o.name}, {}};
                        },
                        [](const RenameTable& o) {
                          return Touched{{o.name}, {o.new_name}};
                        },
                        [](const Execute&) { return Touched{}; },
                        [](const auto& o) {
                          return Touched{{o.table}, {}};
                        },
                    },
                    op);
}

Table merged_shape(const Table& history, const Table& live, const Dialect& dialect,
                   std::vector<std::string>& differences, std::vector<std::string>& asides) {
  return Merge(history, live, dialect, differences, asides).run();
}

LiveShapes::LiveShapes(Connection& conn) : conn_(conn), dialect_(Dialect::of(conn.backend())) {}

void LiveShapes::forget() {
  live_names_.reset();
  first_read_.clear();
  settled_.clear();
}

const std::set<std::string, std::less<>>& LiveShapes::live_names() {
  if (live_names_) return *live_names_;
  live_names_.emplace();
  if (!std::exchange(read_before_, true)) {
    for (auto& t : Inspector(conn_).tables()) {
      live_names_->insert(t.name);
      first_read_.emplace(t.name, std::move(t));
    }
    return *live_names_;
  }
  auto names = Inspector(conn_).table_names();
  live_names_->insert(names.begin(), names.end());
  return *live_names_;
}

Table LiveShapes::live_table(const std::string& name) {
  auto it = first_read_.find(name);
  if (it == first_read_.end()) return Inspector(conn_).table(name);
  Table t = std::move(it->second);
  first_read_.erase(it);
  return t;
}

bool LiveShapes::settle(const std::vector<Operation>& ops, SchemaState& state) {
  bool changed = false;
  for (const auto& op : ops) {
    auto [read, made] = touched(op);
    for (const auto& name : read) changed |= settle_table(name, state);
    // What the step creates is in the replayed schema exactly as the step makes it.
    settled_.insert(made.begin(), made.end());
    forget_children_of(read);
    forget_children_of(made);
  }
  return changed;
}

// A table read at the start and not yet settled may refer to one this step renames or
// reshapes (SQLite rewrites a child's REFERENCES on a rename): it is read again when needed.
void LiveShapes::forget_children_of(const std::vector<std::string>& tables) {
  std::erase_if(first_read_, [&](const auto& entry) {
    return std::any_of(entry.second.foreign_keys.begin(), entry.second.foreign_keys.end(),
                       [&](const ForeignKey& fk) {
                         return std::find(tables.begin(), tables.end(), fk.referred_table) !=
                                tables.end();
                       });
  });
}

bool LiveShapes::settle_table(const std::string& name, SchemaState& state) {
  if (!settled_.insert(name).second) return false;
  const Table* history = state.table(name);
  if (!live_names().contains(name)) {
    if (!history) return false;
    state.apply(DropTable{name});
    strata::detail::log(LogLevel::warn,
                        "table {} is in the history but not in the database: strata follows the "
                        "database",
                        name);
    return true;
  }
  Table live = live_table(name);
  if (!history) {
    state.apply(CreateTable{std::move(live)});
    strata::detail::log(LogLevel::warn,
                        "table {} is not in the history's schema (made by hand, by execute, or "
                        "before strata): strata works from the database's shape",
                        name);
    return true;
  }
  std::vector<std::string> differences;
  std::vector<std::string> asides;
  Table merged = merged_shape(*history, live, dialect_, differences, asides);
  for (const auto& a : asides) strata::detail::log(LogLevel::debug, "table {}: {}", name, a);
  if (differences.empty() && asides.empty()) return false;
  state.apply(DropTable{name});
  state.apply(CreateTable{std::move(merged)});
  if (differences.empty()) return true;
  strata::detail::log(LogLevel::warn,
                      "table {} in the database differs from the history in {} place{}: strata "
                      "follows the database (-v lists them)",
                      name, differences.size(), differences.size() == 1 ? "" : "s");
  for (const auto& d : differences) strata::detail::log(LogLevel::debug, "  table {}: {}", name, d);
  return true;
}

}  // namespace strata::migrate::detail
