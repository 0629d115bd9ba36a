#include "strata/schema/metadata.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <functional>
#include <set>

#include "strata/core/config.hpp"
#include "strata/core/error.hpp"

namespace strata {
namespace {

constexpr std::size_t kMaxIdentifier = 63;  // PostgreSQL's NAMEDATALEN - 1

std::string replace_all(std::string text, std::string_view token, std::string_view value) {
  for (auto pos = text.find(token); pos != std::string::npos;
       pos = text.find(token, pos + value.size())) {
    text.replace(pos, token.size(), value);
  }
  return text;
}

// Over-long names keep a readable prefix and end in a hash of the whole, so that two long
// names stay distinct and every backend sees the same name.
std::string fit(std::string name) {
  if (name.size() <= kMaxIdentifier) return name;
  std::uint32_t hash = 2166136261u;  // FNV-1a: the same on every platform, release after release
  for (unsigned char c : name) hash = (hash ^ c) * 16777619u;
  std::size_t cut = kMaxIdentifier - 9;
  // Never end the prefix inside a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
  return fmt::format("{}_{:08x}", name.substr(0, cut), hash);
}

std::string render(const std::string& pattern, const Table& table,
                   const std::vector<std::string>& columns, std::string_view referred = "",
                   std::string_view name = "") {
  std::string out = replace_all(pattern, "{table}", table.name);
  out = replace_all(out, "{columns}", fmt::format("{}", fmt::join(columns, "_")));
  out = replace_all(out, "{referred_table}", referred);
  out = replace_all(out, "{name}", name);
  return fit(out);
}

}  // namespace

NamingConvention NamingConvention::from(const Config& config) {
  NamingConvention convention;
  const auto& templates = config.naming_convention();
  auto take = [&](const char* key, std::string& field) {
    if (auto it = templates.find(key); it != templates.end()) field = it->second;
  };
  take("pk", convention.primary_key);
  take("ix", convention.index);
  take("uq", convention.unique);
  take("fk", convention.foreign_key);
  take("ck", convention.check);
  return convention;
}

void NamingConvention::apply(Table& t) const {
  if (t.primary_key && t.primary_key->name.empty()) {
    t.primary_key->name = render(primary_key, t, t.primary_key->columns);
  }
  for (auto& i : t.indexes) {
    if (i.name.empty()) i.name = render(index, t, i.columns);
  }
  for (auto& u : t.unique_constraints) {
    if (u.name.empty()) u.name = render(unique, t, u.columns);
  }
  for (auto& f : t.foreign_keys) {
    if (f.name.empty()) f.name = render(foreign_key, t, f.columns, f.referred_table);
  }
  // A check's name is the {name} token; one that already has the convention's prefix is kept,
  // so that applying twice changes nothing.
  std::string check_prefix = render(check, t, {}, "", "");
  for (auto& c : t.check_constraints) {
    if (!c.name.starts_with(check_prefix)) c.name = render(check, t, {}, "", c.name);
  }
}

const Table& MetaData::add(Table t) {
  if (table(t.name)) throw UsageError(fmt::format("table '{}' is already in the MetaData", t.name));
  convention_.apply(t);
  tables_.push_back(std::move(t));
  return tables_.back();
}

const Table* MetaData::table(std::string_view name) const {
  for (const auto& t : tables_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

std::vector<const Table*> MetaData::sorted_tables() const {
  std::vector<const Table*> sorted;
  std::set<std::string> done;
  std::set<std::string> visiting;
  std::function<void(const Table&)> visit = [&](const Table& t) {
    if (done.count(t.name)) return;
    if (!visiting.insert(t.name).second) {
      throw UsageError(
          fmt::format("foreign keys form a cycle through table '{}'; break it with a "
                      "foreign key added after the tables",
                      t.name));
    }
    for (const auto& fk : t.foreign_keys) {
      const Table* parent = table(fk.referred_table);
      if (parent && parent != &t) visit(*parent);
    }
    visiting.erase(t.name);
    done.insert(t.name);
    sorted.push_back(&t);
  };
  for (const auto& t : tables_) visit(t);
  return sorted;
}

}  // namespace strata
