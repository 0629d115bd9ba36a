// Typed column expressions over member pointers: strata::col(&Item::title) == "hello" is a
// Condition for where() and join(). The operators exist only for a value (or another column)
// of the member's kind, so `col(&Item::id) == "x"` does not compile.
#pragma once

#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "strata/orm/mapper.hpp"
#include "strata/orm/types.hpp"
#include "strata/sql/expression.hpp"

namespace strata {

// A condition on mapped columns. A value type wrapping an immutable sql::Expr.
class Condition {
 public:
  explicit Condition(sql::Expr expr) : expr_(std::move(expr)) {}
  const sql::Expr& expr() const noexcept { return expr_; }

  friend Condition operator&&(const Condition& a, const Condition& b) {
    return Condition(a.expr_ && b.expr_);
  }
  friend Condition operator||(const Condition& a, const Condition& b) {
    return Condition(a.expr_ || b.expr_);
  }
  friend Condition operator!(const Condition& a) { return Condition(!a.expr_); }

 private:
  sql::Expr expr_;
};

namespace orm::detail {

int resolve_member(const Mapper& mapper, const std::type_info& pointer_type, const void* pointer);

template <class V>
sql::Expr value_expr(const V& v) {
  using D = std::remove_cvref_t<V>;
  if constexpr (std::is_convertible_v<const D&, std::string_view> && !Mappable<D>) {
    return sql::Expr(Value(std::string_view(v)));
  } else {
    return sql::Expr(Value(Traits<D>::bind(v)));
  }
}

template <class M>
constexpr bool is_text_member = !std::is_enum_v<typename Underlying<M>::type> &&
                                Traits<typename Underlying<M>::type>::kind == ValueKind::text;

}  // namespace orm::detail

// Column M of mapped struct T, as an expression. A value type; T's model must be declared
// (strata::table<T>) before one is made.
template <class T, class M>
class Col {
 public:
  using Struct = T;
  using Member = M;

  explicit Col(M T::*member) {
    const auto& mapper = orm::detail::mapper_of<T>();
    index_ = orm::detail::resolve_member(mapper, typeid(M T::*), &member);
    expr_ = mapper.column_expr(index_);
  }

  const sql::Expr& expr() const noexcept { return expr_; }
  int index() const noexcept { return index_; }
  sql::Ordering asc() const { return expr_.asc(); }
  sql::Ordering desc() const { return expr_.desc(); }

  Condition is_null() const requires strata::detail::is_optional_v<M> {
    return Condition(expr_.is_null());
  }
  Condition is_not_null() const requires strata::detail::is_optional_v<M> {
    return Condition(expr_.is_not_null());
  }
  Condition like(std::string_view pattern) const requires orm::detail::is_text_member<M> {
    return Condition(expr_.like(sql::Expr(Value(pattern))));
  }
  Condition ilike(std::string_view pattern) const requires orm::detail::is_text_member<M> {
    return Condition(expr_.ilike(sql::Expr(Value(pattern))));
  }
  template <class V>
  requires(orm::detail::comparable<M, V>()) Condition in_(const std::vector<V>& values)
  const {
    std::vector<sql::Expr> items;
    items.reserve(values.size());
    for (const auto& v : values) items.push_back(orm::detail::value_expr(v));
    return Condition(expr_.in_(std::move(items)));
  }
  template <class V>
  requires(orm::detail::comparable<M, V>()) Condition between(const V& low, const V& high)
  const {
    return Condition(expr_.between(orm::detail::value_expr(low), orm::detail::value_expr(high)));
  }

 private:
  sql::Expr expr_;
  int index_ = -1;
};

// strata::col(&Item::title): the column mapped to a member.
template <class T, class M>
Col<T, M> col(M T::*member) {
  return Col<T, M>(member);
}

namespace orm::detail {

template <class M1, class M2>
constexpr bool same_kind() {
  using U1 = typename Underlying<M1>::type;
  using U2 = typename Underlying<M2>::type;
  if constexpr (std::is_enum_v<U1> || std::is_enum_v<U2>) return std::is_same_v<U1, U2>;
  constexpr auto a = Traits<U1>::kind;
  constexpr auto b = Traits<U2>::kind;
  return a == b || (a == ValueKind::real && b == ValueKind::integer) ||
         (a == ValueKind::integer && b == ValueKind::real);
}

template <class M, class V>
Condition compare(const sql::Expr& column, const V& v,
                  sql::Expr (*op)(const sql::Expr&, const sql::Expr&)) {
  using D = std::remove_cvref_t<V>;
  if constexpr (std::is_same_v<D, std::nullopt_t> || std::is_same_v<D, std::nullptr_t>) {
    return Condition(op(column, sql::Expr(Value())));
  } else {
    return Condition(op(column, value_expr(v)));
  }
}

inline sql::Expr eq(const sql::Expr& a, const sql::Expr& b) {
  return a == b;
}
inline sql::Expr ne(const sql::Expr& a, const sql::Expr& b) {
  return a != b;
}
inline sql::Expr lt(const sql::Expr& a, const sql::Expr& b) {
  return a < b;
}
inline sql::Expr le(const sql::Expr& a, const sql::Expr& b) {
  return a <= b;
}
inline sql::Expr gt(const sql::Expr& a, const sql::Expr& b) {
  return a > b;
}
inline sql::Expr ge(const sql::Expr& a, const sql::Expr& b) {
  return a >= b;
}

}  // namespace orm::detail

// Comparisons of a column with a value of its kind (nullopt and nullptr give IS [NOT] NULL on a
// std::optional member), or with a column of the same kind.
#define STRATA_ORM_COMPARISON(OP, FN)                                                      \
  template <class T, class M, class V>                                                     \
  requires(orm::detail::comparable<M, V>()) Condition operator OP(const Col<T, M>& c,      \
                                                                  const V& v) {            \
    return orm::detail::compare<M>(c.expr(), v, &orm::detail::FN);                         \
  }                                                                                        \
  template <class T1, class M1, class T2, class M2>                                        \
  requires(orm::detail::same_kind<M1, M2>()) Condition operator OP(const Col<T1, M1>& a,   \
                                                                   const Col<T2, M2>& b) { \
    return Condition(orm::detail::FN(a.expr(), b.expr()));                                 \
  }

STRATA_ORM_COMPARISON(==, eq)
STRATA_ORM_COMPARISON(!=, ne)
STRATA_ORM_COMPARISON(<, lt)
STRATA_ORM_COMPARISON(<=, le)
STRATA_ORM_COMPARISON(>, gt)
STRATA_ORM_COMPARISON(>=, ge)
#undef STRATA_ORM_COMPARISON

}  // namespace strata
