// A dialect strata does not ship, for tests showing that the layers above the dialect ask the
// dialect they are given instead of knowing the built-in ones: `:N` placeholders, and literals
// that carry the type they were written for (`5::BIGINT`), so that a test sees which type a
// layer passed. It compiles SQL only; no database speaks it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "dialect/reflector.hpp"
#include "strata/dialect/dialect.hpp"

namespace strata::test {

class ColonDialect final : public Dialect {
 public:
  // A backend() must name one; nothing in these tests connects through it.
  Backend backend() const noexcept override { return Backend::postgresql; }
  std::string_view name() const noexcept override { return "colon"; }
  std::string_view title() const noexcept override { return "Colon"; }
  std::string placeholder(int number) const override { return ":" + std::to_string(number); }
  std::string literal(const Value& value, const Type& type) const override {
    return Dialect::literal(value, type) + "::" + type_sql(type);
  }
  std::string_view ilike_operator() const noexcept override { return "ILIKE"; }
  Url scratch_url(const Url& like, std::string_view /*name*/) const override { return like; }
  std::unique_ptr<detail::Reflector> reflector(std::string /*schema*/) const override {
    return nullptr;
  }
  std::string schema_objects_sql() const override { return ""; }

 protected:
  std::string autoincrement_column_sql(const Table& /*table*/,
                                       const Column& column) const override {
    return quote(column.name) + " SERIAL";
  }
  std::string blob_literal(const Blob& blob) const override { return "X'" + hex(blob) + "'"; }
};

// The program's one ColonDialect: a dialect lives as long as the program.
inline const Dialect& colon_dialect() {
  static const ColonDialect dialect;
  return dialect;
}

}  // namespace strata::test
