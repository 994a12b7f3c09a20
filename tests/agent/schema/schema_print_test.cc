// What `ferry schema` prints: status lines, up and down lines, and the JSON document.
#include "agent/schema/schema_print.h"

#include <simdjson.h>

#include <catch2/catch.hpp>

namespace ferry::schema_print_test {
namespace {

using State = SchemaMigration::State;

SchemaMigration Migration(int version, State state, const std::string& table) {
  SchemaMigration m;
  m.version = version;
  m.state = state;
  m.table = table;
  m.description = table.empty() ? "ferry bookkeeping: runs" : "create table " + table;
  m.checksum = "c" + std::to_string(version);
  if (state != State::kPending) {
    m.recorded_checksum = state == State::kChanged ? "old" : m.checksum;
    m.applied_at = "2024-01-02T03:04:05.678Z";
    m.exists = state != State::kMissing;
  }
  return m;
}

}  // namespace

TEST_CASE("SchemaStatusText: one aligned line per migration, drifts in capitals",
          "[agent][schema]") {
  SchemaMigration adopt = Migration(0, State::kPending, "\"prefs\"");
  adopt.exists = true;
  adopt.description = "adopt table \"prefs\"";
  SchemaMigration refused = Migration(0, State::kPending, "\"bad\"");
  refused.exists = true;
  refused.description = "adopt table \"bad\"";
  refused.refusal = "column \"id\" is INTEGER";
  SchemaMigration other = Migration(4, State::kApplied, "");
  other.description = "create table \"x\" (mapping \"b\")";
  other.in_mapping = false;
  std::string text = SchemaStatusText(
      {Migration(1, State::kApplied, ""), Migration(2, State::kChanged, "\"tasks\""),
       Migration(3, State::kMissing, "\"notes\""), other, adopt, refused});
  CHECK(
      text ==
      R"(1  applied  2024-01-02T03:04:05.678Z  ferry bookkeeping: runs                               c1
2  CHANGED  2024-01-02T03:04:05.678Z  create table "tasks"                                  old (now c2)
3  MISSING  2024-01-02T03:04:05.678Z  create table "notes"                                  c3
4  applied  2024-01-02T03:04:05.678Z  create table "x" (mapping "b") [not in this mapping]  c4
-  pending  -                         adopt table "prefs" [exists: up adopts it as it is]   c0
-  pending  -                         adopt table "bad" [exists: REFUSED, see below]        c0
)");
  CHECK(IsSchemaDrift(Migration(2, State::kChanged, "\"tasks\"")));
  CHECK(IsSchemaDrift(Migration(3, State::kMissing, "\"notes\"")));
  CHECK_FALSE(IsSchemaDrift(adopt));
  SchemaMigration elsewhere = Migration(5, State::kChanged, "\"y\"");
  elsewhere.in_mapping = false;
  CHECK_FALSE(IsSchemaDrift(elsewhere));
}

TEST_CASE("SchemaUpText and SchemaDownText: what was applied, adopted and reverted",
          "[agent][schema]") {
  SchemaMigration own = Migration(1, State::kApplied, "");
  own.exists = true;  // the bookkeeping is never "adopted"
  SchemaMigration created = Migration(2, State::kApplied, "\"tasks\"");
  created.exists = false;
  SchemaMigration adopted = Migration(3, State::kApplied, "\"prefs\"");
  adopted.adopted = true;
  adopted.description = "adopt table \"prefs\"";
  CHECK(SchemaUpText({own, created, adopted}, "sqlite:t.db") ==
        "applied 1  ferry bookkeeping: runs\n"
        "applied 2  create table \"tasks\"\n"
        "adopted 3  adopt table \"prefs\" [the table existed; it is recorded as it is, never "
        "dropped]\n");
  CHECK(SchemaDownText(adopted).find("forgot the adoption; table \"prefs\" stays with its rows") !=
        std::string::npos);
  CHECK(SchemaUpText({}, "sqlite:t.db") == "nothing to apply: sqlite:t.db is up to date\n");
  CHECK(
      SchemaDownText(Migration(3, State::kApplied, "\"prefs\"")).find("dropped table \"prefs\"") !=
      std::string::npos);
  CHECK(SchemaDownText(Migration(3, State::kMissing, "\"prefs\"")).find("was already gone") !=
        std::string::npos);
}

TEST_CASE("SchemaJson: one document with every field, names escaped", "[agent][schema]") {
  SchemaMigration hostile = Migration(2, State::kChanged, "\"a\"\"b\"");
  std::string json = SchemaJson("postgresql://u:****@h/db", "app\"x", "migrations",
                                {Migration(1, State::kApplied, ""), hostile}, false);
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(json);
  CHECK(std::string_view(doc["mapping"]) == "app\"x");
  simdjson::dom::array list = doc["migrations"].get_array();
  REQUIRE(list.size() == 2);
  simdjson::dom::element changed = list.at(1);
  CHECK(std::string_view(changed["state"]) == "changed");
  CHECK(std::string_view(changed["table"]) == "\"a\"\"b\"");
  CHECK(std::string_view(changed["recorded_checksum"]) == "old");
  CHECK(bool(changed["in_mapping"]));

  simdjson::dom::element down =
      parser.parse(SchemaJson("sqlite:t.db", "app", "reverted", {hostile}, true));
  CHECK(int64_t(down["reverted"]["version"]) == 2);
}

}  // namespace ferry::schema_print_test

namespace ferry::schema_print_test {

TEST_CASE("SchemaStatusText and SchemaDownText: evolution steps, pending, refused and reverted",
          "[agent][schema][evolution]") {
  SchemaMigration step = Migration(0, State::kPending, "\"notes\"");
  step.exists = true;
  step.description = "evolve table \"notes\": add column \"done\" (boolean)";
  SchemaMigration refused = step;
  refused.description = "evolve table \"notes\": add unique key (\"a\")";
  refused.refusal = "rows share it";
  SchemaMigration changed = Migration(3, State::kChanged, "\"t\"");
  changed.refusal = "ferry never drops a column";
  std::string text = SchemaStatusText({step, refused, changed});
  CHECK(text.find("(boolean) [up applies it; the table keeps its rows]") != std::string::npos);
  CHECK(text.find("(\"a\") [REFUSED, see below]") != std::string::npos);
  CHECK(text.find("[the mapping changed it: REFUSED, see below]") != std::string::npos);
  CHECK(text.find("[exists:") == std::string::npos);

  SchemaMigration reverted = Migration(7, State::kApplied, "\"notes\"");
  reverted.description = step.description;
  std::string down = SchemaDownText(reverted);
  CHECK(down.find("reverted 7  evolve table") != std::string::npos);
  CHECK(down.find("stays with its rows") != std::string::npos);
  CHECK(down.find("dropped") == std::string::npos);
}

}  // namespace ferry::schema_print_test
