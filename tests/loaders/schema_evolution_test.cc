// PlanEvolution, the target-neutral planner of issue 16 item 6: a recorded table's catalog
// shape against the mapping's table gives the steps ferry applies safely, or a refusal naming
// each unsafe change with its manual steps; step descriptions read back (hostile names too).
#include "loaders/schema_evolution.h"

#include <catch2/catch.hpp>

#include "loaders/schema_history.h"

namespace ferry::schema_evolution_test {
namespace {

bool Exact(const std::string& a, const std::string& b) { return a == b; }

constexpr unsigned kTextual = TypeBit(ColumnType::kText) | TypeBit(ColumnType::kUlid);

// The notes table of mapping v1: id ulid (key), user_id text NOT NULL, text text.
TableDef NotesV1() {
  TableDef table;
  table.name = "notes";
  table.columns = {{"id", ColumnType::kUlid, false},
                   {"user_id", ColumnType::kText, false},
                   {"text", ColumnType::kText, true}};
  table.primary_key = {"id"};
  table.mapping = "notes";
  table.entity = "notes";
  return table;
}

// The catalog shape ferry's CREATE of NotesV1 gives (PostgreSQL-like: ulid declared apart).
ExistingTable CreatedV1() {
  ExistingTable table;
  table.columns = {{"id", "text", TypeBit(ColumnType::kUlid), TypeBit(ColumnType::kUlid), true},
                   {"user_id", "text", kTextual, TypeBit(ColumnType::kText), true},
                   {"text", "text", kTextual, TypeBit(ColumnType::kText), false}};
  table.unique_keys = {{"id"}};
  return table;
}

EvolutionPlan Plan(const TableDef& wanted, const ExistingTable& existing, bool created = true) {
  return PlanEvolution(existing, wanted, "\"notes\"", /*adopting=*/false, created, Exact);
}

}  // namespace

TEST_CASE("PlanEvolution: a nullable column and a unique key are steps, each with its shape",
          "[loaders][schema][evolution]") {
  TableDef v2 = NotesV1();
  v2.columns.push_back({"done", ColumnType::kBoolean, true});
  v2.unique = {{"user_id", "done"}};
  EvolutionPlan plan = Plan(v2, CreatedV1());
  INFO(plan.refusal);
  REQUIRE(plan.refusal.empty());
  REQUIRE(plan.steps.size() == 2);
  CHECK(plan.steps[0].kind == EvolutionStep::Kind::kAddColumn);
  CHECK(StepText(plan.steps[0]) == "add column \"done\" (boolean)");
  CHECK(plan.steps[1].kind == EvolutionStep::Kind::kAddUniqueKey);
  CHECK(StepText(plan.steps[1]) == "add unique key (\"user_id\", \"done\")");
  // The last step leaves the mapping's table; the first the table without the key; before
  // them, the table as it was.
  CHECK(plan.steps[1].after.columns.size() == 4);
  CHECK(plan.steps[1].after.unique.size() == 1);
  CHECK(plan.steps[0].after.columns.size() == 4);
  CHECK(plan.steps[0].after.unique.empty());
  CHECK(plan.before.columns.size() == 3);
}

TEST_CASE("PlanEvolution: ulid to text is a widening; SQLite's TEXT needs no step",
          "[loaders][schema][evolution]") {
  TableDef v2 = NotesV1();
  v2.columns[0].type = ColumnType::kText;
  EvolutionPlan plan = Plan(v2, CreatedV1());
  REQUIRE(plan.refusal.empty());
  REQUIRE(plan.steps.size() == 1);
  CHECK(plan.steps[0].kind == EvolutionStep::Kind::kWidenToText);
  CHECK(plan.before.columns[0].type == ColumnType::kUlid);

  // The reverse, text to ulid, narrows: refused.
  ExistingTable widened = CreatedV1();
  widened.columns[0].declares = TypeBit(ColumnType::kText);
  widened.columns[0].accepts = kTextual;
  EvolutionPlan narrow = Plan(NotesV1(), widened);
  CHECK(narrow.steps.empty());
  CHECK(narrow.refusal.find("column \"id\"") != std::string::npos);
}

TEST_CASE("PlanEvolution: unsafe changes are refused, each with its manual steps",
          "[loaders][schema][evolution][hostile]") {
  SECTION("a dropped column") {
    TableDef v2 = NotesV1();
    v2.columns.pop_back();
    EvolutionPlan plan = Plan(v2, CreatedV1());
    CHECK(plan.steps.empty());
    CHECK(plan.refusal.find("never drops a column") != std::string::npos);
    CHECK(plan.refusal.find("DROP COLUMN \"text\"") != std::string::npos);
  }
  SECTION("a narrower or other type") {
    TableDef v2 = NotesV1();
    v2.columns[2].type = ColumnType::kInteger;
    EvolutionPlan plan = Plan(v2, CreatedV1());
    CHECK(plan.refusal.find("writes it as integer") != std::string::npos);
    CHECK(plan.refusal.find("ALTER COLUMN \"text\" TYPE") != std::string::npos);
  }
  SECTION("a new NOT NULL column without a default") {
    TableDef v2 = NotesV1();
    v2.columns.push_back({"must", ColumnType::kText, false});
    EvolutionPlan plan = Plan(v2, CreatedV1());
    CHECK(plan.refusal.find("NOT NULL without a default") != std::string::npos);
    CHECK(plan.refusal.find("`default:`") != std::string::npos);
    CHECK(plan.refusal.find("ADD COLUMN \"must\"") != std::string::npos);
  }
  SECTION("an existing column made NOT NULL, or let be NULL where the table refuses it") {
    TableDef v2 = NotesV1();
    v2.columns[2].nullable = false;
    CHECK(Plan(v2, CreatedV1()).refusal.find("SET NOT NULL") != std::string::npos);
    v2 = NotesV1();
    v2.columns[1].nullable = true;
    CHECK(Plan(v2, CreatedV1()).refusal.find("DROP NOT NULL") != std::string::npos);
  }
  SECTION("another primary key") {
    TableDef v2 = NotesV1();
    v2.primary_key = {"user_id"};
    CHECK(Plan(v2, CreatedV1()).refusal.find("primary key") != std::string::npos);
  }
  SECTION("a unique key the mapping dropped") {
    ExistingTable keyed = CreatedV1();
    keyed.unique_keys.push_back({"user_id", "text"});
    CHECK(Plan(NotesV1(), keyed).refusal.find("unique key (\"user_id\", \"text\")") !=
          std::string::npos);
    // An adopted table's other keys are the application's: left alone.
    CHECK(Plan(NotesV1(), keyed, /*created=*/false).refusal.empty());
  }
}

TEST_CASE("PlanEvolution: an adopted table's extra nullable columns are the application's",
          "[loaders][schema][evolution]") {
  ExistingTable app = CreatedV1();
  app.columns.push_back({"color", "text", kTextual, TypeBit(ColumnType::kText), false});
  app.columns.push_back({"rank", "integer", 0, 0, true, /*has_default=*/true});
  TableDef v2 = NotesV1();
  v2.columns.push_back({"done", ColumnType::kBoolean, true});
  EvolutionPlan plan = Plan(v2, app, /*created=*/false);
  INFO(plan.refusal);
  REQUIRE(plan.refusal.empty());
  REQUIRE(plan.steps.size() == 1);
  // But on a table ferry created, a column the mapping lacks was the mapping's: refused.
  CHECK_FALSE(Plan(v2, app, /*created=*/true).refusal.empty());
}

TEST_CASE("PlanEvolution: no difference but the checksum is one step that only records",
          "[loaders][schema][evolution]") {
  EvolutionPlan plan = Plan(NotesV1(), CreatedV1());
  REQUIRE(plan.steps.size() == 1);
  CHECK(plan.steps[0].kind == EvolutionStep::Kind::kRecordShape);
  CHECK(StepText(plan.steps[0]) == "record the table as the mapping renders it");
}

TEST_CASE("PlanEvolution: adopting plans only the unique keys the table lacks",
          "[loaders][schema][evolution]") {
  TableDef wanted = NotesV1();
  wanted.unique = {{"user_id", "text"}};
  EvolutionPlan plan =
      PlanEvolution(CreatedV1(), wanted, "\"notes\"", /*adopting=*/true, false, Exact);
  REQUIRE(plan.steps.size() == 1);
  CHECK(plan.steps[0].kind == EvolutionStep::Kind::kAddUniqueKey);
  CHECK(plan.before.unique.empty());
  CHECK(PlanEvolution(CreatedV1(), NotesV1(), "\"notes\"", true, false, Exact).steps.empty());
}

TEST_CASE("ParseStep: reads back each step of EvolveTableDescription, hostile names too",
          "[loaders][schema][evolution][hostile]") {
  TableDef table = NotesV1();
  table.name = "n\": add column \"x\" (text)";
  table.mapping = "m): record the table as the mapping renders it";
  for (EvolutionStep step :
       {EvolutionStep{EvolutionStep::Kind::kAddColumn, "a\"): b", ColumnType::kJson, {}, {}},
        EvolutionStep{
            EvolutionStep::Kind::kAddUniqueKey, "", ColumnType::kText, {"u", "v\", \"w"}, {}},
        EvolutionStep{EvolutionStep::Kind::kWidenToText, "id", ColumnType::kText, {}, {}},
        EvolutionStep{}}) {
    std::string description = EvolveTableDescription("\"n\"\": add\"", table, step);
    INFO(description);
    CHECK(IsEvolution(description));
    REQUIRE(CreatedTableName(description));
    CHECK(CreatedTableEntity(description) == std::optional<std::string>("notes"));
    std::optional<EvolutionStep> parsed = ParseStep(description);
    REQUIRE(parsed);
    CHECK(parsed->kind == step.kind);
    CHECK(parsed->column == step.column);
    CHECK(parsed->key == step.key);
  }
  CHECK_FALSE(ParseStep("evolve table \"t\": drop column \"x\""));
  CHECK_FALSE(ParseStep("create table \"t\" (mapping \"m\")"));
}

TEST_CASE("UniqueIndexName: at most 63 bytes, distinct for long names",
          "[loaders][schema][evolution]") {
  CHECK(UniqueIndexName("notes", {"user_id", "text"}) == "ferry_notes_user_id_text_key");
  std::string a = UniqueIndexName(std::string(60, 't'), {"a"});
  std::string b = UniqueIndexName(std::string(60, 't'), {"b"});
  CHECK(a.size() <= 63);
  CHECK(a != b);
}

TEST_CASE("DuplicateKeyRefusal: names the key, the table and the shared values, escaped",
          "[loaders][schema][evolution][hostile]") {
  std::string refusal =
      DuplicateKeyRefusal("\"notes\"", {"user_id", "text"}, {"('u1', '\x1b[31ma') in 2 rows"});
  CHECK(refusal.find("(\"user_id\", \"text\")") != std::string::npos);
  CHECK(refusal.find("in 2 rows") != std::string::npos);
  CHECK(refusal.find('\x1b') == std::string::npos);
}

TEST_CASE("PlanEvolution: a column with a default is a step, NOT NULL too (issue 16 item 6)",
          "[loaders][schema][evolution]") {
  TableDef v2 = NotesV1();
  ColumnDef rank{"rank", ColumnType::kInteger, false};
  rank.default_value = int64_t{3};
  ColumnDef label{"label", ColumnType::kText, true};
  label.default_value = std::string("it's \"x\"\n");
  v2.columns.push_back(rank);
  v2.columns.push_back(label);
  EvolutionPlan plan = Plan(v2, CreatedV1());
  INFO(plan.refusal);
  REQUIRE(plan.refusal.empty());
  REQUIRE(plan.steps.size() == 2);
  CHECK(plan.steps[0].not_null);
  CHECK(plan.steps[0].default_value == Cell(int64_t{3}));
  CHECK(StepText(plan.steps[0]) == "add column \"rank\" (integer) not null default 3");
  CHECK_FALSE(plan.steps[1].not_null);
  CHECK(StepText(plan.steps[1]) == "add column \"label\" (text) default \"it's \\\"x\\\"\\u000a\"");
  CHECK(plan.before.columns.size() == 3);
}

TEST_CASE("ParseStep: a default reads back exactly, for every type",
          "[loaders][schema][evolution][hostile]") {
  struct Case {
    ColumnType type;
    Cell value;
  };
  const std::vector<Case> cases = {
      {ColumnType::kText, std::string("a\"b\\c\x01\xc3\xa9 default 4")},
      {ColumnType::kUlid, std::string("01ARZ3NDEKTSV4RRFFQ69G5FAV")},
      {ColumnType::kInteger, int64_t{-9223372036854775807 - 1}},
      {ColumnType::kReal, 0.1},
      {ColumnType::kReal, 3.0},
      {ColumnType::kReal, -1e300},
      {ColumnType::kBoolean, false},
      {ColumnType::kTimestamp, int64_t{1715000000123}},
      {ColumnType::kJson, std::string(R"j({"a":[1,"x\")"]})j")},
  };
  for (const Case& c : cases) {
    for (bool not_null : {false, true}) {
      EvolutionStep step;
      step.kind = EvolutionStep::Kind::kAddColumn;
      step.column = "c";
      step.type = c.type;
      step.not_null = not_null;
      step.default_value = c.value;
      std::string description = EvolveTableDescription("\"t\"", NotesV1(), step);
      INFO(description);
      std::optional<EvolutionStep> parsed = ParseStep(description);
      REQUIRE(parsed);
      CHECK(parsed->type == c.type);
      CHECK(parsed->not_null == not_null);
      CHECK(parsed->default_value == c.value);
    }
  }
  // NOT NULL without a default was never a step; a broken default is no step either.
  CHECK_FALSE(ParseStep("evolve table \"t\": add column \"c\" (integer) not null"));
  CHECK_FALSE(ParseStep("evolve table \"t\": add column \"c\" (integer) default \"x\""));
  CHECK_FALSE(ParseStep("evolve table \"t\": add column \"c\" (text) default \"x"));
}

TEST_CASE("PlanEvolution: an index the table lacks is a step; one it has on those columns is not",
          "[loaders][schema][evolution]") {
  TableDef v2 = NotesV1();
  v2.indexes = {{"", {"user_id", "text"}}, {"notes_by_text", {"text"}}};
  EvolutionPlan plan = Plan(v2, CreatedV1());
  INFO(plan.refusal);
  REQUIRE(plan.refusal.empty());
  REQUIRE(plan.steps.size() == 2);
  CHECK(plan.steps[0].kind == EvolutionStep::Kind::kAddIndex);
  CHECK(StepText(plan.steps[0]) ==
        "add index \"ferry_notes_user_id_text_idx\" (\"user_id\", \"text\")");
  CHECK(StepText(plan.steps[1]) == "add index \"notes_by_text\" (\"text\")");
  CHECK(plan.steps[0].after.indexes.size() == 1);
  CHECK(plan.before.indexes.empty());

  // Any index on the same columns in the same order serves (the application's, a unique one);
  // the other order does not.
  ExistingTable indexed = CreatedV1();
  indexed.indexes = {{"app_idx", {"user_id", "text"}}, {"app_text", {"text", "user_id"}}};
  EvolutionPlan one = Plan(v2, indexed);
  REQUIRE(one.steps.size() == 1);
  CHECK(one.steps[0].index.name == "notes_by_text");

  // Adopting plans the missing indexes too.
  EvolutionPlan adopt = PlanEvolution(indexed, v2, "\"notes\"", /*adopting=*/true, false, Exact);
  REQUIRE(adopt.steps.size() == 1);
  CHECK(adopt.before.indexes.size() == 1);
}

TEST_CASE("PlanEvolution: an index name the table uses on other columns is refused",
          "[loaders][schema][evolution][hostile]") {
  TableDef v2 = NotesV1();
  v2.indexes = {{"notes_by_text", {"text"}}};
  ExistingTable taken = CreatedV1();
  taken.indexes = {{"notes_by_text", {"user_id"}}};
  EvolutionPlan plan = Plan(v2, taken);
  CHECK(plan.steps.empty());
  CHECK(plan.refusal.find("index \"notes_by_text\"") != std::string::npos);
  CHECK(plan.refusal.find("DROP INDEX \"notes_by_text\"") != std::string::npos);
}

TEST_CASE("ParseStep and IndexName: an index step reads back, hostile names too",
          "[loaders][schema][evolution][hostile]") {
  EvolutionStep step;
  step.kind = EvolutionStep::Kind::kAddIndex;
  step.index = {"i\" (\"x\")", {"a\", \"b", "c"}};
  std::optional<EvolutionStep> parsed = ParseStep(EvolveTableDescription("\"t\"", NotesV1(), step));
  REQUIRE(parsed);
  CHECK(parsed->kind == EvolutionStep::Kind::kAddIndex);
  CHECK(parsed->index.name == step.index.name);
  CHECK(parsed->index.columns == step.index.columns);
  CHECK_FALSE(ParseStep("evolve table \"t\": add index \"i\" (\"a\") x"));

  TableDef table = NotesV1();
  CHECK(IndexName(table, {"", {"text"}}) == "ferry_notes_text_idx");
  CHECK(IndexName(table, {"mine", {"text"}}) == "mine");
  table.name = std::string(60, 't');
  CHECK(IndexName(table, {"", {"a"}}).size() <= 63);
  CHECK(IndexName(table, {"", {"a"}}) != IndexName(table, {"", {"b"}}));
}

}  // namespace ferry::schema_evolution_test
