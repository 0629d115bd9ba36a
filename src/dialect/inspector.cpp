#include "strata/dialect/inspector.hpp"

#include <fmt/format.h>

#include <set>

#include "reflector.hpp"
#include "strata/core/error.hpp"
#include "strata/dialect/dialect.hpp"
#include "strata/schema/metadata.hpp"

namespace strata {
namespace {

std::unique_ptr<detail::Reflector> reflector_for(Backend backend, std::string schema) {
  return Dialect::of(backend).reflector(std::move(schema));
}

}  // namespace

Inspector::Inspector(const Engine& engine, std::string schema)
    : owned_(engine.connect()),
      conn_(&*owned_),
      reflector_(reflector_for(engine.backend(), std::move(schema))) {}

Inspector::Inspector(Connection& connection, std::string schema)
    : conn_(&connection), reflector_(reflector_for(connection.backend(), std::move(schema))) {}

Inspector::~Inspector() = default;

std::vector<std::string> Inspector::table_names() {
  return reflector_->table_names(*conn_);
}

std::vector<std::string> Inspector::view_names() {
  return reflector_->view_names(*conn_);
}

bool Inspector::has_table(std::string_view name) {
  return reflector_->has_table(*conn_, std::string(name));
}

bool Inspector::has_relation(std::string_view name) {
  return reflector_->has_relation(*conn_, std::string(name));
}

Table Inspector::table(std::string_view name) {
  auto found = reflector_->tables(*conn_, std::string(name));
  if (found.empty()) {
    throw ProgrammingError(fmt::format("no table '{}' in the database", name),
                           {"", "", 0, "", conn_->url()});
  }
  return std::move(found.front());
}

std::vector<Table> Inspector::tables() {
  return reflector_->tables(*conn_, std::nullopt);
}

// MetaData's DDL lives here, above the schema layer, because it needs a dialect and a
// connection.
void MetaData::create_all(const Engine& engine) const {
  auto conn = engine.connect();
  const Dialect& dialect = Dialect::of(engine.backend());
  auto tx = conn.begin_immediate();
  auto existing = Inspector(conn).table_names();
  std::set<std::string> present(existing.begin(), existing.end());
  for (const Table* t : sorted_tables()) {
    if (present.count(t->name)) continue;
    for (const auto& statement : dialect.create_table(*t)) conn.execute_script(statement);
  }
  tx.commit();
}

void MetaData::drop_all(const Engine& engine) const {
  auto conn = engine.connect();
  const Dialect& dialect = Dialect::of(engine.backend());
  auto tx = conn.begin_immediate();
  auto existing = Inspector(conn).table_names();
  std::set<std::string> present(existing.begin(), existing.end());
  auto sorted = sorted_tables();
  for (auto it = sorted.rbegin(); it != sorted.rend(); ++it) {
    if (present.count((*it)->name)) conn.execute_script(dialect.drop_table((*it)->name));
  }
  tx.commit();
}

}  // namespace strata
