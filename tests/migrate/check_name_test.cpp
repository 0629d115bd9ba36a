// A check constraint's name in a revision file: the `{name}` of the convention's ck template,
// or with `final: true` the constraint's own name, which the writer uses for every name the
// template would change (a name the database gave, read by --baseline or autogenerate).
#include <gtest/gtest.h>

#include <strata/migrate/revision_writer.hpp>
#include <strata/migrate/script_directory.hpp>

#include "migrate/revision_text.hpp"

namespace strata::migrate {
namespace {

using test::error_of;
using test::parse;

const char* kOrders = R"yaml(  - create_table:
      name: orders
      columns:
        - {name: id, type: biginteger, primary_key: true}
        - {name: total, type: integer}
      check_constraints:
        - {name: total_not_negative, condition: "total >= 0", final: true}
        - {name: total_small, condition: "total < 1000"}
  - create_check_constraint: {name: id_positive, table: orders, condition: "id > 0", final: true}
  - create_check_constraint: {name: id_small, table: orders, condition: "id < 1000"}
)yaml";

std::vector<std::string> check_names(const Revision& r) {
  std::vector<std::string> out;
  for (const auto& c : std::get<CreateTable>(r.upgrade.at(0)).table.check_constraints) {
    out.push_back(c.name);
  }
  for (std::size_t i = 1; i < r.upgrade.size(); ++i) {
    out.push_back(std::get<CreateCheckConstraint>(r.upgrade[i]).constraint.name);
  }
  return out;
}

TEST(CheckName, FinalKeepsTheNameTheTemplateWouldChange) {
  EXPECT_EQ(check_names(parse(kOrders)),
            (std::vector<std::string>{"total_not_negative", "ck_orders_total_small", "id_positive",
                                      "ck_orders_id_small"}));
  NamingConvention convention;
  convention.check = "{table}_{name}_check";
  EXPECT_EQ(check_names(parse(kOrders, {.convention = convention})),
            (std::vector<std::string>{"total_not_negative", "orders_total_small_check",
                                      "id_positive", "orders_id_small_check"}));
  EXPECT_EQ(error_of("  - create_check_constraint: {name: a, table: t, condition: \"a\", "
                     "final: maybe}\n"),
            "versions/x.yaml:4: 'final' in create_check_constraint must be true or false");
}

// Names the template would change are written final; names it keeps are written plain, as
// before; both read back as the same operations, under any convention.
TEST(CheckName, TheWriterWritesFinalWhereTheTemplateWouldChangeTheName) {
  for (std::string ck : {"ck_{table}_{name}", "{table}_{name}_check", "{name}"}) {
    NamingConvention convention;
    convention.check = ck;
    Revision r = parse(kOrders, {.convention = convention});
    std::string text = write_revision(r, {}, convention);
    bool plain = ck == "{name}";
    for (const char* name : {"total_not_negative", "id_positive"}) {
      auto at = text.find(std::string("{name: ") + name);
      ASSERT_NE(at, std::string::npos) << text;
      auto line = text.substr(at, text.find('\n', at) - at);
      EXPECT_EQ(line.find("final: true") == std::string::npos, plain) << ck << ": " << line;
    }
    EXPECT_EQ(text.find("small\", final"), std::string::npos) << text;
    EXPECT_EQ(parse_revision(text, "versions/x.yaml", convention).upgrade, r.upgrade) << text;
  }
}

// A downgrade that brings back a check the database named keeps that name.
TEST(CheckName, AnInverseOfADropWritesTheDatabasesName) {
  Table orders("orders", {Column("id", Type::biginteger()).primary_key()});
  orders.check_constraints.push_back({"id_positive", "id > 0"});
  SchemaState state;
  state.apply(CreateTable{orders});
  Revision r;
  r.id = "a1";
  r.upgrade = {DropConstraint{"orders", "id_positive", ConstraintType::check}};
  r.downgrade = inverse(r.upgrade, state);
  r.has_downgrade = true;
  std::string text = write_revision(r);
  EXPECT_NE(text.find("{name: id_positive, table: orders, condition: \"id > 0\", final: true}"),
            std::string::npos)
      << text;
  EXPECT_EQ(parse_revision(text, "versions/x.yaml").downgrade, r.downgrade) << text;
}

}  // namespace
}  // namespace strata::migrate
