#include "agent/run/conflict_values.h"

#include <catch2/catch.hpp>

namespace ferry::conflict_values_test {

namespace {

// config (json, from config), data (json, $record), title (text), due (timestamp),
// version (text, $store.schemaVersion), user (text, $user).
EntityMapping Entity() {
  EntityMapping entity;
  entity.name = "environments";
  auto column = [](const char* name, ColumnType type, ColumnSource source, const char* field) {
    ColumnMapping column;
    column.def = {name, type, true};
    column.source = source;
    column.field = field;
    return column;
  };
  entity.columns = {column("config", ColumnType::kJson, ColumnSource::kField, "config"),
                    column("data", ColumnType::kJson, ColumnSource::kRecord, ""),
                    column("title", ColumnType::kText, ColumnSource::kField, "title"),
                    column("due", ColumnType::kTimestamp, ColumnSource::kField, "due"),
                    column("version", ColumnType::kText, ColumnSource::kStoreKey, "apiKey"),
                    column("user", ColumnType::kText, ColumnSource::kUser, "")};
  for (const ColumnMapping& c : entity.columns) entity.table.columns.push_back(c.def);
  entity.sensitive = {"config.token", "apiKey"};
  return entity;
}

Row MakeRow(Cell config, Cell data, Cell title, Cell due = Cell{}) {
  return Row{{std::move(config), std::move(data), std::move(title), std::move(due),
              std::string("v"), std::string("u")}};
}

}  // namespace

TEST_CASE("HoldsSensitive: a sensitive field, a value inside or holding one, is withheld",
          "[agent][conflict][hostile]") {
  EntityMapping entity = Entity();
  CHECK_FALSE(HoldsSensitive(entity, "title"));
  CHECK_FALSE(HoldsSensitive(entity, "config.region"));
  CHECK_FALSE(HoldsSensitive(entity, "config.tokens"));  // a sibling with a longer name
  CHECK_FALSE(HoldsSensitive(entity, "user"));
  CHECK(HoldsSensitive(entity, "config.token"));
  CHECK(HoldsSensitive(entity, "config.token.ghp_abc"));
  CHECK(HoldsSensitive(entity, "config"));  // holds config.token
  CHECK(HoldsSensitive(entity, "data"));    // the whole record holds every field
  CHECK(HoldsSensitive(entity, "data.apiKey"));
  CHECK_FALSE(HoldsSensitive(entity, "data.theme"));
  CHECK(HoldsSensitive(entity, "version"));  // read from a sensitive store key
  CHECK(HoldsSensitive(entity, "nosuchcolumn"));
}

TEST_CASE("ValuesAt: cells and JSON members as short text, the source's value when not taken",
          "[agent][conflict]") {
  EntityMapping entity = Entity();
  Row before = MakeRow(std::string(R"({"region":"eu","a.b":{"c":1}})"), std::string("{}"),
                       std::string("old \"title\""), int64_t{0});
  Row incoming = MakeRow(std::string(R"({"region":"us","a.b":{"c":2}})"), std::string("{}"),
                         std::string("new"), int64_t{86400000});
  ConflictRows rows{&before, &incoming, &incoming};
  ConflictValues title = ValuesAt(entity, "title", rows);
  CHECK_FALSE(title.withheld);
  CHECK(title.before == R"("old \"title\"")");
  CHECK(title.after == R"("new")");
  CHECK(title.incoming.empty());
  CHECK(ValuesAt(entity, "config.region", rows).before == R"("eu")");
  // A member name holding a dot is found too.
  CHECK(ValuesAt(entity, "config.a.b.c", rows).after == "2");
  CHECK(ValuesAt(entity, "config.missing", rows).before == "(absent)");
  ConflictValues due = ValuesAt(entity, "due", rows);
  CHECK(due.before == "1970-01-01T00:00:00.000Z");
  CHECK(due.after == "1970-01-02T00:00:00.000Z");
  ConflictRows kept{&before, &incoming, &before};
  CHECK(ValuesAt(entity, "title", kept).incoming == R"("new")");
}

TEST_CASE("ValuesAt: a withheld field keeps no byte of its value; long values are cut",
          "[agent][conflict][hostile]") {
  EntityMapping entity = Entity();
  Row before = MakeRow(std::string(R"({"token":"ghp_SECRET"})"), Cell{}, Cell{});
  Row incoming =
      MakeRow(std::string(R"({"token":"ghp_OTHER"})"), Cell{}, std::string(300, 'x') + "é");
  ConflictRows rows{&before, &incoming, &incoming};
  for (const char* path : {"config", "config.token"}) {
    ConflictValues values = ValuesAt(entity, path, rows);
    CHECK(values.withheld);
    CHECK(values.before.empty());
    CHECK(values.after.empty());
    CHECK(values.incoming.empty());
  }
  ConflictValues title = ValuesAt(entity, "title", rows);
  CHECK(title.before == "null");
  CHECK(title.after.size() <= kMaxExampleValueBytes + 3);
  CHECK(title.after.substr(title.after.size() - 3) == "...");
  // A json cell that is not JSON is shown as text, quoted.
  Row broken = MakeRow(std::string("{not json"), Cell{}, Cell{});
  CHECK(ValuesAt(Entity(), "data", ConflictRows{&broken, &broken, &broken}).withheld);
  entity.sensitive.clear();
  CHECK(ValuesAt(entity, "config", ConflictRows{&broken, &broken, &broken}).before ==
        R"("{not json")");
}

TEST_CASE("DifferingColumns: compared as values, JSON by value", "[agent][conflict]") {
  EntityMapping entity = Entity();
  Row a = MakeRow(std::string(R"({"a":1,"b":2})"), std::string("{}"), std::string("t"));
  Row b = MakeRow(std::string(R"({"b":2, "a":1})"), std::string("{}"), std::string("u"));
  CHECK(DifferingColumns(entity.table, a, b) == std::vector<std::string>{"title"});
  CHECK(DifferingColumns(entity.table, a, a).empty());
}

}  // namespace ferry::conflict_values_test
