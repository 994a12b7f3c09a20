// The schema history both targets share: descriptions and their parsing (hostile names too),
// the plan of migrations and its states, the refusal messages.
#include "loaders/schema_history.h"

#include <catch2/catch.hpp>

namespace ferry::schema_history_test {
namespace {

using State = SchemaMigration::State;

bool Exact(const std::vector<std::string>& a, const std::vector<std::string>& b) { return a == b; }

TableDef Table(const std::string& name, const std::string& entity = "") {
  TableDef table;
  table.name = name;
  table.columns = {{"id", ColumnType::kText, false}};
  table.primary_key = {"id"};
  table.mapping = entity.empty() ? "" : "app";
  table.entity = entity;
  return table;
}

WantedTable Want(const TableDef& table, const std::string& checksum, bool exists) {
  WantedTable want;
  want.table = &table;
  want.name = {table.name};
  want.quoted_name = "\"" + table.name + "\"";
  want.checksum = checksum;
  want.exists = exists;
  return want;
}

SchemaMigration Bookkeeping() {
  SchemaMigration own;
  own.version = 1;
  own.description = "ferry bookkeeping: runs";
  own.checksum = "b00c";
  return own;
}

}  // namespace

TEST_CASE("CreateTableDescription: names the table, its mapping and entity", "[loaders][schema]") {
  TableDef prefs = Table("user_preferences", "userPreferences");
  CHECK(CreateTableDescription("\"user_preferences\"", prefs) ==
        "create table \"user_preferences\" (mapping \"app\", entity \"userPreferences\")");
  CHECK(CreateTableDescription("\"public\".\"t\"", Table("t")) == "create table \"public\".\"t\"");
}

TEST_CASE("CreatedTableName: reads back what CreateTableDescription wrote, hostile names too",
          "[loaders][schema][hostile]") {
  TableDef hostile = Table("a\" (mapping \"x\"); DROP TABLE y; --", "e\"");
  std::string description =
      CreateTableDescription("\"a\"\" (mapping \"\"x\"\"); DROP TABLE y; --\"", hostile);
  std::optional<std::vector<std::string>> name = CreatedTableName(description);
  REQUIRE(name);
  CHECK(*name == std::vector<std::string>{hostile.name});

  name = CreatedTableName("create table \"public\".\"tasks\" (mapping \"app\")");
  REQUIRE(name);
  CHECK(*name == std::vector<std::string>{"public", "tasks"});
}

TEST_CASE("AdoptTableDescription: read back as the table's migration, marked as an adoption",
          "[loaders][schema]") {
  TableDef tasks = Table("tasks");
  tasks.mapping = "app";
  tasks.entity = "tasks";
  std::string description = AdoptTableDescription("\"tasks\"", tasks);
  CHECK(description == "adopt table \"tasks\" (mapping \"app\", entity \"tasks\")");
  CHECK(IsAdoption(description));
  CHECK_FALSE(IsAdoption(CreateTableDescription("\"tasks\"", tasks)));
  CHECK(CreatedTableName(description) == std::vector<std::string>{"tasks"});
  CHECK(CreatedTableEntity(description) == std::string("tasks"));
}

TEST_CASE("CreatedTableName: anything else is not a table migration",
          "[loaders][schema][hostile]") {
  for (const char* text : {"ferry bookkeeping: runs, id map", "create table tasks",
                           "create table \"unclosed", "create table \"\"", "create table \"a\"x",
                           "create table \"a\".", "CREATE TABLE \"a\"", ""}) {
    INFO(text);
    CHECK_FALSE(CreatedTableName(text));
  }
  CHECK(IsBookkeepingMigration("ferry bookkeeping: runs, id map, checkpoints"));
  CHECK_FALSE(IsBookkeepingMigration("create table \"ferry bookkeeping\""));
}

TEST_CASE("PlanMigrations: an empty target has everything pending, bookkeeping first",
          "[loaders][schema]") {
  TableDef tasks = Table("tasks", "tasks");
  TableDef notes = Table("notes", "notes");
  std::vector<SchemaMigration> plan =
      PlanMigrations({}, Bookkeeping(), {Want(tasks, "c1", false), Want(notes, "c2", true)}, Exact);
  REQUIRE(plan.size() == 3);
  CHECK(plan[0].version == 1);
  CHECK(plan[0].state == State::kPending);
  CHECK(plan[0].table.empty());
  CHECK(plan[1].state == State::kPending);
  CHECK(plan[1].version == 0);
  CHECK(plan[1].table == "\"tasks\"");
  CHECK(plan[1].description == "create table \"tasks\" (mapping \"app\", entity \"tasks\")");
  CHECK_FALSE(plan[1].exists);
  CHECK(plan[2].exists);  // pending, but the table is there: up only records it
}

TEST_CASE("PlanMigrations: applied, changed, missing, another mapping's, in version order",
          "[loaders][schema]") {
  TableDef tasks = Table("tasks", "tasks");
  TableDef notes = Table("notes", "notes");
  TableDef gone = Table("gone", "gone");
  std::vector<HistoryRow> history = {
      {4, "c-old", "2024-01-03T00:00:00.000Z", "create table \"notes\" (mapping \"app\")"},
      {1, "b00c", "2024-01-01T00:00:00.000Z", "ferry bookkeeping: runs"},
      {2, "c1", "2024-01-02T00:00:00.000Z", "create table \"tasks\" (mapping \"app\")"},
      {3, "c9", "2024-01-02T00:00:01.000Z", "create table \"other\" (mapping \"b\")"},
      {5, "c3", "2024-01-04T00:00:00.000Z", "create table \"gone\" (mapping \"app\")"},
  };
  std::vector<SchemaMigration> plan = PlanMigrations(
      history, Bookkeeping(),
      {Want(tasks, "c1", true), Want(notes, "c-new", true), Want(gone, "c3", false)}, Exact);
  REQUIRE(plan.size() == 5);
  CHECK(plan[0].state == State::kApplied);
  CHECK(plan[0].exists);
  CHECK(plan[0].applied_at == "2024-01-01T00:00:00.000Z");
  CHECK(plan[1].version == 2);
  CHECK(plan[1].state == State::kApplied);
  CHECK(plan[2].version == 3);
  CHECK_FALSE(plan[2].in_mapping);
  CHECK(plan[2].state == State::kApplied);
  CHECK(plan[3].version == 4);
  CHECK(plan[3].state == State::kChanged);
  CHECK(plan[3].recorded_checksum == "c-old");
  CHECK(plan[3].checksum == "c-new");
  CHECK(plan[4].version == 5);
  CHECK(plan[4].state == State::kMissing);
  CHECK(NextVersion(history) == 6);
  CHECK(NextVersion({}) == 2);
}

TEST_CASE("PlanMigrations: a bookkeeping row of another checksum is CHANGED", "[loaders][schema]") {
  std::vector<SchemaMigration> plan =
      PlanMigrations({{1, "edited", "2024-01-01T00:00:00.000Z", "ferry bookkeeping: runs"}},
                     Bookkeeping(), {}, Exact);
  REQUIRE(plan.size() == 1);
  CHECK(plan[0].state == State::kChanged);
  Status refused = RefuseDrift(plan[0]);
  CHECK(refused.IsCorruption());
  CHECK(refused.message().find("edited") != std::string::npos);
}

TEST_CASE(
    "RefuseDrift: a changed table names the table, the version, both checksums and a way "
    "out",
    "[loaders][schema]") {
  TableDef tasks = Table("tasks", "tasks");
  HistoryRow row{3, "0123456789abcdef", "2024-01-02T00:00:00.000Z", "create table \"tasks\""};
  SchemaMigration changed = TableMigration(Want(tasks, "fedcba9876543210", true), &row);
  REQUIRE(changed.state == State::kChanged);
  Status refused = RefuseDrift(changed);
  CHECK(refused.IsInvalidArgument());  // the mapping is configuration: exit 2
  const std::string& message = refused.message();
  INFO(message);
  CHECK(message.find("the mapping changed table \"tasks\" since migration 3") != std::string::npos);
  CHECK(message.find("0123456789abcdef") != std::string::npos);
  CHECK(message.find("fedcba9876543210") != std::string::npos);
  CHECK(message.find("ferry schema down") != std::string::npos);
  CHECK(message.find("ferry schema status") != std::string::npos);

  SchemaMigration missing = TableMigration(Want(tasks, "0123456789abcdef", false), &row);
  REQUIRE(missing.state == State::kMissing);
  CHECK(RefuseDrift(missing).message().find("no longer in the target") != std::string::npos);
  CHECK(RefuseDrift(TableMigration(Want(tasks, "0123456789abcdef", true), &row)).ok());
  CHECK(RefuseDrift(TableMigration(Want(tasks, "x", false), nullptr)).ok());
}

TEST_CASE("RevertAuditDetail: names the migration, the table, its rows and the entity",
          "[loaders][schema]") {
  CHECK(RevertAuditDetail(4, "\"tasks\"", true, 12, "tasks") ==
        "reverted migration 4: dropped table \"tasks\" with 12 row(s); cleared the id map and "
        "checkpoints of entity tasks");
  CHECK(RevertAuditDetail(2, "\"t\"", false, 0, "") ==
        "reverted migration 2: forgot table \"t\", which was missing");
}

TEST_CASE("CreatedTableEntity: the entity a create-table description names", "[loaders][schema]") {
  CHECK(CreatedTableEntity(R"(create table "public"."tasks" (mapping "m", entity "tasks"))") ==
        "tasks");
  CHECK(CreatedTableEntity(R"(create table "t" (entity "a""b"))") == "a\"b");
  // A mapping name that reads like an entity is still the mapping's.
  CHECK(CreatedTableEntity(R"(create table "t" (mapping "x, entity ""y"))") == std::nullopt);
  CHECK(CreatedTableEntity(R"(create table "t")") == std::nullopt);
  CHECK(CreatedTableEntity("ferry bookkeeping: runs") == std::nullopt);
}

}  // namespace ferry::schema_history_test

namespace ferry::schema_history_test {
namespace {

// Notes as the mapping has it now: v1 plus a nullable `done`.
TableDef NotesV2() {
  TableDef table = Table("notes", "notes");
  table.columns.push_back({"done", ColumnType::kBoolean, true});
  return table;
}

// The history of a target where v1's table was created as version 3 and, when `evolved`,
// `done` added as version 4 with the v2 checksum.
std::vector<HistoryRow> NotesHistory(const TableDef& v2, bool evolved) {
  std::vector<HistoryRow> history = {
      {1, "b00c", "t1", "ferry bookkeeping: runs"},
      {3, "c1", "t3", CreateTableDescription("\"notes\"", Table("notes", "notes"))}};
  if (evolved) {
    EvolutionStep step;
    step.kind = EvolutionStep::Kind::kAddColumn;
    step.column = "done";
    step.type = ColumnType::kBoolean;
    history.push_back({4, "c2", "t4", EvolveTableDescription("\"notes\"", v2, step)});
  }
  return history;
}

// The catalog of v1's table as ferry created it.
ExistingTable NotesV1Catalog() {
  ExistingTable table;
  table.columns = {{"id", "TEXT", TypeBit(ColumnType::kText), TypeBit(ColumnType::kText), true}};
  table.unique_keys = {{"id"}};
  return table;
}

// "c<columns>", "u" appended when the table has unique keys.
std::string FakeChecksum(const TableDef& table) {
  return "c" + std::to_string(table.columns.size()) + (table.unique.empty() ? "" : "u");
}

bool SameColumn(const std::string& a, const std::string& b) { return a == b; }

}  // namespace

TEST_CASE("PlanTable: a recorded table the mapping extends has steps, listed pending after it",
          "[loaders][schema][evolution]") {
  TableDef v2 = NotesV2();
  std::vector<HistoryRow> history = NotesHistory(v2, false);
  WantedTable want = Want(v2, "c2", true);
  ExistingTable catalog = NotesV1Catalog();
  REQUIRE(NeedsPlan(history, want, Exact));
  PlanTable(history, &catalog, Exact, SameColumn, FakeChecksum, &want);
  REQUIRE(want.plan.steps.size() == 1);
  CHECK(want.step_checksums == std::vector<std::string>{"c2"});

  std::vector<SchemaMigration> plan = PlanMigrations(history, Bookkeeping(), {want}, Exact);
  REQUIRE(plan.size() == 3);
  CHECK(plan[1].state == State::kApplied);  // the table stays applied
  CHECK(plan[1].checksum == "c1");
  CHECK(plan[2].state == State::kPending);
  CHECK(plan[2].description ==
        "evolve table \"notes\" (mapping \"app\", entity \"notes\"): add column \"done\" "
        "(boolean)");
  CHECK(plan[2].checksum == "c2");
  CHECK(RefuseDrift(plan[1]).ok());

  Status pending = RefusePendingEvolution(history, want, Exact);
  CHECK(pending.IsInvalidArgument());
  CHECK(pending.message().find("ferry schema up") != std::string::npos);
  CHECK(pending.message().find("since migration 3") != std::string::npos);
}

TEST_CASE("PlanTable: once the step is recorded the table is applied; its newest row is the step",
          "[loaders][schema][evolution]") {
  TableDef v2 = NotesV2();
  std::vector<HistoryRow> history = NotesHistory(v2, true);
  WantedTable want = Want(v2, "c2", true);
  CHECK_FALSE(NeedsPlan(history, want, Exact));
  PlanTable(history, nullptr, Exact, SameColumn, FakeChecksum, &want);
  CHECK(want.plan.steps.empty());
  CHECK(FindRecorded(history, want, Exact)->version == 3);
  CHECK(FindNewest(history, want, Exact)->version == 4);
  CHECK(FindNewestRecorded(history, {want}, Exact).row->version == 4);
  std::vector<SchemaMigration> plan = PlanMigrations(history, Bookkeeping(), {want}, Exact);
  REQUIRE(plan.size() == 3);
  CHECK(plan[1].state == State::kApplied);
  CHECK(plan[2].state == State::kApplied);
  CHECK(plan[2].version == 4);
  CHECK(plan[2].table == "\"notes\"");
  CHECK(RefusePendingEvolution(history, want, Exact).ok());
}

TEST_CASE("PlanTable: a change ferry cannot make is CHANGED, its refusal in the message",
          "[loaders][schema][evolution]") {
  TableDef v2 = NotesV2();
  v2.columns[1].nullable = false;  // done NOT NULL, without a default
  std::vector<HistoryRow> history = NotesHistory(v2, false);
  WantedTable want = Want(v2, "c9", true);
  ExistingTable catalog = NotesV1Catalog();
  PlanTable(history, &catalog, Exact, SameColumn, FakeChecksum, &want);
  std::vector<SchemaMigration> plan = PlanMigrations(history, Bookkeeping(), {want}, Exact);
  REQUIRE(plan.size() == 2);
  CHECK(plan[1].state == State::kChanged);
  Status refused = RefuseDrift(plan[1]);
  CHECK(refused.IsInvalidArgument());
  CHECK(refused.message().find("NOT NULL without a default") != std::string::npos);
  CHECK(refused.message().find("since migration 3") != std::string::npos);
}

TEST_CASE("AddRefusals and CheckWantedTable: rows sharing a unique key a step adds are named",
          "[loaders][schema][evolution][hostile]") {
  TableDef v2 = Table("notes", "notes");
  v2.columns.push_back({"user_id", ColumnType::kText, false});
  v2.unique = {{"user_id"}};
  WantedTable want = Want(v2, "c2u", true);
  ExistingTable catalog = NotesV1Catalog();
  catalog.columns.push_back(
      {"user_id", "TEXT", TypeBit(ColumnType::kText), TypeBit(ColumnType::kText), true});
  std::vector<HistoryRow> history;  // not recorded: adopted, and the key added
  PlanTable(history, &catalog, Exact, SameColumn, FakeChecksum, &want);
  REQUIRE(want.plan.steps.size() == 1);
  CHECK(want.base_checksum == "c2");  // the adoption records the table without the key
  CHECK(want.step_checksums == std::vector<std::string>{"c2u"});

  TableChecks checks;
  checks.adoptable = [](const TableDef&, bool require_unique_keys) {
    return require_unique_keys ? Status::InvalidArgument("no key") : Status::OK();
  };
  checks.duplicate_keys = [](const TableDef&, const std::vector<std::string>&) {
    return Result<std::vector<std::string>>(std::vector<std::string>{"('u1') in 2 rows"});
  };
  std::vector<SchemaMigration> plan = PlanMigrations(history, Bookkeeping(), {want}, Exact);
  REQUIRE(AddRefusals(history, {want}, Exact, checks, &plan).ok());
  REQUIRE(plan.size() == 3);
  CHECK(plan[1].refusal.find("in 2 rows") != std::string::npos);  // the adoption
  CHECK(plan[2].refusal == plan[1].refusal);                      // and its step
  CHECK(CheckWantedTable(history, want, Exact, checks, /*evolving=*/true).IsInvalidArgument());
  Status migrate = CheckWantedTable(history, want, Exact, checks, /*evolving=*/false);
  CHECK(migrate.message().find("ferry schema up") != std::string::npos);
}

}  // namespace ferry::schema_history_test
