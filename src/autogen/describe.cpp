// Operations in one line each, for `check` and the command line's summaries.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "../core/overloaded.hpp"
#include "strata/autogen/compare.hpp"

namespace strata::autogen {
namespace {

using namespace strata::migrate;

using strata::detail::Overloaded;

std::string default_text(const std::optional<ServerDefault>& d) {
  if (!d) return "none";
  switch (d->kind) {
    case ServerDefault::Kind::now:
      return "now";
    case ServerDefault::Kind::expression:
      return d->expression;
    case ServerDefault::Kind::literal:
      break;
  }
  return d->literal.to_string();
}

std::string alteration(const AlterColumn& o) {
  std::vector<std::string> parts;
  if (o.type) parts.push_back("type " + o.type->to_string());
  if (o.nullable) parts.push_back(*o.nullable ? "nullable" : "not null");
  if (o.server_default) parts.push_back("default " + default_text(*o.server_default));
  if (o.new_name) parts.push_back("rename to " + *o.new_name);
  return fmt::format("alter column {}.{}: {}", o.table, o.name, fmt::join(parts, ", "));
}

std::string_view constraint_kind(ConstraintType type) {
  switch (type) {
    case ConstraintType::unique:
      return "unique constraint";
    case ConstraintType::foreign_key:
      return "foreign key";
    case ConstraintType::check:
      return "check constraint";
    case ConstraintType::primary_key:
      break;
  }
  return "primary key";
}

}  // namespace

std::string describe(const Operation& op) {
  return std::visit(
      Overloaded{
          [](const CreateTable& o) { return fmt::format("add table {}", o.table.name); },
          [](const DropTable& o) { return fmt::format("remove table {}", o.name); },
          [](const RenameTable& o) {
            return fmt::format("rename table {} to {}", o.name, o.new_name);
          },
          [](const AddColumn& o) {
            return fmt::format("add column {}.{} ({})", o.table, o.column.name,
                               o.column.type.to_string());
          },
          [](const DropColumn& o) { return fmt::format("remove column {}.{}", o.table, o.name); },
          [](const AlterColumn& o) { return alteration(o); },
          [](const CreateIndex& o) {
            return fmt::format("add {}index {} on {} ({})", o.index.unique ? "unique " : "",
                               o.index.name, o.table, fmt::join(o.index.columns, ", "));
          },
          [](const DropIndex& o) { return fmt::format("remove index {} on {}", o.name, o.table); },
          [](const CreateUniqueConstraint& o) {
            return fmt::format("add unique constraint {} on {} ({})", o.constraint.name, o.table,
                               fmt::join(o.constraint.columns, ", "));
          },
          [](const CreateForeignKey& o) {
            const auto& fk = o.constraint;
            return fmt::format("add foreign key {} on {} ({}) -> {} ({})", fk.name, o.table,
                               fmt::join(fk.columns, ", "), fk.referred_table,
                               fmt::join(fk.referred_columns, ", "));
          },
          [](const CreateCheckConstraint& o) {
            return fmt::format("add check constraint {} on {} ({})", o.constraint.name, o.table,
                               o.constraint.condition);
          },
          [](const CreatePrimaryKey& o) {
            return fmt::format("add primary key {} on {} ({})", o.constraint.name, o.table,
                               fmt::join(o.constraint.columns, ", "));
          },
          [](const DropConstraint& o) {
            return fmt::format("remove {} {} on {}", constraint_kind(o.type), o.name, o.table);
          },
          [](const ValidateConstraint& o) {
            return fmt::format("validate constraint {} on {}", o.name, o.table);
          },
          [](const Execute& o) { return fmt::format("execute {}", o.sql); },
          [](const BulkInsert& o) {
            return fmt::format("insert {} rows into {}", o.rows.size(), o.table);
          },
      },
      op);
}

}  // namespace strata::autogen
