// Issue 17, tenth session: a row inserted plainly into a table keyed by its id-map row's user
// and legacy id (the bundled user_preferences, form_data, custom_data) gets no pre-image and no
// sync, as a row keyed by its ULID does; a row that was there keeps both. A rollback derives
// the insert's delete from the run's id map. A user's checkpoints are read once for its batches.
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "loaders/core/first_pre_images.h"
#include "loaders/core/pre_image.h"
#include "loaders/core/rollback.h"
#include "loaders/core/shared_loader.h"
#include "tests/loaders/core/recording_backend.h"

namespace ferry::identity_keyed_capture_test {
namespace {

using namespace ::ferry::shared_loader_testing;

// The mapping's user_preferences: keyed by its user ($user, also its legacy id).
TableDef Prefs() {
  TableDef table{"user_preferences",
                 {{"user_id", ColumnType::kText, false}, {"data", ColumnType::kJson, false}},
                 {"user_id"},
                 {}};
  table.entity = "user_preferences";
  table.key_from_identity = {IdentityPart::kUser};
  return table;
}

// The mapping's form_data: keyed by its user and its form's name ($key_suffix, its legacy id).
TableDef Forms() {
  TableDef table{"form_data",
                 {{"user_id", ColumnType::kText, false},
                  {"form_name", ColumnType::kText, false},
                  {"data", ColumnType::kJson, false}},
                 {"user_id", "form_name"},
                 {}};
  table.entity = "form_data";
  table.key_from_identity = {IdentityPart::kUser, IdentityPart::kLegacyId};
  return table;
}

WriteBatch PrefsBatch(const TableDef& table, const std::string& user) {
  WriteBatch batch;
  batch.table = &table;
  batch.entity = "user_preferences";
  batch.user_id = user;
  batch.rows = {Row{{std::string(user), std::string("{}")}}};
  batch.identities = {IdentityRecord{user, "01ULIDP", "h"}};
  batch.checkpoint = {"unit", "user_preferences", 1};
  return batch;
}

struct Run {
  Calls calls;
  NoteSink sink{&calls};
  std::unique_ptr<Loader> loader = MakeSharedLoader(std::make_unique<FakeBackend>(&calls));
  explicit Run(const std::vector<const TableDef*>& tables) {
    REQUIRE(loader->Check(false).ok());
    RunInfo run{"R1", "", false, ""};
    run.pre_images = &sink;
    REQUIRE(loader->BeginRun(run).ok());
    REQUIRE(loader->EnsureSchema(tables).ok());
    calls.names.clear();
  }
};

TEST_CASE("capture: a plain insert keyed by its id-map row's user and legacy id, unrecorded",
          "[loaders][core][rollback]") {
  TableDef prefs = Prefs();
  TableDef forms = Forms();
  Run run({&prefs, &forms});
  WriteBatch batch = PrefsBatch(prefs, "u");
  REQUIRE(run.loader->Write(batch).ok());
  // The checkpoint's record only, unflushed: before the tenth session the row's and its id-map
  // row's records, and a flush.
  CHECK(run.calls.names == std::vector<std::string>{"ReadCheckpoint", "Append", "Write"});
  CHECK(run.sink.records.size() == 1);

  SECTION("form_data: the user and the form's name, its legacy id") {
    WriteBatch form = batch;
    form.table = &forms;
    form.entity = "form_data";
    form.rows = {Row{{std::string("u"), std::string("profile"), std::string("{}")}}};
    form.identities = {IdentityRecord{"profile", "01ULIDF", "h"}};
    form.checkpoint = {"unit", "form_data", 1};
    run.calls.names.clear();
    run.sink.records.clear();
    REQUIRE(run.loader->Write(form).ok());
    CHECK(run.calls.count("Flush") == 0);
    CHECK(run.sink.records.size() == 1);  // the checkpoint's
  }
  SECTION("a row that was there (its identity known) is read, recorded and flushed") {
    batch.identities[0].known = true;
    run.calls.known = KnownIdentity{"01ULIDP", "h", "R0"};
    run.calls.names.clear();
    run.sink.records.clear();
    REQUIRE(run.loader->Write(batch).ok());
    CHECK(run.calls.count("FetchRows") == 1);
    CHECK(run.calls.count("Flush") == 1);
    REQUIRE(run.sink.records.size() == 2);  // the row, its id-map row (the checkpoint: earlier)
    Result<PreImage> identity = DecodePreImage(run.sink.records[1]);
    REQUIRE(identity.ok());
    CHECK(identity->present);
  }
  SECTION("an adopted row is read and recorded") {
    batch.identities[0].adopted = true;
    run.calls.names.clear();
    run.sink.records.clear();
    REQUIRE(run.loader->Write(batch).ok());
    CHECK(run.calls.count("FetchRows") == 1);
    CHECK(run.sink.records.size() == 2);  // the row (the fake holds none) and its id-map row
  }
  SECTION("a key the id-map row does not give is recorded and flushed") {
    batch.rows[0].cells[0] = std::string("someone else");
    run.calls.names.clear();
    run.sink.records.clear();
    REQUIRE(run.loader->Write(batch).ok());
    CHECK(run.calls.count("Flush") == 1);
    CHECK(run.sink.records.size() == 2);  // the row and its id-map row
  }
  SECTION("a table whose key holds something else is recorded and flushed") {
    TableDef other = Prefs();
    other.name = "other_prefs";
    other.key_from_identity.clear();
    REQUIRE(run.loader->EnsureSchema({&other}).ok());
    WriteBatch recorded = PrefsBatch(other, "u");
    run.calls.names.clear();
    run.sink.records.clear();
    REQUIRE(run.loader->Write(recorded).ok());
    CHECK(run.calls.count("Flush") == 1);
    CHECK(run.sink.records.size() == 2);
  }
}

TEST_CASE("KeyFromIdentity: the key of the row an id-map row names, when the table says how",
          "[loaders][core][rollback]") {
  Row key;
  REQUIRE(KeyFromIdentity(Forms(), "u", "profile", "01ULID", &key));
  CHECK(key.cells == std::vector<Cell>{std::string("u"), std::string("profile")});
  REQUIRE(KeyFromIdentity(UlidTasks(), "u", "a", "01ULID", &key));
  CHECK(key.cells == std::vector<Cell>{std::string("01ULID")});
  CHECK_FALSE(KeyFromIdentity(UlidTasks(), "u", "a", "", &key));
  CHECK_FALSE(KeyFromIdentity(Tasks(), "u", "a", "01ULID", &key));  // a text key of its own
  TableDef cut = Forms();
  cut.key_from_identity.pop_back();  // not one part per key column
  CHECK_FALSE(KeyFromIdentity(cut, "u", "profile", "01ULID", &key));
}

TEST_CASE("RollBack: deletes a user_preferences row the run inserted, found by its id-map row",
          "[loaders][core][rollback]") {
  Calls calls;
  std::unique_ptr<Loader> loader = MakeSharedLoader(std::make_unique<FakeBackend>(&calls));
  TableDef prefs = Prefs();
  TableDef forms = Forms();
  // A finished archive: the checkpoint's record only; a form row the run changed, recorded.
  PreImage checkpoint;
  checkpoint.kind = PreImage::Kind::kCheckpoint;
  checkpoint.user_id = "u";
  checkpoint.entity = "user_preferences";
  checkpoint.unit = "unit";
  PreImage form;
  form.kind = PreImage::Kind::kRow;
  form.table = "form_data";
  form.key.cells = {Cell(std::string("u")), Cell(std::string("profile"))};
  form.present = true;
  form.row.cells = {form.key.cells[0], form.key.cells[1], Cell(std::string("{}"))};
  calls.run_identities = {{"u", "user_preferences", "u", "01ULIDP"},
                          {"u", "form_data", "profile", "01ULIDF"}};
  std::unique_ptr<FirstPreImages> stream = PreImagesInMemory({checkpoint, form});
  RollbackRequest request{"R1", {&prefs, &forms}, stream.get(), /*dry_run=*/false};
  RollbackOutcome outcome;
  REQUIRE(loader->Check(false).ok());
  REQUIRE(loader->RollBack(request, &outcome).ok());
  CHECK(outcome.rows_deleted == 1);   // the preferences (derived): it would stay without
  CHECK(outcome.rows_restored == 1);  // the form: its record wins over the derived delete
  CHECK(outcome.identities_deleted == 2);
  PreImage derived;
  derived.kind = PreImage::Kind::kRow;
  derived.table = "user_preferences";
  derived.key.cells = {Cell(std::string("u"))};
  bool found = false;
  REQUIRE(stream
              ->ForEach([&](const PreImage& image) {
                if (image.Address() == derived.Address()) found = !image.present;
                return Status::OK();
              })
              .ok());
  CHECK(found);
}

TEST_CASE("capture: a user's checkpoints are read once for all its batches",
          "[loaders][core][rollback]") {
  TableDef prefs = Prefs();
  TableDef tasks = UlidTasks();
  Run run({&prefs, &tasks});
  run.calls.list_user_checkpoints = true;
  run.calls.checkpoint = StoredCheckpoint{"R0", 7};  // R0's, of (tasks, unit)
  REQUIRE(run.loader->Write(PrefsBatch(prefs, "u")).ok());
  WriteBatch task;
  task.table = &tasks;
  task.entity = "tasks";
  task.user_id = "u";
  task.rows = {Row{{std::string("01ULIDA")}}};
  task.identities = {IdentityRecord{"a", "01ULIDA", "h"}};
  task.checkpoint = {"unit", "tasks", 1};
  REQUIRE(run.loader->Write(task).ok());
  CHECK(run.calls.count("ListUserCheckpoints") == 1);
  CHECK(run.calls.count("ReadCheckpoint") == 0);
  // The preferences' checkpoint was absent (unflushed); the tasks' one R0's: flushed.
  REQUIRE(run.sink.records.size() == 2);
  Result<PreImage> first = DecodePreImage(run.sink.records[0]);
  Result<PreImage> second = DecodePreImage(run.sink.records[1]);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK_FALSE(first->present);
  CHECK(second->present);
  CHECK(second->run_id == "R0");
  CHECK(second->position == 7);
  CHECK(run.calls.count("Flush") == 1);
  // Another user's batch lists that user's.
  REQUIRE(run.loader->Write(PrefsBatch(prefs, "v")).ok());
  CHECK(run.calls.count("ListUserCheckpoints") == 2);
}

}  // namespace
}  // namespace ferry::identity_keyed_capture_test
