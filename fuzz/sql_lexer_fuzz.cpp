// The bytes as SQL text through strata's tokenizer (src/core/sql_lexer.hpp) with each syntax,
// then through what reads SQL with it: the placeholder renderer for both backends, SQLite's DDL
// reading, and finding and renaming a column in an expression. The tokens must cover the input
// exactly, in order, none empty, and only the last may be cut off by the end; the readers must
// neither read past the input nor throw anything but strata's errors.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/sql_lexer.hpp"
#include "core/sql_text.hpp"
#include "dialect/sqlite/sqlite_ddl.hpp"
#include "engine/placeholders.hpp"
#include "strata/core/error.hpp"

namespace {

using namespace strata::detail;

void expect(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "sql_lexer_fuzz: %s\n", what);
  std::abort();
}

void check_tokens(std::string_view sql, const SqlSyntax& syntax) {
  auto tokens = tokenize_sql(sql, syntax);
  std::string joined;
  std::size_t offset = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const SqlToken& t = tokens[i];
    expect(!t.text.empty(), "an empty token");
    expect(t.offset == offset, "a gap or an overlap between tokens");
    expect(t.text.data() == sql.data() + t.offset, "a token that is not a view of the input");
    expect(t.terminated || i + 1 == tokens.size(), "an unterminated token before the end");
    offset = t.end();
    joined += t.text;
  }
  expect(joined == sql, "the tokens joined differ from the input");
  auto significant = significant_tokens(sql, syntax);
  for (const SqlToken& t : significant) expect(!t.blank(), "a blank significant token");
}

void check_placeholders(std::string_view sql, char prefix, const SqlSyntax& syntax) {
  try {
    auto rendered = render_placeholders(sql, prefix, syntax);
    expect(rendered.param_count >= 0, "a negative parameter count");
    bool none = sql.find_first_of("?:") == std::string_view::npos;
    expect(!none || (rendered.sql == sql && rendered.param_count == 0),
           "text without ? or : rewritten");
  } catch (const strata::Error&) {
    // Mixed ? and :name: refused as the renderer should.
  }
}

void check_expressions(std::string_view sql) {
  for (std::string_view column : {"a", "A", "\"a\"", "select"}) {
    if (!expression_names(sql, column)) {
      expect(rename_in_expression(sql, column, "b") == sql, "renamed a column it does not name");
    } else {
      rename_in_expression(sql, column, "new name");
    }
  }
  auto same = index_for_new_shape(sql, {}, {});
  expect(same && *same == sql, "an index rewritten without renames");
  index_for_new_shape(sql, {{"a", "b"}}, {"c"});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view sql(reinterpret_cast<const char*>(data), size);
  for (const SqlSyntax* syntax : {&kSqliteSyntax, &kPostgresSyntax, &kExpressionSyntax}) {
    check_tokens(sql, *syntax);
  }
  check_placeholders(sql, '?', kSqliteSyntax);
  check_placeholders(sql, '$', kPostgresSyntax);
  parse_create_table(sql);
  parse_index_where(sql);
  parse_index_columns(sql);
  sqlite_names(sql);
  check_expressions(sql);
  return 0;
}
