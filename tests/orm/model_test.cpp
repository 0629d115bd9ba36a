// Models as tables: the column types the C++ types give, nullability from std::optional, the
// .type() override, and the constraints a model declares, as MetaData (and so autogenerate and
// create_all) sees them.
#include "orm_models.hpp"

namespace strata::test {
namespace {

const Column& column_of(const Table& table, std::string_view name) {
  return table.column_or_throw(name);
}

TEST(OrmModel, CppTypesGiveColumnTypes) {
  const Table& t = everything.table();
  EXPECT_EQ(column_of(t, "id").type, Type::uuid());
  EXPECT_EQ(column_of(t, "small").type, Type::smallinteger());
  EXPECT_EQ(column_of(t, "medium").type, Type::integer());
  EXPECT_EQ(column_of(t, "big").type, Type::biginteger());
  EXPECT_EQ(column_of(t, "flag").type, Type::boolean());
  EXPECT_EQ(column_of(t, "ratio").type, Type::float32());
  EXPECT_EQ(column_of(t, "amount").type, Type::float64());
  EXPECT_EQ(column_of(t, "text").type, Type::text());
  EXPECT_EQ(column_of(t, "data").type, Type::binary());
  EXPECT_EQ(column_of(t, "day").type, Type::date());
  EXPECT_EQ(column_of(t, "time").type, Type::time());
  EXPECT_EQ(column_of(t, "local").type, Type::datetime());
  EXPECT_EQ(column_of(t, "instant").type, Type::datetime_tz());
  EXPECT_EQ(column_of(t, "doc").type, Type::json());
  EXPECT_EQ(column_of(t, "color").type, Type::string(5));  // the longest name, "green"
  EXPECT_EQ(column_of(t, "size").type, Type::integer());
}

TEST(OrmModel, OptionalMembersAreNullable) {
  const Table& t = everything.table();
  EXPECT_FALSE(column_of(t, "text").nullable);
  EXPECT_TRUE(column_of(t, "maybe_text").nullable);
  EXPECT_TRUE(column_of(t, "maybe_instant").nullable);
  EXPECT_EQ(column_of(t, "maybe_instant").type, Type::datetime_tz());
}

TEST(OrmModel, DeclaredConstraintsReachTheTable) {
  const Table& a = authors.table();
  EXPECT_EQ(column_of(a, "name").type, Type::string(100));
  ASSERT_TRUE(a.primary_key);
  EXPECT_EQ(a.primary_key->columns, std::vector<std::string>{"id"});
  EXPECT_TRUE(column_of(a, "id").autoincrement);
  ASSERT_TRUE(column_of(a, "status").server_default);
  EXPECT_EQ(column_of(a, "status").server_default->literal, Value("new"));
  ASSERT_EQ(a.unique_constraints.size(), 1u);

  const Table& b = books.table();
  ASSERT_EQ(b.foreign_keys.size(), 1u);
  EXPECT_EQ(b.foreign_keys[0].referred_table, "authors");
  EXPECT_EQ(b.foreign_keys[0].columns, std::vector<std::string>{"author_id"});
  EXPECT_EQ(b.check_constraints.size(), 1u);
  EXPECT_EQ(b.indexes.size(), 1u);
  ASSERT_EQ(b.unique_constraints.size(), 1u);
  EXPECT_EQ(b.unique_constraints[0].columns, (std::vector<std::string>{"author_id", "title"}));
}

TEST(OrmModel, ModelsRegisterIntoMetaDataWithConventionalNames) {
  const MetaData& md = orm_metadata();
  const Table* b = md.table("books");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->foreign_keys[0].name, "fk_books_author_id_authors");
  std::vector<std::string> order;
  for (const Table* t : md.sorted_tables()) order.push_back(t->name);
  auto at = [&](const std::string& n) { return std::find(order.begin(), order.end(), n); };
  EXPECT_LT(at("authors"), at("books"));
  EXPECT_LT(at("books"), at("chapters"));
}

TEST(OrmModel, ColumnsOfUnmappedMembersAreRefused) {
  struct Loose {
    std::int64_t id = 0;
    std::string other;
  };
  static const auto loose =
      strata::table<Loose>("loose", strata::column(&Loose::id, "id").primary_key());
  EXPECT_EQ(loose.name(), "loose");
  EXPECT_THROW(col(&Loose::other), UsageError);
}

TEST(OrmModel, AModelNeedsAPrimaryKey) {
  struct Keyless {
    std::int64_t id = 0;
  };
  EXPECT_THROW(strata::table<Keyless>("keyless", strata::column(&Keyless::id, "id")), ConfigError);
}

// The session writes a key and a version; a column the database alone writes can be neither.
TEST(OrmModel, AComputedColumnIsNeitherKeyNorVersion) {
  struct Odd {
    std::int64_t id = 0;
    std::int64_t version = 0;
  };
  try {
    strata::table<Odd>("odd", strata::column(&Odd::id, "id").primary_key().computed());
    ADD_FAILURE() << "a computed primary key was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("column id of table odd is computed() and a primary key"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(strata::table<Odd>("odd", strata::column(&Odd::id, "id").primary_key(),
                                  strata::column(&Odd::version, "version").version().computed()),
               ConfigError);
}

}  // namespace
}  // namespace strata::test
