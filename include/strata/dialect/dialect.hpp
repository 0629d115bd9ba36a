// Everything that differs between SQLite and PostgreSQL, in one place: identifier quoting,
// placeholders, type names, literals, DDL text and what ALTER TABLE can do. Code above this
// layer asks the dialect; it never branches on a backend's name.
#pragma once

#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "strata/core/url.hpp"
#include "strata/core/value.hpp"
#include "strata/schema/table.hpp"

namespace strata {

class Connection;
class DatabaseError;
namespace detail {
class Reflector;
struct SqlSyntax;
}  // namespace detail

// A table rebuild as a dialect carries it out: the statements that make the table's new shape
// and copy its rows into it (migrate/render writes them), and what the dialect needs to keep
// the objects those statements do not make again.
struct TableRebuild {
  std::string table;
  std::vector<std::string> statements;
  // Where each column of the new shape takes its rows from: new name -> old name. A column not
  // in the map is new.
  std::map<std::string, std::string, std::less<>> sources;
  // The indexes the revisions had given the table: the statements make those the new shape
  // keeps. Others on the table (made through execute) are the dialect's to keep.
  std::vector<std::string> declared_indexes;
  std::vector<std::string> columns_before;
};

// A row of `table` referring to a missing `parent` row.
struct ForeignKeyViolation {
  std::string table, rowid, parent;
  auto operator<=>(const ForeignKeyViolation&) const = default;
};
using ForeignKeyViolations = std::set<ForeignKeyViolation>;

// Told a line of progress (a long rebuild says so before it copies).
using ProgressFn = std::function<void(const std::string&)>;

// A backend's SQL dialect. Stateless singletons: thread-safe, never destroyed. A dialect of
// one's own (a test's, a new backend's) derives from this class and lives as long as the
// program; at most kMaxDialects may exist.
class Dialect {
 public:
  static constexpr std::size_t kMaxDialects = 8;

  virtual ~Dialect() = default;
  Dialect(const Dialect&) = delete;
  Dialect& operator=(const Dialect&) = delete;

  // A number below kMaxDialects unique to this dialect within the process: code above the
  // dialect keys what it caches per dialect (compiled statements, the ORM's SQL) by it.
  std::size_t index() const noexcept { return index_; }

  static const Dialect& of(Backend backend);
  // A built-in dialect by its name() or one of its aliases(): "sqlite" or "postgresql" (or
  // "postgres"); throws ConfigError naming the known ones for anything else.
  static const Dialect& named(std::string_view name);
  // Every built-in dialect, SQLite first: what `dialects:` keys, `execute`'s per-dialect texts
  // and lint accept.
  static std::span<const Dialect* const> all();

  virtual Backend backend() const noexcept = 0;
  virtual std::string_view name() const noexcept = 0;
  // Other names Dialect::named answers with this dialect: its URL schemes' other spellings.
  virtual std::span<const std::string_view> aliases() const noexcept { return {}; }
  // The name people write: "SQLite", "PostgreSQL".
  virtual std::string_view title() const noexcept = 0;

  // Read replicas (ORM read sessions). The statement that makes the transaction just begun
  // read-only; empty where the backend has none (SQLite).
  virtual std::string read_only_transaction_sql() const { return ""; }
  // A query on a replica giving one row: how many seconds its data trails the primary, or NULL
  // when that is unknown. Empty where the backend has no replicas (SQLite).
  virtual std::string replica_lag_sql() const { return ""; }
  // Whether a replica failing a read with `error` cannot serve reads now (unreachable, shutting
  // down, starting, out of connections, or a query cancelled by replay), so that the read may
  // run on the primary instead.
  virtual bool replica_unavailable(const DatabaseError& /*error*/) const { return false; }

  // How backend() reads SQL text (its comments, strings and quoted names; src/core/
  // sql_lexer.hpp), from the backend's descriptor: for code that splits or scans SQL written
  // for this dialect.
  const detail::SqlSyntax& sql_syntax() const noexcept;

  // `name` as is when it is a plain lower-case identifier and no reserved word, else quoted.
  std::string quote(std::string_view name) const;
  // The placeholder of parameter `number`, in a statement whose parameters appear in order
  // (1, 2, 3, ...), each once: `?` (SQLite), `$N` (PostgreSQL).
  virtual std::string placeholder(int number) const = 0;

  std::string type_sql(const Type& type) const;
  // Whether the backend runs UPDATE ... FROM (VALUES ...) AS v, naming the VALUES columns
  // column1, column2, ...: the ORM's flush then writes many changed rows of a table in one
  // statement. False for a dialect that does not say so.
  virtual bool update_from_values() const noexcept { return false; }
  // The fewest changed rows of one shape that the flush writes that way rather than with one
  // UPDATE each. Where every statement is a round trip (PostgreSQL), two already gain.
  virtual std::size_t update_from_values_min_rows() const noexcept { return 2; }
  // The row that such a VALUES list starts with, where the backend gives a VALUES column the
  // type of its rows rather than of the table column it is assigned to (PostgreSQL, where
  // parameters alone would be text, which an enum or citext column refuses): each of the
  // `columns` of `table` (both quoted) as a NULL of the type the database has for it. NULL
  // matches no row. Empty where no such row is needed.
  virtual std::string values_typing_row(std::string_view /*table*/,
                                        std::span<const std::string> /*columns*/) const {
    return {};
  }
  // Whether a column the model declares as `model` is one that reflection read as `reflected`:
  // equal types, or (SQLite) a declared type strata does not know with the same affinity.
  virtual bool same_type(const Type& model, const Type& reflected) const {
    return model == reflected;
  }
  // An SQL literal for a value of a column of `type` (text quoted with '' escapes).
  virtual std::string literal(const Value& value, const Type& type) const;
  std::string default_sql(const ServerDefault& server_default, const Type& type) const;
  // The current timestamp as a column default.
  virtual std::string now_sql() const { return "CURRENT_TIMESTAMP"; }
  // ILIKE on PostgreSQL; SQLite's LIKE already ignores ASCII case.
  virtual std::string_view ilike_operator() const noexcept = 0;

  // CREATE TABLE followed by one CREATE INDEX per index.
  std::vector<std::string> create_table(const Table& table, bool if_not_exists = false) const;
  std::string drop_table(std::string_view name) const;
  // `concurrently`: built without blocking writes where the backend can (PostgreSQL, outside a
  // transaction); SQLite has no such form and builds it plainly.
  std::string create_index(const Table& table, const Index& index, bool concurrently = false) const;
  std::string drop_index(std::string_view table, std::string_view index) const;

  // A throwaway database for `verify`, named `name`, beside the one `like` names: its URL, and
  // the statements that create and drop it through a connection to `like` (none where the
  // scratch database is in memory: SQLite).
  virtual Url scratch_url(const Url& like, std::string_view name) const = 0;
  virtual std::string create_database_sql(std::string_view /*name*/) const { return ""; }
  virtual std::string drop_database_sql(std::string_view /*name*/) const { return ""; }

  // A query giving the integer key of the last row this connection inserted into `table`, then
  // that row's `key` column (both quoted), where the rows of one multi-row INSERT get
  // consecutive keys (SQLite's rowid): the ORM then reads generated keys without RETURNING,
  // which SQLite makes costly, and refuses a key column the backend did not fill in with them.
  // Empty where RETURNING is the way.
  virtual std::string last_insert_id_sql(std::string_view /*table*/,
                                         std::string_view /*key*/) const {
    return "";
  }

  // What the Inspector reads the database's schema (`schema`: PostgreSQL's search schema) with.
  virtual std::unique_ptr<detail::Reflector> reflector(std::string schema) const = 0;

  // Whether DDL can run inside a transaction and be rolled back (both, here).
  virtual bool transactional_ddl() const noexcept { return true; }
  // Whether a generated column can be VIRTUAL (computed when read), not only STORED.
  virtual bool virtual_generated_columns() const noexcept { return false; }

  // Migration locking. A backend with session advisory locks (PostgreSQL) gives the statements
  // to try, release and find the holder of the lock `key`; an empty text means writers queue
  // on the database's own write lock instead (SQLite's BEGIN IMMEDIATE).
  virtual std::string try_lock_sql(std::int64_t /*key*/) const { return ""; }
  virtual std::string unlock_sql(std::int64_t /*key*/) const { return ""; }
  virtual std::string lock_holder_sql(std::int64_t /*key*/) const { return ""; }

  // Limits on a statement: how long it waits for a lock on a table (or any object), and how
  // long it runs. Set `local`ly, a limit ends with the transaction, so nothing stays on a
  // connection that a pooler hands to another client. Empty texts, and no error matches, where
  // the backend has no such settings (SQLite's only wait is its busy_timeout).
  enum class Limit { lock_wait, statement };
  virtual std::string set_limit_sql(Limit /*limit*/, std::chrono::milliseconds /*value*/,
                                    bool /*local*/) const {
    return "";
  }
  virtual std::string reset_limit_sql(Limit /*limit*/) const { return ""; }
  // Whether `error` is a statement stopped by `limit`.
  virtual bool exceeded(Limit /*limit*/, const DatabaseError& /*error*/) const { return false; }
  // The other sessions holding a lock on the table its one parameter names: (pid, state,
  // seconds since their transaction began), for the message of a statement that waited.
  virtual std::string lock_holders_sql() const { return ""; }

  // Table rebuilds (SQLite's way of doing what its ALTER TABLE cannot; see migrate/render).
  // Whether a rebuild runs with foreign keys off around its transaction (they cannot change
  // inside one) and has them checked before its commit, as SQLite's must: the rebuild drops and
  // renames a table that other tables' keys refer to.
  virtual bool rebuild_needs_foreign_keys_off() const noexcept { return false; }
  // The statements turning foreign keys off or on, and listing the rows that break one. Asked
  // only where rebuild_needs_foreign_keys_off().
  virtual std::string foreign_keys_sql(bool /*on*/) const { return ""; }
  virtual std::string foreign_key_check_sql() const { return ""; }
  // Carries out `rebuild` on `conn`, inside the caller's transaction: by default its statements
  // in order. SQLite also drops and makes again the views and triggers that would stop or lose
  // the rename, and the indexes no revision declared.
  virtual void carry_out(Connection& conn, const TableRebuild& rebuild,
                         const ProgressFn& progress) const;
  // The rows breaking a foreign key now: none where the database never lets one be broken.
  virtual ForeignKeyViolations foreign_key_violations(Connection& /*conn*/) const { return {}; }
  // The first violation rebuilds of the `rebuilt` tables are answerable for, `before` being
  // those read before them: a new one, or an old one between a rebuilt table and its children
  // (foreign keys are promised to survive a rebuild). Broken rows elsewhere are not theirs.
  std::optional<ForeignKeyViolation> broken_by_rebuild(Connection& conn,
                                                       const ForeignKeyViolations& before,
                                                       const std::set<std::string>& rebuilt) const;
  // (type, name, create sql, drop sql or NULL, table or NULL) of the schema's indexes, views,
  // triggers and (PostgreSQL) the functions triggers call, in creation order: what reflection
  // into Tables leaves out, for a baseline revision. A NULL drop goes with its table; the table
  // is an index's or a trigger's.
  virtual std::string schema_objects_sql() const = 0;

  // ALTER TABLE. The can_ questions say whether the backend changes a table in place; for the
  // rest, SQLite rebuilds the table (see migrate/render).
  virtual bool can_add_column(const Column& /*column*/) const { return true; }
  virtual bool can_drop_column(const Table& /*table*/, std::string_view /*column*/) const {
    return true;
  }
  // Type, nullability and default of an existing column.
  virtual bool can_alter_column() const { return true; }
  // Adding or dropping a unique, foreign key, check or primary key constraint.
  virtual bool can_alter_constraints() const { return true; }

  std::string rename_table_sql(std::string_view from, std::string_view to) const;
  std::string add_column_sql(const Table& table, const Column& column) const;
  std::string drop_column_sql(std::string_view table, std::string_view column) const;
  std::string rename_column_sql(std::string_view table, std::string_view from,
                                std::string_view to) const;
  // The statements that take `before` to `after` (type, nullability, default; not the name).
  std::vector<std::string> alter_column_sql(std::string_view table, const Column& before,
                                            const Column& after) const;
  std::string add_constraint_sql(std::string_view table, const PrimaryKey& pk) const;
  std::string add_constraint_sql(std::string_view table, const UniqueConstraint& u) const;
  // `not_valid`: the rows already there are left for validate_constraint_sql to check, where
  // the backend can (PostgreSQL's NOT VALID).
  std::string add_constraint_sql(std::string_view table, const ForeignKey& fk,
                                 bool not_valid = false) const;
  std::string add_constraint_sql(std::string_view table, const CheckConstraint& ck,
                                 bool not_valid = false) const;
  // Checks the rows a NOT VALID constraint left; none where a constraint always checks every
  // row (SQLite).
  std::vector<std::string> validate_constraint_sql(std::string_view table,
                                                   std::string_view name) const;
  std::string drop_constraint_sql(std::string_view table, std::string_view name) const;

 protected:
  // Takes the next index; throws UsageError past kMaxDialects.
  Dialect();

  virtual std::string column_sql(const Table& table, const Column& column) const;
  // The name of a type without parameters; dialects override where they differ from the
  // standard names.
  virtual std::string_view type_name(TypeKind kind) const;
  // Column types an autoincrementing primary key needs (INTEGER for SQLite's rowid alias).
  virtual std::string autoincrement_column_sql(const Table& table, const Column& column) const = 0;
  virtual std::string foreign_key_sql(const ForeignKey& fk) const;
  std::string column_list(const std::vector<std::string>& columns) const;
  virtual std::string blob_literal(const Blob& blob) const = 0;
  virtual std::string_view concurrently_keyword() const noexcept { return ""; }
  virtual std::string_view not_valid_keyword() const noexcept { return ""; }
  static std::string hex(const Blob& blob);

 private:
  std::size_t index_;
};

}  // namespace strata
