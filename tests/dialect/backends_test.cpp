// The registration seam (src/core/backend_spec.hpp): every Backend enumerator has exactly one
// descriptor in src/driver/backends.cpp and one dialect, which agree with each other, and every
// URL scheme and dialect name leads to its backend.
#include "support/backends.hpp"

#include <gtest/gtest.h>

#include <strata/core/error.hpp>
#include <strata/dialect/dialect.hpp>
#include <strata/driver/driver.hpp>
#include <string>
#include <vector>

#include "core/backend_spec.hpp"

namespace strata::test {
namespace {

// Every enumerator of Backend. The switch has no default, so that -Wswitch (an error in
// strata's builds) stops the build here until a new enumerator is listed; enumerators count up
// from 0, which the loop relies on.
std::vector<Backend> every_backend() {
  std::vector<Backend> out;
  for (int i = 0;; ++i) {
    auto backend = static_cast<Backend>(i);
    switch (backend) {
      case Backend::sqlite:
      case Backend::postgresql:
        out.push_back(backend);
        continue;
    }
    return out;
  }
}

// A URL of the backend with this scheme: a file's or a server's.
std::string url_with(const detail::BackendSpec& spec, std::string_view scheme) {
  return std::string(scheme) + (spec.file_urls ? "://" : "://h/db");
}

TEST(Backends, EachEnumeratorHasOneDescriptorAndOneDialect) {
  auto backends = every_backend();
  EXPECT_EQ(detail::backends().size(), backends.size());
  EXPECT_EQ(Dialect::all().size(), backends.size());
  for (Backend b : backends) {
    int specs = 0;
    for (const detail::BackendSpec* spec : detail::backends()) specs += spec->backend == b;
    int dialects = 0;
    for (const Dialect* d : Dialect::all()) dialects += d->backend() == b;
    EXPECT_EQ(specs, 1) << static_cast<int>(b);
    EXPECT_EQ(dialects, 1) << static_cast<int>(b);
    const detail::BackendSpec& spec = detail::backend_spec(b);
    EXPECT_EQ(spec.backend, b);
    EXPECT_EQ(&spec.dialect(), &Dialect::of(b));
    EXPECT_EQ(Dialect::of(b).backend(), b);
    EXPECT_EQ(Dialect::of(b).name(), spec.name);
    EXPECT_EQ(Dialect::of(b).title(), spec.title);
    EXPECT_EQ(&Dialect::of(b).sql_syntax(), spec.syntax);
    EXPECT_FALSE(spec.schemes.empty()) << spec.name;
  }
}

TEST(Backends, TheListOrdersTheDialects) {
  auto specs = detail::backends();
  auto dialects = Dialect::all();
  ASSERT_EQ(specs.size(), dialects.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    EXPECT_EQ(&specs[i]->dialect(), dialects[i]);
    EXPECT_EQ(dialects[i]->index(), i) << "built-in dialects take the first indexes";
  }
}

TEST(Backends, AValueNoDescriptorListsIsAUsageError) {
  auto unlisted = static_cast<Backend>(every_backend().size());
  EXPECT_THROW(detail::backend_spec(unlisted), UsageError);
  EXPECT_THROW(Dialect::of(unlisted), UsageError);
}

TEST(Backends, EverySchemeAndNameLeadsToItsBackend) {
  for (const detail::BackendSpec* spec : detail::backends()) {
    for (std::string_view scheme : spec->schemes) {
      Url url = Url::parse(url_with(*spec, scheme));
      EXPECT_EQ(url.backend(), spec->backend) << scheme;
      EXPECT_EQ(url.is_memory(), spec->file_urls) << scheme;
      EXPECT_EQ(Dialect::named(scheme).backend(), spec->backend) << scheme;
    }
    EXPECT_EQ(Dialect::named(spec->name).backend(), spec->backend);
    EXPECT_EQ(Url::parse(spec->example_url).backend(), spec->backend) << spec->example_url;
    for (std::string_view alias : Dialect::of(spec->backend).aliases()) {
      EXPECT_EQ(Dialect::named(alias).backend(), spec->backend) << alias;
    }
  }
  EXPECT_EQ(Dialect::named("postgres").backend(), Backend::postgresql);
}

TEST(Backends, EachTakesItsOwnParametersAndRefusesMisplacedOnes) {
  for (const detail::BackendSpec* spec : detail::backends()) {
    std::string base = url_with(*spec, spec->schemes.front());
    for (std::string_view param : spec->params) {
      std::string text = base + "?" + std::string(param) + "=1";
      EXPECT_EQ(Url::parse(text).param(param), "1") << text;
      EXPECT_EQ(Url::parse(base).with_param(param, "1").param(param), "1") << text;
    }
    for (std::string_view param : spec->misplaced_params) {
      std::string text = base + "?" + std::string(param) + "=1";
      try {
        Url::parse(text);
        ADD_FAILURE() << text << " parsed";
      } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find(spec->misplaced_reason), std::string::npos)
            << e.what();
      }
    }
  }
}

// The descriptor's entry points reach the backend's driver, on a real database of each.
class BackendDriver : public DatabaseTest {};

TEST_P(BackendDriver, ConnectsThroughItsDescriptor) {
  Url url = Url::parse(this->url());
  driver::validate(url);
  driver::load(url);
  auto conn = driver::connect(url);
  EXPECT_EQ(conn->backend(), backend());
  EXPECT_EQ(conn->placeholder_prefix(), Dialect::of(backend()).placeholder(1).front());
  EXPECT_TRUE(conn->alive(true));
}

STRATA_ON_BOTH_BACKENDS(BackendDriver);

}  // namespace
}  // namespace strata::test
