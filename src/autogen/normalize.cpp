#include "normalize.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace strata::autogen::detail {
namespace {

bool is_number_type(const Type& t) {
  return t.is_integer() || t.kind() == TypeKind::float32 || t.kind() == TypeKind::float64 ||
         t.kind() == TypeKind::numeric;
}

std::optional<double> as_number(const Value& v) {
  switch (v.kind()) {
    case ValueKind::integer:
      return static_cast<double>(v.as_int());
    case ValueKind::real:
      return v.as_double();
    case ValueKind::boolean:
      return v.as_bool() ? 1.0 : 0.0;
    case ValueKind::text: {
      const std::string& text = v.as_text();
      double d = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
      if (ec == std::errc{} && end == text.data() + text.size()) return d;
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

std::optional<bool> as_boolean(const Value& v) {
  if (v.kind() == ValueKind::boolean) return v.as_bool();
  if (auto n = as_number(v)) return *n != 0;
  if (v.kind() != ValueKind::text) return std::nullopt;
  std::string text = v.as_text();
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (text == "true" || text == "t") return true;
  if (text == "false" || text == "f") return false;
  return std::nullopt;
}

// The text a literal stands for in a column that holds text, dates or anything else: what
// the database stores, whether the model gave 1 or '1' (PostgreSQL reads back '1'::text).
std::string as_text(const Value& v) {
  if (v.kind() == ValueKind::text) return v.as_text();
  std::string text = v.to_string();
  if (text.size() >= 2 && text.front() == '\'' && text.back() == '\'') {
    text = text.substr(1, text.size() - 2);
  }
  return text;
}

std::string canonical_literal(const Value& v, const Type& type) {
  if (v.is_null()) return "none";
  if (v.kind() == ValueKind::real && std::isnan(v.as_double())) return "none";
  if (type.kind() == TypeKind::boolean) {
    if (auto b = as_boolean(v)) return *b ? "true" : "false";
  }
  if (is_number_type(type)) {
    if (auto n = as_number(v)) return fmt::format("{}", *n);
  }
  return "'" + as_text(v) + "'";
}

std::string canonical_expression(const std::string& expression, const Type& type) {
  static const char* kNow[] = {"now ( )", "current_timestamp", "transaction_timestamp ( )",
                               "statement_timestamp ( )"};
  std::string n = normalize_sql_expression(expression);
  for (const char* spelling : kNow) {
    if (n == spelling) return "now";
  }
  double d = 0;
  auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), d);
  if (!n.empty() && ec == std::errc{} && end == n.data() + n.size()) {
    return canonical_literal(Value(d), type);
  }
  if (n == "null") return "none";
  if (n.size() >= 2 && n.front() == '\'' && std::count(n.begin(), n.end(), '\'') == 2 &&
      n.back() == '\'') {
    return canonical_literal(Value(n.substr(1, n.size() - 2)), type);
  }
  return "sql:" + n;
}

}  // namespace

bool same_type(const Column& model, const Column& reflected, const Dialect* dialect) {
  if (model.autoincrement && reflected.autoincrement && model.type.is_integer() &&
      reflected.type.is_integer()) {
    return true;
  }
  return dialect ? dialect->same_type(model.type, reflected.type) : model.type == reflected.type;
}

std::string canonical_default(const std::optional<ServerDefault>& d, const Type& type) {
  if (!d) return "none";
  switch (d->kind) {
    case ServerDefault::Kind::now:
      return "now";
    case ServerDefault::Kind::expression:
      return canonical_expression(d->expression, type);
    case ServerDefault::Kind::literal:
      break;
  }
  return canonical_literal(d->literal, type);
}

bool same_default(const Column& model, const Column& reflected) {
  // An identity or rowid key has no default of its own to compare.
  if (model.autoincrement && reflected.autoincrement) return true;
  return canonical_default(model.server_default, model.type) ==
         canonical_default(reflected.server_default, model.type);
}

bool same_definition(const Index& a, const Index& b) {
  return a.columns == b.columns && a.unique == b.unique &&
         normalize_sql_expression(a.where) == normalize_sql_expression(b.where);
}

bool same_definition(const UniqueConstraint& a, const UniqueConstraint& b) {
  return a.columns == b.columns;
}

bool same_definition(const ForeignKey& a, const ForeignKey& b) {
  return a.columns == b.columns && a.referred_table == b.referred_table &&
         a.referred_columns == b.referred_columns && a.on_delete == b.on_delete &&
         a.on_update == b.on_update;
}

bool same_definition(const CheckConstraint& a, const CheckConstraint& b) {
  return normalize_sql_expression(a.condition) == normalize_sql_expression(b.condition);
}

}  // namespace strata::autogen::detail
