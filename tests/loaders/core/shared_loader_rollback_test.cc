// SharedLoader (loaders/core/shared_loader.h): a batch's pre-images before its write, and
// RollBack, over a backend that records its calls (recording_backend.h).
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "loaders/core/first_pre_images.h"
#include "loaders/core/pre_image.h"
#include "loaders/core/shared_loader.h"
#include "tests/loaders/core/recording_backend.h"

namespace ferry::shared_loader_rollback_test {
namespace {

using namespace ::ferry::shared_loader_testing;

TEST_CASE("SharedLoader: a batch's pre-images are appended and flushed before it is written",
          "[loaders][core][rollback]") {
  Calls calls;
  NoteSink sink(&calls);
  std::unique_ptr<Loader> loader = MakeSharedLoader(std::make_unique<FakeBackend>(&calls));
  TableDef table = Tasks();
  REQUIRE(loader->Check(false).ok());
  RunInfo run{"R1", "", false, ""};
  run.pre_images = &sink;
  REQUIRE(loader->BeginRun(run).ok());
  REQUIRE(loader->EnsureSchema({&table}).ok());
  WriteBatch batch;
  batch.table = &table;
  batch.entity = "tasks";
  batch.user_id = "u";
  batch.rows = {Row{{std::string("a")}}, Row{{std::string("b")}}};
  batch.identities = {IdentityRecord{"a", "", "h"}, IdentityRecord{"b", "", "h"}};
  batch.identities[0].known = true;  // read back; "b" is new: absent without a read
  batch.checkpoint = {"unit", "tasks", 2};
  calls.names.clear();
  REQUIRE(loader->Write(batch).ok());
  // Two rows, two id-map rows, one checkpoint: five records, then one flush (the rows are not
  // keyed by their ULIDs: a rollback could not find them by the id map), then the write.
  // Only the known identity's row and id-map row are read.
  CHECK(calls.names == std::vector<std::string>{"LookupIdentities", "FetchRows", "Append", "Append",
                                                "Append", "Append", "ReadCheckpoint", "Append",
                                                "Flush", "Write"});
  REQUIRE(sink.records.size() == 5);
  Result<PreImage> first = DecodePreImage(sink.records[0]);
  REQUIRE(first.ok());
  CHECK(first->kind == PreImage::Kind::kRow);
  CHECK(first->table == "tasks");
  CHECK(!first->present);  // the fake holds no row: the rollback deletes it
  CHECK(std::get<std::string>(first->key.cells[0]) == "a");
  Result<PreImage> checkpoint = DecodePreImage(sink.records[4]);
  REQUIRE(checkpoint.ok());
  CHECK(checkpoint->kind == PreImage::Kind::kCheckpoint);
  CHECK(checkpoint->unit == "unit");
}

// A batch of run R1 into `table` of rows keyed by their ULIDs, none known to the id map.
WriteBatch InsertOnlyBatch(const TableDef& table) {
  WriteBatch batch;
  batch.table = &table;
  batch.entity = "tasks";
  batch.user_id = "u";
  batch.rows = {Row{{std::string("01ULIDA")}}, Row{{std::string("01ULIDB")}}};
  batch.identities = {IdentityRecord{"a", "01ULIDA", "h"}, IdentityRecord{"b", "01ULIDB", "h"}};
  batch.checkpoint = {"unit", "tasks", 2};
  return batch;
}

TEST_CASE("SharedLoader: a batch that only inserts what the id map finds records no row, unflushed",
          "[loaders][core][rollback]") {
  Calls calls;
  NoteSink sink(&calls);
  std::unique_ptr<Loader> loader = MakeSharedLoader(std::make_unique<FakeBackend>(&calls));
  TableDef table = UlidTasks();
  REQUIRE(loader->Check(false).ok());
  RunInfo run{"R1", "", false, ""};
  run.pre_images = &sink;
  REQUIRE(loader->BeginRun(run).ok());
  REQUIRE(loader->EnsureSchema({&table}).ok());
  WriteBatch batch = InsertOnlyBatch(table);
  calls.names.clear();
  REQUIRE(loader->Write(batch).ok());
  // Nothing read but the checkpoint; no record of the two rows nor of their id-map rows (every
  // rollback derives their deletes from the id map, whose rows name the run), one of the
  // checkpoint, no flush (a rollback of a killed session derives that one too).
  CHECK(calls.names == std::vector<std::string>{"ReadCheckpoint", "Append", "Write"});
  REQUIRE(sink.records.size() == 1);
  for (const std::string& record : sink.records) {
    Result<PreImage> image = DecodePreImage(record);
    REQUIRE(image.ok());
    CHECK(image->kind == PreImage::Kind::kCheckpoint);
  }

  SECTION("a table not keyed by the ULID alone, or of another entity, keeps the rows' records") {
    TableDef other = UlidTasks();
    SECTION("a text key") { other.columns[0].type = ColumnType::kText; }
    SECTION("another entity's table") { other.entity = "environments"; }
    REQUIRE(loader->EnsureSchema({&other}).ok());
    WriteBatch recorded = InsertOnlyBatch(other);
    recorded.checkpoint.unit = "unit2";  // the first batch recorded unit's checkpoint already
    calls.names.clear();
    sink.records.clear();
    REQUIRE(loader->Write(recorded).ok());
    CHECK(sink.records.size() == 5);
    CHECK(calls.count("Flush") == 1);  // no rollback could find those rows without them
  }
  // Each section's batch is of another unit than the first one's, whose checkpoint this loader
  // recorded already (checkpoints_before.h: no second record, no read).
  batch.checkpoint.unit = "unit2";
  SECTION("an adopted row's pre-image is read and recorded") {
    batch.identities[0].adopted = true;
    calls.names.clear();
    sink.records.clear();
    REQUIRE(loader->Write(batch).ok());
    CHECK(calls.count("FetchRows") == 1);
    // The adopted row and its id-map row; the plain insert's neither; the checkpoint.
    REQUIRE(sink.records.size() == 3);
    Result<PreImage> row = DecodePreImage(sink.records[0]);
    REQUIRE(row.ok());
    CHECK(row->kind == PreImage::Kind::kRow);
    CHECK(std::get<std::string>(row->key.cells[0]) == "01ULIDA");
    Result<PreImage> identity = DecodePreImage(sink.records[1]);
    REQUIRE(identity.ok());
    CHECK(identity->kind == PreImage::Kind::kIdentity);
    CHECK(identity->legacy_id == "a");
  }

  SECTION("a checkpoint another run wrote is flushed") {
    calls.checkpoint = StoredCheckpoint{"R0", 7};
    calls.names.clear();
    REQUIRE(loader->Write(batch).ok());
    CHECK(calls.count("Flush") == 1);
  }
  SECTION("a checkpoint the loader recorded already in the run is not read again") {
    batch.checkpoint.unit = "unit";
    calls.names.clear();
    sink.records.clear();
    REQUIRE(loader->Write(batch).ok());
    CHECK(calls.names == std::vector<std::string>{"Write"});
    CHECK(sink.records.empty());
  }
  SECTION("the run's own checkpoint and id-map rows get no record") {
    calls.checkpoint = StoredCheckpoint{"R1", 2};
    calls.known = KnownIdentity{"01ULIDA", "h", "R1"};
    batch.identities[0].known = true;
    batch.identities[1].known = true;
    calls.names.clear();
    sink.records.clear();
    REQUIRE(loader->Write(batch).ok());
    CHECK(calls.names == std::vector<std::string>{"LookupIdentities", "ReadCheckpoint", "Write"});
    CHECK(sink.records.empty());
  }
  SECTION("an id-map row another run wrote is read, recorded and flushed") {
    calls.known = KnownIdentity{"01ULIDA", "h", "R0"};
    batch.identities[0].known = true;
    calls.names.clear();
    REQUIRE(loader->Write(batch).ok());
    CHECK(calls.count("FetchRows") == 1);
    CHECK(calls.count("Flush") == 1);
  }
}

TEST_CASE("SharedLoader: RollBack locks the run's users, checks, applies once, unlocks",
          "[loaders][core][rollback]") {
  Calls calls;
  std::unique_ptr<Loader> loader = MakeSharedLoader(std::make_unique<FakeBackend>(&calls));
  TableDef table = Tasks();
  std::vector<PreImage> images(2);
  images[0].kind = PreImage::Kind::kRow;
  images[0].table = "tasks";
  images[1].kind = PreImage::Kind::kIdentity;
  images[1].user_id = "u";
  images[1].entity = "tasks";
  images[1].legacy_id = "a";
  images.push_back(images[1]);  // a second record of the same id-map row: only the first counts
  images.back().present = true;
  std::unique_ptr<FirstPreImages> stream = PreImagesInMemory(images);
  RollbackRequest request{"R1", {&table}, stream.get(), /*dry_run=*/true};
  RollbackOutcome outcome;
  REQUIRE(loader->Check(true).ok());
  REQUIRE(loader->RollBack(request, &outcome).ok());
  CHECK(outcome.rows_deleted == 1);
  CHECK(outcome.identities_deleted == 1);
  CHECK(outcome.users == std::vector<std::string>{"u"});
  CHECK(calls.count("ApplyRollback of 2") == 0);  // a dry run only checks
  request.dry_run = false;
  CHECK(IsInternal(loader->RollBack(request, &outcome), "Check(false)"));
  REQUIRE(loader->Check(false).ok());
  calls.names.clear();
  REQUIRE(loader->RollBack(request, &outcome).ok());
  // ListLocks: after taking a user's lock the loader looks for a rekey's (loaders/rekey_lock.h).
  // ListRunIdentities: the rows the run inserted by their ULIDs are derived from its id map.
  CHECK(calls.names == std::vector<std::string>{"ListRunIdentities", "LockUser", "ListLocks",
                                                "LookupIdentities", "ApplyRollback of 2",
                                                "UnlockUser"});
}

// Issue 17: a finished archive holds no record of a row the run inserted by its id-map ULID;
// the rollback still deletes it, found by the run's id-map row, while a row the run changed is
// put back from its record and a table not keyed by the ULID gets no derived delete.
TEST_CASE("SharedLoader: RollBack deletes the rows the run inserted that its archive holds none of",
          "[loaders][core][rollback]") {
  Calls calls;
  std::unique_ptr<Loader> loader = MakeSharedLoader(std::make_unique<FakeBackend>(&calls));
  TableDef tasks = UlidTasks();
  TableDef prefs{"prefs", {{"user_id", ColumnType::kText, false}}, {"user_id"}, {}};
  prefs.entity = "prefs";
  // The archive of a finished run: the id-map rows' records, a changed task's row ("b") and the
  // inserted prefs row (not findable by its ULID: recorded), no record of the inserted task "a"
  // nor of its id-map row (the first image is replaced below).
  std::vector<PreImage> images(4);
  for (PreImage& image : images) {
    image.kind = PreImage::Kind::kIdentity;
    image.user_id = "u";
    image.entity = "tasks";
  }
  images[0].legacy_id = "a";
  images[1].legacy_id = "b";
  images[1].present = true;
  images[1].ulid = "01ULIDB";
  images[1].run_id = "R0";
  images[2].entity = "prefs";
  images[2].legacy_id = "p";
  images[3].kind = PreImage::Kind::kRow;
  images[3].table = "tasks";
  images[3].key.cells = {Cell(std::string("01ULIDB"))};
  images[3].present = true;
  images[3].row.cells = images[3].key.cells;
  PreImage pref_row;
  pref_row.kind = PreImage::Kind::kRow;
  pref_row.table = "prefs";
  pref_row.key.cells = {Cell(std::string("u"))};
  images.push_back(pref_row);
  images.erase(images.begin());  // task "a"'s id-map row: derived, as its row is
  calls.run_identities = {{"u", "tasks", "a", "01ULIDA"},
                          {"u", "tasks", "b", "01ULIDB"},
                          {"u", "prefs", "p", "01ULIDP"}};
  std::unique_ptr<FirstPreImages> stream = PreImagesInMemory(images);
  RollbackRequest request{"R1", {&tasks, &prefs}, stream.get(), /*dry_run=*/false};
  RollbackOutcome outcome;
  REQUIRE(loader->Check(false).ok());
  REQUIRE(loader->RollBack(request, &outcome).ok());
  CHECK(outcome.rows_deleted == 2);   // task "a" (derived) and the prefs row (recorded)
  CHECK(outcome.rows_restored == 1);  // task "b": its record wins over the derived delete
  CHECK(outcome.identities_deleted == 2);
  CHECK(outcome.identities_restored == 1);
  CHECK(calls.count("ApplyRollback of 6") == 1);
  // Without the derivation task "a" would stay: five images, one row deleted.
  std::map<std::string, bool> rows;
  REQUIRE(stream
              ->ForEach([&](const PreImage& image) {
                if (image.kind == PreImage::Kind::kRow) rows[image.Address()] = image.present;
                return Status::OK();
              })
              .ok());
  PreImage derived;
  derived.table = "tasks";
  derived.key.cells = {Cell(std::string("01ULIDA"))};
  REQUIRE(rows.count(derived.Address()) == 1);
  CHECK_FALSE(rows[derived.Address()]);
  CHECK(rows.size() == 3);  // no delete keyed by the prefs row's ULID
}

// Issue 17, ninth session: the id-map row of a row inserted by its ULID has no record either. A
// later run that changed it put its own id on it, so neither the id map nor the archive names it
// for this run: the checkpoints the later run left on the same user do, and the rollback is
// refused naming that run; a later run of other users only is no obstacle.
TEST_CASE("SharedLoader: RollBack is refused while a later run holds a checkpoint of its users",
          "[loaders][core][rollback]") {
  Calls calls;
  std::unique_ptr<Loader> loader = MakeSharedLoader(std::make_unique<FakeBackend>(&calls));
  TableDef tasks = UlidTasks();
  PreImage checkpoint;
  checkpoint.kind = PreImage::Kind::kCheckpoint;
  checkpoint.user_id = "u";
  checkpoint.entity = "tasks";
  checkpoint.unit = "unit";
  std::unique_ptr<FirstPreImages> stream = PreImagesInMemory({checkpoint});
  RollbackRequest request{"R1", {&tasks}, stream.get(), /*dry_run=*/false};
  request.later_runs = {"R3", "R2"};
  REQUIRE(loader->Check(false).ok());
  RollbackOutcome outcome;

  SECTION("a later run loaded the same user: refused, nothing applied") {
    calls.run_checkpoints["R2"] = {CheckpointRecord{"u", "tasks", "unit", 9, "", ""}};
    calls.run_checkpoints["R3"] = {CheckpointRecord{"other", "tasks", "unit", 9, "", ""}};
    Status refused = loader->RollBack(request, &outcome);
    CHECK(refused.code() == Status::Code::kInvalidArgument);
    CHECK_THAT(refused.message(), Catch::Contains("roll back run R2 first"));
    CHECK(calls.count("ApplyRollback of 1") == 0);
    CHECK(calls.count("UnlockUser") == 1);
  }
  SECTION("later runs of other users only: applied") {
    calls.run_checkpoints["R3"] = {CheckpointRecord{"other", "tasks", "unit", 9, "", ""}};
    REQUIRE(loader->RollBack(request, &outcome).ok());
    CHECK(calls.count("ApplyRollback of 1") == 1);
  }
}

}  // namespace
}  // namespace ferry::shared_loader_rollback_test
