// A program outside strata's tree using every library: the embedded command line migrates a
// SQLite file from a revision written here, and the ORM reads and writes the migrated table.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <strata/cli/cli.hpp>
#include <strata/strata.hpp>
#include <strata/version.hpp>

struct Note {
  std::int64_t id = 0;
  std::string text;
};

inline const auto notes = strata::table<Note>(
    "notes", strata::column(&Note::id, "id").primary_key(), strata::column(&Note::text, "text"));

namespace {

void write_project(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir / "migrations/versions");
  std::ofstream(dir / "strata.toml") << "[database]\nurl = \"sqlite:///app.db\"\n"
                                     << "[migrations]\nscript_location = \"migrations\"\n";
  std::ofstream(dir / "migrations/versions/20260101_0000_a1b2c3d4e5f6_notes.yaml")
      << "revision: a1b2c3d4e5f6\ndown_revision: null\nmessage: notes\nupgrade:\n"
      << "  - create_table:\n      name: notes\n      columns:\n"
      << "        - {name: id, type: biginteger, primary_key: true}\n"
      << "        - {name: text, type: text, nullable: false}\n"
      << "downgrade:\n  - drop_table: {name: notes}\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  std::filesystem::path dir = argv[1];
  write_project(dir);
  auto config = (dir / "strata.toml").string();
  const char* upgrade[] = {"app", "--config", config.c_str(), "-q", "upgrade", "head"};
  if (strata::cli::run(6, upgrade) != 0) return 1;

  auto engine = strata::create_engine(strata::Config::load(dir / "strata.toml"));
  strata::SessionFactory sessions{engine};
  auto session = sessions();
  session.add(Note{.text = "forty-two"});
  session.commit();
  auto found = session.select<Note>().where(strata::col(&Note::text) == "forty-two").all();
  std::printf("consumer ok: %zu note, strata %s\n", found.size(), strata::version_string);
  return found.size() == 1 ? 0 : 1;
}
