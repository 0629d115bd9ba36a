// The revision graph without a database: every shape, and every target form from each.
#include "strata/migrate/graph.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <strata/core/error.hpp>

namespace strata::migrate {
namespace {

using Ids = std::vector<std::string>;

Revision rev(std::string id, Ids down = {}, Ids depends = {}, Ids labels = {}) {
  Revision r;
  r.id = std::move(id);
  r.down_revisions = std::move(down);
  r.depends_on = std::move(depends);
  r.branch_labels = std::move(labels);
  r.file = "versions/" + r.id + ".yaml";
  return r;
}

std::string fmt_id(int i) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%012x", i);
  return buffer;
}

Ids ids(const std::vector<Step>& steps) {
  Ids out;
  for (const auto& s : steps) out.push_back(s.revision->id);
  return out;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const MigrationError& e) {
    return e.what();
  }
  return "no error";
}

// a1 -> b2 -> c3
RevisionGraph linear() {
  return RevisionGraph(
      {rev("aaaa1111"), rev("bbbb2222", {"aaaa1111"}), rev("cccc3333", {"bbbb2222"})});
}

TEST(Graph, LinearHeadsBasesAndPlans) {
  auto g = linear();
  EXPECT_EQ(g.heads(), Ids{"cccc3333"});
  EXPECT_EQ(g.bases(), Ids{"aaaa1111"});
  auto up = g.plan_upgrade({}, "head");
  EXPECT_EQ(ids(up), (Ids{"aaaa1111", "bbbb2222", "cccc3333"}));
  EXPECT_EQ(up[1].heads_after, Ids{"bbbb2222"});
  EXPECT_TRUE(g.plan_upgrade({"cccc3333"}, "head").empty());
  EXPECT_EQ(ids(g.plan_upgrade({"aaaa1111"}, "+1")), Ids{"bbbb2222"});
  EXPECT_EQ(ids(g.plan_upgrade({}, "aaaa1111+2")), (Ids{"aaaa1111", "bbbb2222", "cccc3333"}));
  auto down = g.plan_downgrade({"cccc3333"}, "base");
  EXPECT_EQ(ids(down), (Ids{"cccc3333", "bbbb2222", "aaaa1111"}));
  EXPECT_EQ(down.back().heads_after, Ids{});
  auto one = g.plan_downgrade({"cccc3333"}, "-1");
  EXPECT_EQ(ids(one), Ids{"cccc3333"});
  EXPECT_EQ(one[0].heads_after, Ids{"bbbb2222"});
  EXPECT_EQ(ids(g.plan_downgrade({"cccc3333"}, "cccc3333-2")), (Ids{"cccc3333", "bbbb2222"}));
}

TEST(Graph, PrefixesAndUnknownRevisions) {
  auto g = linear();
  EXPECT_EQ(g.get("bbbb").id, "bbbb2222");
  EXPECT_NE(error_of([&] { g.get("bbb"); }).find("at least 4 characters"), std::string::npos);
  EXPECT_NE(error_of([&] { g.get("dddd"); }).find("unknown revision 'dddd'"), std::string::npos);
  RevisionGraph twins({rev("abcd1111"), rev("abcd2222", {"abcd1111"})});
  EXPECT_NE(error_of([&] { twins.get("abcd"); }).find("ambiguous: abcd1111, abcd2222"),
            std::string::npos);
  EXPECT_NE(error_of([&] { g.plan_upgrade({"cccc3333"}, "+1"); }).find("head is reached"),
            std::string::npos);
  EXPECT_NE(error_of([&] { g.plan_downgrade({}, "-1"); }).find("base is reached"),
            std::string::npos);
  // A database at a revision whose file is gone plans nothing, whichever way and target.
  for (const auto& plan :
       std::vector<std::function<void()>>{[&] { g.plan_upgrade({"ffff0000"}, "head"); },
                                          [&] { g.plan_downgrade({"ffff0000"}, "-1"); },
                                          [&] { g.plan_downgrade({"ffff0000"}, "base"); },
                                          [&] {
                                            g.plan_downgrade({"cccc3333", "ffff0000"}, "aaaa1111");
                                          },
                                          [&] { g.resolve("-1", {"ffff0000"}); }}) {
    EXPECT_NE(error_of(plan).find("the database is at revision ffff0000, which no file"),
              std::string::npos);
  }
  EXPECT_EQ(g.resolve("bbbb", {"ffff0000"}), Ids{"bbbb2222"});  // what stamp needs
}

// a -> b, a -> c, d merges b and c.
RevisionGraph diamond() {
  return RevisionGraph({rev("aaaa0001"), rev("bbbb0002", {"aaaa0001"}),
                        rev("cccc0003", {"aaaa0001"}), rev("dddd0004", {"bbbb0002", "cccc0003"})});
}

TEST(Graph, DiamondBranchesAndMerge) {
  auto g = diamond();
  EXPECT_EQ(g.heads(), Ids{"dddd0004"});
  EXPECT_EQ(g.branch_points(), Ids{"aaaa0001"});
  EXPECT_EQ(ids(g.plan_upgrade({}, "heads")),
            (Ids{"aaaa0001", "bbbb0002", "cccc0003", "dddd0004"}));
  auto from_b = g.plan_upgrade({"bbbb0002"}, "head");
  EXPECT_EQ(ids(from_b), (Ids{"cccc0003", "dddd0004"}));
  EXPECT_EQ(from_b[0].heads_after, (Ids{"bbbb0002", "cccc0003"}));
  EXPECT_EQ(from_b[1].heads_after, Ids{"dddd0004"});
  auto back = g.plan_downgrade({"dddd0004"}, "-1");
  EXPECT_EQ(ids(back), Ids{"dddd0004"});
  EXPECT_EQ(back[0].heads_after, (Ids{"bbbb0002", "cccc0003"}));
  EXPECT_NE(error_of([&] {
              g.plan_downgrade({"bbbb0002", "cccc0003"}, "-1");
            }).find("ambiguous"),
            std::string::npos);
  EXPECT_NE(error_of([&] { g.plan_upgrade({"aaaa0001"}, "+1"); }).find("bbbb0002 or cccc0003"),
            std::string::npos);
  // As in Alembic, a downgrade reverts what descends from the target; the sibling stays.
  auto to_b = g.plan_downgrade({"dddd0004"}, "bbbb0002");
  EXPECT_EQ(ids(to_b), Ids{"dddd0004"});
  EXPECT_EQ(to_b.back().heads_after, (Ids{"bbbb0002", "cccc0003"}));
  EXPECT_EQ(g.history().front()->id, "dddd0004");
  EXPECT_EQ(g.history().back()->id, "aaaa0001");
}

// Two roots with labels; y2 depends on x1 across the branches.
RevisionGraph two_roots() {
  return RevisionGraph({rev("1111aaaa", {}, {}, {"x"}), rev("2222bbbb", {"1111aaaa"}),
                        rev("3333cccc", {}, {}, {"y"}),
                        rev("4444dddd", {"3333cccc"}, {"1111aaaa"})});
}

TEST(Graph, SeveralRootsLabelsAndDependencies) {
  auto g = two_roots();
  EXPECT_EQ(g.heads(), (Ids{"2222bbbb", "4444dddd"}));
  EXPECT_EQ(g.bases(), (Ids{"1111aaaa", "3333cccc"}));
  auto message = error_of([&] { g.plan_upgrade({}, "head"); });
  EXPECT_NE(message.find("there are 2 heads (2222bbbb, 4444dddd)"), std::string::npos) << message;
  EXPECT_NE(message.find("write a merge revision joining them"), std::string::npos) << message;
  EXPECT_EQ(message.find("strata "), std::string::npos) << message;
  EXPECT_EQ(g.resolve("x@head", {}), Ids{"2222bbbb"});
  // The y branch needs x's first revision, and only that.
  EXPECT_EQ(ids(g.plan_upgrade({}, "y@head")), (Ids{"1111aaaa", "3333cccc", "4444dddd"}));
  auto all = g.plan_upgrade({}, "heads");
  EXPECT_EQ(all.back().heads_after, (Ids{"2222bbbb", "4444dddd"}));
  // Reverting x's second revision leaves the y branch, which needs only the first.
  auto x_back = g.plan_downgrade({"2222bbbb", "4444dddd"}, "1111aaaa");
  EXPECT_EQ(ids(x_back), Ids{"2222bbbb"});
  EXPECT_EQ(x_back[0].heads_after, Ids{"4444dddd"});
  // Reverting y's root leaves the x branch.
  auto y_root = g.plan_downgrade({"2222bbbb", "4444dddd"}, "3333cccc");
  EXPECT_EQ(ids(y_root), Ids{"4444dddd"});
  EXPECT_EQ(y_root[0].heads_after, (Ids{"2222bbbb", "3333cccc"}));
  // Reverting the x branch takes down y's revision that depends on it.
  auto x_base = g.plan_downgrade({"2222bbbb", "4444dddd"}, "x@base");
  EXPECT_EQ(ids(x_base), (Ids{"4444dddd", "2222bbbb", "1111aaaa"}));
  EXPECT_EQ(x_base.back().heads_after, Ids{"3333cccc"});
  EXPECT_NE(error_of([&] { g.resolve("z@head", {}); }).find("no revision has the branch label 'z'"),
            std::string::npos);
}

TEST(Graph, TargetsInTheWrongDirectionAreRefused) {
  auto g = linear();
  auto up = error_of([&] { g.plan_upgrade({"cccc3333"}, "aaaa"); });
  EXPECT_NE(up.find("is below the database's revision cccc3333: downgrade"), std::string::npos)
      << up;
  auto down = error_of([&] { g.plan_downgrade({"aaaa1111"}, "cccc"); });
  EXPECT_NE(down.find("is not applied: the database is at aaaa1111; upgrade"), std::string::npos)
      << down;
  EXPECT_TRUE(g.plan_upgrade({"cccc3333"}, "cccc").empty());
  EXPECT_TRUE(g.plan_downgrade({"aaaa1111"}, "aaaa").empty());
  // y2 depends on x1: at y2, x1 is applied, so reaching it is no step down.
  EXPECT_TRUE(two_roots().plan_upgrade({"4444dddd"}, "1111aaaa").empty());
}

TEST(Graph, StampKeepsAHeadThatOnlyDependsOnTheTarget) {
  // y2 depends on x1: stamping x1 there changes nothing, y2 stays.
  EXPECT_EQ(two_roots().stamped({"4444dddd"}, "1111aaaa"), Ids{"4444dddd"});
  // x comes down to x1, which y2 holds applied already.
  EXPECT_EQ(two_roots().stamped({"2222bbbb", "4444dddd"}, "1111aaaa"), Ids{"4444dddd"});
}

TEST(Graph, RelativeStepsGoUpFromTheRevisionNamed) {
  // From b in the diamond, c is a sibling, not a step up.
  EXPECT_NE(error_of([&] { diamond().resolve("bbbb0002+1", {}); }).find("cannot go 1"),
            std::string::npos);
  // Another root is no step up from x1.
  EXPECT_EQ(two_roots().resolve("1111aaaa+1", {}), Ids{"2222bbbb"});
  EXPECT_EQ(two_roots().resolve("+1", {"1111aaaa"}), Ids{"2222bbbb"});
  // y2 depends on x1, so the version table holds y2 alone; x1 is still a tip to step from.
  EXPECT_EQ(two_roots().resolve("+1", {"4444dddd"}), (Ids{"4444dddd", "2222bbbb"}));
  // With a revision above y2, that is the step; x's next one is not.
  RevisionGraph y3({rev("1111aaaa"), rev("2222bbbb", {"1111aaaa"}), rev("3333cccc"),
                    rev("4444dddd", {"3333cccc"}, {"1111aaaa"}), rev("5555eeee", {"4444dddd"})});
  EXPECT_EQ(y3.resolve("+1", {"4444dddd"}), Ids{"5555eeee"});
  EXPECT_EQ(y3.resolve("4444dddd+1", {}), Ids{"5555eeee"});
  // An id holding a sign is an id first.
  RevisionGraph g({rev("release-2"), rev("release-3", {"release-2"})});
  EXPECT_EQ(g.resolve("release-2", {}), Ids{"release-2"});
  EXPECT_EQ(g.resolve("release-2+1", {}), Ids{"release-3"});
}

TEST(Graph, InvalidGraphsNameTheFile) {
  auto missing = error_of([] { RevisionGraph({rev("aaaa0001", {"ffff9999"})}); });
  EXPECT_NE(missing.find("versions/aaaa0001.yaml: revision aaaa0001 has down_revision ffff9999"),
            std::string::npos)
      << missing;
  auto twice = error_of([] { RevisionGraph({rev("aaaa0001"), rev("aaaa0001")}); });
  EXPECT_NE(twice.find("defined twice"), std::string::npos);
  auto cycle = error_of([] {
    RevisionGraph({rev("aaaa0001", {"cccc0003"}), rev("bbbb0002", {"aaaa0001"}),
                   rev("cccc0003", {"bbbb0002"})});
  });
  EXPECT_NE(cycle.find("cycle"), std::string::npos);
  auto label = error_of([] {
    RevisionGraph({rev("aaaa0001", {}, {}, {"x"}), rev("bbbb0002", {}, {}, {"x"})});
  });
  EXPECT_NE(label.find("branch label 'x' is on both"), std::string::npos);
  auto dep = error_of([] { RevisionGraph({rev("aaaa0001", {}, {"eeee"})}); });
  EXPECT_NE(dep.find("depends on eeee"), std::string::npos);
}

TEST(Graph, HistoryRanges) {
  auto g = linear();
  auto range = g.history(Range::parse("aaaa1111:cccc3333"));
  ASSERT_EQ(range.size(), 2u);
  EXPECT_EQ(range[0]->id, "cccc3333");
  EXPECT_EQ(g.history(Range::parse(":bbbb")).size(), 2u);
  EXPECT_EQ(g.history(Range::parse("bbbb:")).size(), 1u);
  EXPECT_THROW(Range::parse("aaaa"), ConfigError);
}

TEST(Graph, LongChainPlansInOrder) {
  std::vector<Revision> chain;
  for (int i = 0; i < 1000; ++i) {
    chain.push_back(rev(fmt_id(i), i == 0 ? Ids{} : Ids{fmt_id(i - 1)}));
  }
  RevisionGraph g(std::move(chain));
  auto steps = g.plan_upgrade({}, "head");
  ASSERT_EQ(steps.size(), 1000u);
  EXPECT_EQ(steps[999].heads_after, Ids{fmt_id(999)});
  EXPECT_EQ(g.plan_downgrade({fmt_id(999)}, "base").size(), 1000u);
}

}  // namespace
}  // namespace strata::migrate
