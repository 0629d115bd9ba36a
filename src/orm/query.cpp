// Queries through a session: select<T>() built on the SQL expression layer, streams read a
// page at a time by primary key, and the IN-list loads behind relation loading.
#include <fmt/format.h>

#include <bit>
#include <unordered_set>

#include "session_impl.hpp"

namespace strata::orm::detail {
namespace {

// Keys per IN list (get_many, relations): well under both backends' parameter limits. A list
// is padded to a power of two by repeating its last key, which IN ignores, so that any number
// of keys takes one of 14 statement texts per column, each prepared once per connection,
// rather than a text, and a cached statement, per count.
constexpr std::size_t kInChunk = 8'192;

sql::Expr all_of(const std::vector<sql::Expr>& conditions) {
  if (conditions.size() == 1) return conditions[0];
  return sql::and_(conditions);
}

}  // namespace

void QueryCore::join(const Mapper& other, const sql::Expr& on, bool left) {
  joins_.push_back({other.source(), on, left});
}

sql::Select QueryCore::build(std::vector<sql::Expr> columns) const {
  auto select = sql::select(std::move(columns));
  select.from(mapper_->source());
  for (const auto& j : joins_) {
    if (j.left) {
      select.left_join(j.source, j.on);
    } else {
      select.join(j.source, j.on);
    }
  }
  if (!where_.empty()) select.where(all_of(where_));
  if (!order_.empty()) select.order_by(order_);
  if (limit_) select.limit(*limit_);
  if (offset_) select.offset(*offset_);
  return select;
}

void QueryCore::load(const sql::Select& statement, ObjectSink& sink) {
  session_->autoflush();
  auto result = session_->run(statement);
  // Where the backend knows the count, the caller's list grows once.
  if (auto n = result.row_count()) sink.reserve(static_cast<std::size_t>(*n));
  // A join repeats a row once per match; without one, a type's first load fills the identity
  // map at once.
  if (joins_.empty() && session_->holds_none(*mapper_)) {
    session_->load_first(*mapper_, result, sink);
    return;
  }
  std::unordered_set<void*> seen;
  for (const auto& row : result) {
    void* object = session_->load_row(*mapper_, row);
    // A join repeats a row once per match; the object is listed once.
    if (!joins_.empty() && !seen.insert(object).second) continue;
    sink.push(object);
  }
}

std::vector<void*> QueryCore::load(const sql::Select& statement) {
  std::vector<void*> out;
  VectorSink<void> into(out);
  load(statement, into);
  return out;
}

void QueryCore::all(ObjectSink& sink) {
  load(build(mapper_->column_exprs()), sink);
}

Result QueryCore::rows() {
  session_->autoflush();
  auto select = build(mapper_->column_exprs());
  // A join repeats a row once per match; its columns include the key, so DISTINCT lists each
  // object once.
  if (!joins_.empty()) select.distinct();
  return session_->run(select);
}

void* QueryCore::first() {
  auto limit = limit_;
  limit_ = 1;
  auto objects = load(build(mapper_->column_exprs()));
  limit_ = limit;
  return objects.empty() ? nullptr : objects[0];
}

void* QueryCore::one() {
  auto limit = limit_;
  limit_ = 2;
  auto objects = load(build(mapper_->column_exprs()));
  limit_ = limit;
  if (objects.empty()) {
    throw NoResultFound(
        fmt::format("one(): no row of table {} matches the query; use first() "
                    "where no row is a normal outcome",
                    mapper_->table().name));
  }
  if (objects.size() > 1) {
    throw MultipleResultsFound(
        fmt::format("one(): several rows of table {} match the query; "
                    "narrow the conditions or use first()",
                    mapper_->table().name));
  }
  return objects[0];
}

std::int64_t QueryCore::count() {
  session_->autoflush();
  auto inner = build({mapper_->column_expr(mapper_->primary_key()[0])});
  if (!joins_.empty()) inner.distinct();
  auto outer = sql::select({sql::count()}).from(inner.subquery("strata_count"));
  auto result = session_->run(outer);
  return result.scalar<std::int64_t>();
}

bool QueryCore::exists() {
  session_->autoflush();
  auto outer = sql::select({sql::exists(build({mapper_->column_expr(mapper_->primary_key()[0])}))});
  auto result = session_->run(outer);
  return result.scalar<bool>();
}

Result StreamCore::fetch(const void* last) {
  const auto& pk = mapper_->primary_key();
  if (pk.size() != 1) {
    throw UsageError(
        fmt::format("stream() reads by primary key and needs a single-column "
                    "one; table {} has {}: use select() with limit/offset",
                    mapper_->table().name, pk.size()));
  }
  sql::Expr key = mapper_->column_expr(pk[0]);
  auto conditions = where_;
  if (last) {
    conditions.push_back(key > sql::Expr(Value(mapper_->columns()[pk[0]].access->bind(last))));
  }
  auto select = sql::select(mapper_->column_exprs());
  select.from(mapper_->source());
  if (!conditions.empty()) select.where(all_of(conditions));
  select.order_by({key.asc()}).limit(page_size_);
  return session_->run(select);
}

}  // namespace strata::orm::detail

namespace strata {

std::vector<void*> Session::get_many_objects(const orm::detail::Mapper& mapper,
                                             std::vector<Value> keys) {
  if (mapper.primary_key().size() != 1) {
    throw UsageError(
        fmt::format("get_many() takes one value per key and needs a single-column "
                    "primary key; table {} has {}: use select() with a condition",
                    mapper.table().name, mapper.primary_key().size()));
  }
  load_where_in(mapper, mapper.primary_key()[0], keys);
  std::vector<void*> out;
  out.reserve(keys.size());
  for (const auto& k : keys) {
    ValueRef ref(k);
    auto* e = k.is_null() ? nullptr : impl_->find(mapper, mapper.key_of(std::span(&ref, 1)));
    bool gone = !e || e->state == orm::detail::Entry::State::deleted;
    out.push_back(gone ? nullptr : e->object);
  }
  return out;
}

std::vector<void*> Session::load_where_in(const orm::detail::Mapper& mapper, int column,
                                          std::vector<Value> keys) {
  using orm::detail::IdentityKey;
  std::vector<void*> out;
  std::unordered_set<IdentityKey, orm::detail::IdentityKeyHash> unique;
  std::vector<sql::Expr> wanted;
  bool by_pk = mapper.primary_key().size() == 1 && mapper.primary_key()[0] == column;
  impl_->autoflush();
  for (const auto& k : keys) {
    if (k.is_null()) continue;
    IdentityKey key = orm::detail::value_key(ValueRef(k));
    if (!unique.insert(key).second) continue;
    // A parent already in the session needs no query.
    if (by_pk) {
      ValueRef ref(k);
      if (auto* e = impl_->find(mapper, mapper.key_of(std::span<const ValueRef>(&ref, 1)))) {
        out.push_back(e->object);
        continue;
      }
    }
    wanted.emplace_back(k);
  }
  sql::Expr target = mapper.column_expr(column);
  for (std::size_t at = 0; at < wanted.size(); at += orm::detail::kInChunk) {
    std::size_t n = std::min(orm::detail::kInChunk, wanted.size() - at);
    const std::size_t padded = std::bit_ceil(n);
    std::vector<sql::Expr> chunk;
    chunk.reserve(padded);
    chunk.assign(wanted.begin() + at, wanted.begin() + at + n);
    chunk.resize(padded, wanted[at + n - 1]);
    auto select = sql::select(mapper.column_exprs());
    select.from(mapper.source()).where(target.in_(std::move(chunk)));
    auto result = impl_->run(select);
    for (const auto& row : result) out.push_back(impl_->load_row(mapper, row));
  }
  return out;
}

}  // namespace strata
