// The examples of docs/orm.md, built and run on both backends. Each example sits between
// `// doc:begin NAME` and `// doc:end` lines; the last test checks that docs/orm.md holds every
// one of them verbatim, so the guide cannot drift from code that compiles and passes.
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "support/backends.hpp"

// doc:begin models
#include <strata/orm/orm.hpp>

struct User {
  std::int64_t id = 0;
  std::string email;
  std::optional<std::string> name;
  strata::Timestamp created_at{};
};

struct Item {
  std::int64_t id = 0;
  std::string title;
  std::optional<std::string> description;
  std::int64_t owner_id = 0;
  std::int64_t version = 0;
};

inline const auto users =
    strata::table<User>("users", strata::column(&User::id, "id").primary_key(),
                        strata::column(&User::email, "email").type(strata::String{320}).unique(),
                        strata::column(&User::name, "name").type(strata::String{100}),
                        strata::column(&User::created_at, "created_at").default_now());

inline const auto items = strata::table<Item>(
    "items", strata::column(&Item::id, "id").primary_key(),
    strata::column(&Item::title, "title").type(strata::String{200}).index(),
    strata::column(&Item::description, "description"),
    strata::column(&Item::owner_id, "owner_id").references("users.id", strata::FkAction::cascade),
    strata::column(&Item::version, "version").version(),
    strata::check("length(title) > 0", "title_not_empty"));
// doc:end

namespace strata::test {
namespace {

// doc:begin metadata
strata::MetaData app_metadata() {
  strata::MetaData metadata;
  users.add_to(metadata);
  items.add_to(metadata);
  return metadata;
}
// doc:end

class DocsExamples : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    app_metadata().create_all(make_engine());
  }
};

TEST_P(DocsExamples, AddAndQuery) {
  auto engine = make_engine();
  // doc:begin add_and_query
  strata::SessionFactory sessions{engine};

  auto session = sessions();
  auto& ann = session.add(User{.email = "ann@example.com", .name = "Ann"});
  session.flush();  // INSERT ... ann.id and ann.created_at are filled in
  session.add(Item{.title = "hello", .owner_id = ann.id});
  session.commit();

  Item* found = session.select<Item>()
                    .where(strata::col(&Item::title) == "hello")
                    .order_by(strata::col(&Item::id).desc())
                    .first();  // the session's own object, or nullptr
  found->title = "renamed";
  session.commit();  // UPDATE items SET title = ?, version = ? WHERE id = ? AND version = ?
  // doc:end
  EXPECT_GT(ann.id, 0);
  EXPECT_GT(ann.created_at.time_since_epoch().count(), 0);
  EXPECT_EQ(found->version, 2);
}

TEST_P(DocsExamples, Queries) {
  strata::SessionFactory sessions{make_engine()};
  auto setup = sessions();
  auto& u = setup.add(User{.email = "ann@example.com", .name = "Ann"});
  setup.flush();
  setup.add(Item{.title = "a", .owner_id = u.id});
  setup.add(Item{.title = "b", .description = "second", .owner_id = u.id});
  setup.commit();
  std::int64_t user_id = u.id;
  // doc:begin queries
  auto session = sessions();
  User* user = session.get<User>(user_id);  // by primary key; nullptr when there is none

  std::vector<Item*> page = session.select<Item>()
                                .where(strata::col(&Item::owner_id) == user->id &&
                                       strata::col(&Item::description) != std::nullopt)
                                .order_by(strata::col(&Item::title))
                                .limit(20)
                                .offset(0)
                                .all();
  std::int64_t total = session.select<Item>().count();
  bool any_a = session.select<Item>().where(strata::col(&Item::title).like("a%")).exists();

  // Items of users called Ann: a join to filter; the rows are still items, each once.
  auto of_ann = session.select<Item>()
                    .join<User>(strata::col(&Item::owner_id) == strata::col(&User::id))
                    .where(strata::col(&User::name) == "Ann")
                    .all();
  // doc:end
  EXPECT_EQ(page.size(), 1u);
  EXPECT_EQ(total, 2);
  EXPECT_TRUE(any_a);
  EXPECT_EQ(of_ann.size(), 2u);
}

TEST_P(DocsExamples, Conditions) {
  strata::SessionFactory sessions{make_engine()};
  auto setup = sessions();
  auto& ann = setup.add(User{.email = "ann@example.com", .name = "Ann"});
  setup.add(User{.email = "bob@example.com"});
  setup.flush();
  std::vector<std::int64_t> ids;
  for (const char* title : {"hello", "Help", "world"}) {
    auto& item = setup.add(Item{.title = title, .owner_id = ann.id});
    setup.flush();
    ids.push_back(item.id);
  }
  setup.commit();
  std::int64_t first_id = ids[0], second_id = ids[1];
  // doc:begin conditions
  auto session = sessions();
  // IN: a std::vector of values of the column's kind; an empty vector matches no row.
  auto two = session.select<Item>()
                 .where(strata::col(&Item::id).in_(std::vector<std::int64_t>{first_id, second_id}))
                 .all();
  // NOT IN: the negation of in_().
  auto others = session.select<Item>()
                    .where(!strata::col(&Item::id).in_(std::vector<std::int64_t>{first_id}))
                    .count();
  // BETWEEN: both ends included.
  auto middle =
      session.select<Item>().where(strata::col(&Item::id).between(first_id, second_id)).count();
  // LIKE and ILIKE, on text columns only: like() follows the database's case rules, ilike()
  // ignores case on both backends.
  auto hel = session.select<Item>().where(strata::col(&Item::title).like("hel%")).count();
  auto hel_any_case = session.select<Item>().where(strata::col(&Item::title).ilike("HEL%")).count();
  // IS NULL and IS NOT NULL, on std::optional members only.
  auto unnamed = session.select<User>().where(strata::col(&User::name).is_null()).count();
  auto named = session.select<User>().where(strata::col(&User::name).is_not_null()).count();
  // Conditions combine with &&, || and !.
  auto either = session.select<Item>()
                    .where(strata::col(&Item::title) == "world" ||
                           (strata::col(&Item::title).ilike("h%") && strata::col(&Item::id) > 0))
                    .count();
  // doc:end
  EXPECT_EQ(two.size(), 2u);
  EXPECT_EQ(others, 2);
  EXPECT_EQ(middle, 2);
  EXPECT_GE(hel, 1);  // SQLite's LIKE ignores ASCII case, PostgreSQL's does not
  EXPECT_LE(hel, 2);
  EXPECT_EQ(hel_any_case, 2);
  EXPECT_EQ(unnamed, 1);
  EXPECT_EQ(named, 1);
  EXPECT_EQ(either, 3);
  EXPECT_EQ(
      session.select<Item>().where(strata::col(&Item::id).in_(std::vector<std::int64_t>{})).count(),
      0);
}

TEST_P(DocsExamples, Relations) {
  strata::SessionFactory sessions{make_engine()};
  auto setup = sessions();
  for (const char* email : {"a@x.com", "b@x.com"}) {
    auto& u = setup.add(User{.email = email});
    setup.flush();
    setup.add(Item{.title = "t", .owner_id = u.id});
  }
  setup.commit();
  // doc:begin relations
  auto session = sessions();
  std::vector<User*> list = session.select<User>().all();
  auto owner = strata::relation(&Item::owner_id, &User::id);

  // One query for the items of every user in the list (not one per user).
  auto items_of = session.load_children(list, owner);
  for (User* u : list) {
    for (Item* item : items_of.of(*u)) std::cout << u->email << ": " << item->title << "\n";
  }
  // And the other way: one query for the owners of a list of items.
  std::vector<Item*> all_items = session.select<Item>().all();
  auto owners = session.load_parents(all_items, owner);
  User* first_owner = owners.of(*all_items[0]);
  // doc:end
  EXPECT_NE(first_owner, nullptr);
  EXPECT_EQ(items_of.of(*list[0]).size(), 1u);
}

TEST_P(DocsExamples, SessionPerRequest) {
  auto engine = make_engine();
  // doc:begin per_request
  // One factory for the process; each request runs in its own session.
  strata::SessionFactory sessions{engine, {.autoflush = true, .expire_on_commit = false}};

  auto create_user = [&](const std::string& email) {
    return sessions.scope([&](strata::Session& session) {
      auto& user = session.add(User{.email = email});
      session.flush();
      return user.id;
    });  // committed here; rolled back if the lambda throws
  };
  std::int64_t id = create_user("ann@example.com");
  // doc:end
  EXPECT_GT(id, 0);
}

TEST_P(DocsExamples, ReadReplicas) {
  std::ofstream(dir() / "strata.toml") << "[database]\nurl = \"" << url() << "\"\n";
  auto config = strata::Config::load(dir() / "strata.toml");
  // doc:begin read_replicas
  // The replicas strata.toml or DATABASE_REPLICA_URLS names (none here), a pool each.
  std::vector<strata::Engine> replicas;
  for (const auto& url : config.replica_urls()) replicas.push_back(strata::create_engine(url));
  strata::SessionFactory sessions{
      strata::create_engine(config), replicas, {}, {.max_lag = config.replica_max_lag()}};

  // A request that only reads: a read-only session, on a replica when one is fit.
  std::int64_t users_now =
      sessions.read_scope([](strata::Session& session) { return session.select<User>().count(); });

  // A request that writes, then reads what it wrote: RequestSessions sends its reads to the
  // primary once it has written, as a replica may not have replayed the write yet.
  strata::RequestSessions request{sessions};
  request.scope([](strata::Session& session) { session.add(User{.email = "ann@example.com"}); });
  auto email = request.read_scope(
      [](strata::Session& session) { return session.select<User>().one().email; });
  // doc:end
  EXPECT_EQ(users_now, 0);
  EXPECT_EQ(email, "ann@example.com");
  EXPECT_TRUE(request.wrote());
}

TEST_P(DocsExamples, Errors) {
  strata::SessionFactory sessions{make_engine()};
  sessions.scope([](strata::Session& s) { s.add(User{.email = "ann@example.com"}); });
  // doc:begin errors
  auto session = sessions();
  session.add(User{.email = "ann@example.com"});  // taken already
  try {
    session.commit();
  } catch (const strata::IntegrityError&) {
    // The session rolled back and is usable again: answer 409, or try something else.
  }
  session.add(User{.email = "bob@example.com"});
  session.commit();
  // doc:end
  EXPECT_EQ(session.select<User>().count(), 2);
}

TEST_P(DocsExamples, Concurrency) {
  strata::SessionFactory sessions{make_engine()};
  std::int64_t item_id = sessions.scope([](strata::Session& s) {
    auto& u = s.add(User{.email = "ann@example.com"});
    s.flush();
    auto& i = s.add(Item{.title = "t", .owner_id = u.id});
    s.flush();
    return i.id;
  });
  auto other = sessions();
  other.get<Item>(item_id)->title = "changed elsewhere";
  // doc:begin stale
  auto session = sessions();
  Item* item = session.get<Item>(item_id);
  other.commit();  // another session changed the same row meanwhile
  item->title = "mine";
  try {
    session.commit();
  } catch (const strata::StaleDataError&) {
    // Reload and decide again: the row is not what this session read.
    item = session.get<Item>(item_id);
  }
  // doc:end
  EXPECT_EQ(item->title, "changed elsewhere");
}

TEST_P(DocsExamples, Streaming) {
  strata::SessionFactory sessions{make_engine()};
  sessions.scope([](strata::Session& s) {
    std::vector<User> many;
    for (int i = 0; i < 2500; ++i) many.push_back(User{.email = std::to_string(i) + "@x.com"});
    s.add_all(std::move(many));  // multi-row INSERTs
  });
  // doc:begin stream
  auto session = sessions();
  std::int64_t count = 0;
  for (const User& user : session.stream<User>().where(strata::col(&User::id) > 0)) {
    count += user.email.empty() ? 0 : 1;  // a page of rows at a time; nothing is kept
  }
  // doc:end
  EXPECT_EQ(count, 2500);
}

TEST_P(DocsExamples, ManyByKeyAndUntracked) {
  strata::SessionFactory sessions{make_engine()};
  std::vector<std::int64_t> ids = sessions.scope([](strata::Session& s) {
    std::vector<std::int64_t> out;
    for (const char* email : {"ann@x.com", "bob@x.com"}) {
      User& user = s.add(User{.email = email});
      s.flush();
      out.push_back(user.id);
    }
    return out;
  });
  auto engine = make_engine();
  // doc:begin many
  auto session = sessions();
  // One query for all of them, in the order asked; nullptr where there is no such row.
  std::vector<User*> found = session.get_many<User>(ids);

  // Copies for a list endpoint: no identity map, no snapshot, nothing to flush.
  std::vector<User> listed =
      session.select<User>().order_by(strata::col(&User::email)).limit(50).untracked();

  // A row of raw SQL read into a model, its columns matched by name.
  auto conn = engine.connect();
  auto result = conn.execute("SELECT * FROM users WHERE email = ?", "bob@x.com");
  User bob = result.row().as<User>();
  // doc:end
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[1]->email, "bob@x.com");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].email, "ann@x.com");
  EXPECT_EQ(bob.id, ids[1]);
}

TEST_P(DocsExamples, RawSql) {
  strata::SessionFactory sessions{make_engine()};
  // doc:begin execute
  auto session = sessions();
  session.add(User{.email = "ann@example.com"});
  // Raw SQL runs in the session's transaction, after the pending INSERT was flushed.
  auto result = session.execute("SELECT count(*) FROM users WHERE email LIKE ?", "%@example.com");
  std::int64_t n = result.scalar<std::int64_t>();
  session.commit();
  // doc:end
  EXPECT_EQ(n, 1);
}

STRATA_ON_BOTH_BACKENDS(DocsExamples);

// The text between `// doc:begin NAME` and `// doc:end`, indentation removed.
std::map<std::string, std::string> snippets(const std::string& source) {
  std::map<std::string, std::string> out;
  std::istringstream in(source);
  std::string line, name, text;
  std::size_t indent = 0;
  while (std::getline(in, line)) {
    // A marker is a line of its own: the code below that looks for markers is no marker.
    auto at = line.find_first_not_of(' ');
    if (at != std::string::npos && line.compare(at, 7, "// doc:") != 0) at = std::string::npos;
    if (at != std::string::npos && line.compare(at, 13, "// doc:begin ") == 0) {
      name = line.substr(at + 13);
      indent = at;
      text.clear();
    } else if (at != std::string::npos && line.compare(at, 10, "// doc:end") == 0) {
      out[name] = text;
      name.clear();
    } else if (!name.empty()) {
      text += (line.size() > indent ? line.substr(indent) : std::string()) + "\n";
    }
  }
  return out;
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(DocsGuide, HoldsEveryTestedExample) {
  auto guide = read(STRATA_SOURCE_DIR "/docs/orm.md");
  ASSERT_FALSE(guide.empty()) << "docs/orm.md is missing";
  auto examples = snippets(read(STRATA_SOURCE_DIR "/tests/orm/docs_examples_test.cpp"));
  ASSERT_GE(examples.size(), 10u);
  for (const auto& [name, text] : examples) {
    EXPECT_NE(guide.find("```cpp\n" + text + "```"), std::string::npos)
        << "docs/orm.md lacks the example '" << name << "' as tested:\n"
        << text;
  }
}

}  // namespace
}  // namespace strata::test
