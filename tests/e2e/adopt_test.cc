// End-to-end: loading into a database the application already has (issue 16 items 1, 2, 5, 7,
// 8 and 9). ferry adopts the application's `tasks` table only when every value round-trips and
// its constraints enforce the mapping's keys; it decides so from the catalog before writing
// anything (schema status, the dry run, schema up and migrate agree), records an adoption as
// one, and `schema down` never drops an adopted table. Every case runs on SQLite and
// PostgreSQL (target_fixture.h); the application databases come from app_tables.h.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "tests/e2e/app_tables.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::adopt_test {

namespace {

using Rows = std::vector<std::vector<std::string>>;

constexpr const char* kHandUlid1 = "01ARZ3NDEKTSV4RRFFQ69G5FA1";
constexpr const char* kHandUlid2 = "01ARZ3NDEKTSV4RRFFQ69G5FA2";

std::string Tasks(int count) {
  std::string out = "[";
  for (int i = 1; i <= count; ++i) {
    out +=
        std::string(i > 1 ? "," : "") + R"({"id":")" + (i == 1 ? "007" : std::to_string(i)) +
        R"(","title":"source )" + std::to_string(i) +
        R"(","status":"todo","createdAt":"2020-01-01T00:00:00Z","updatedAt":"2020-01-02T00:00:00Z"})";
  }
  return out + "]";
}

CommandResult Ferry(const std::vector<std::string>& args) {
  CommandResult result = RunFerry(args);
  UNSCOPED_INFO("ferry " << args.front() << ": exit " << result.exit_code << "\n"
                         << result.out << result.err);
  return result;
}

}  // namespace

TEST_CASE("adopt: a table that cannot take the rows is refused by every command, nothing written",
          "[e2e][sqlite][postgres][adopt]") {
  // (kNoUniqueKey: `schema up` adds the key when the rows allow it, the case below.)
  for (AppShape shape : {AppShape::kLegacyIdInteger, AppShape::kCreatedAtOtherType,
                         AppShape::kExtraNotNull, AppShape::kIdOtherType}) {
    FERRY_FOR_EACH_TARGET(target) {
      INFO(AppShapeName(shape));
      TempDir work;
      std::string dump = work / "u.json";
      WriteDump(dump, {{"tasks", Tasks(3)}});
      MakeAppDatabase(*target, shape);
      std::vector<std::string> migrate = {"migrate",  dump,          "--user-id",  "u",
                                          "--target", target->url(), "--progress", "none"};

      CommandResult status = Ferry({"schema", "status", "--target", target->url()});
      CHECK(status.exit_code == 2);
      CHECK(status.err.find(AppShapeColumn(shape)) != std::string::npos);
      CHECK(status.out.find("REFUSED") != std::string::npos);

      std::vector<std::string> dry = migrate;
      dry.push_back("--dry-run");
      CommandResult dry_run = Ferry(dry);
      CHECK(dry_run.exit_code == 2);
      CHECK(dry_run.err.find(AppShapeColumn(shape)) != std::string::npos);

      CommandResult real = Ferry(migrate);
      CHECK(real.exit_code == 2);
      CHECK(real.err.find(AppShapeColumn(shape)) != std::string::npos);
      CHECK(FerryBookkeepingCount(*target) == 0);

      CommandResult up = Ferry({"schema", "up", "--target", target->url()});
      CHECK(up.exit_code == 2);
      CHECK(up.err.find(AppShapeColumn(shape)) != std::string::npos);
      CHECK(FerryBookkeepingCount(*target) == 0);
      CHECK(AppTableCount(*target) == 1);  // no table of the mapping created before refusing
      CHECK(target->Count("SELECT count(*) FROM tasks") == 0);
    }
  }
}

TEST_CASE("adopt: a table without the mapping's unique key gets it from schema up, rows allowing",
          "[e2e][sqlite][postgres][adopt][evolution]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    std::string dump = work / "u.json";
    WriteDump(dump, {{"tasks", Tasks(3)}});
    MakeAppDatabase(*target, AppShape::kNoUniqueKey);
    for (const char* id : {kHandUlid1, kHandUlid2}) {
      AppExec(*target, std::string("INSERT INTO tasks (id, user_id, legacy_id, title) VALUES ('") +
                           id + "', 'u', '2', 'the application''s')");
    }
    std::vector<std::string> migrate = {"migrate",  dump,          "--user-id",  "u",
                                        "--target", target->url(), "--progress", "none"};

    // Two rows share ("u", "2"): the key cannot be added; every command says which, nothing
    // is written.
    CommandResult status = Ferry({"schema", "status", "--target", target->url()});
    CHECK(status.exit_code == 2);
    CHECK(status.out.find("add unique key (\"user_id\", \"legacy_id\")") != std::string::npos);
    CHECK(status.err.find("in 2 rows") != std::string::npos);
    CommandResult up = Ferry({"schema", "up", "--target", target->url()});
    CHECK(up.exit_code == 2);
    CHECK(up.err.find("in 2 rows") != std::string::npos);
    CHECK(FerryBookkeepingCount(*target) == 0);
    CHECK(Ferry(migrate).exit_code == 2);
    CHECK(FerryBookkeepingCount(*target) == 0);

    // Once the rows allow it, migrate still refuses (it never alters a table) naming `schema
    // up`, which adopts the table and adds the key as a recorded step.
    AppExec(*target, std::string("DELETE FROM tasks WHERE id = '") + kHandUlid2 + "'");
    CommandResult refused = Ferry(migrate);
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("ferry schema up") != std::string::npos);
    CommandResult adopted = Ferry({"schema", "up", "--target", target->url()});
    REQUIRE(adopted.exit_code == 0);
    CHECK(adopted.out.find("adopt table") != std::string::npos);
    CHECK(adopted.out.find("add unique key") != std::string::npos);
    REQUIRE(Ferry(migrate).exit_code == 0);
    CHECK(target->Count("SELECT count(*) FROM tasks WHERE user_id = 'u'") == 3);  // 2 adopted

    // down reverts the key, then forgets the adoption; the table and its rows stay.
    REQUIRE(Ferry({"schema", "down", "tasks", "--target", target->url()}).exit_code == 0);
    CommandResult forget = Ferry({"schema", "down", "tasks", "--target", target->url()});
    REQUIRE(forget.exit_code == 0);
    CHECK(forget.out.find("forgot the adoption") != std::string::npos);
    CHECK(target->Count("SELECT count(*) FROM tasks") == 3);
  }
}

TEST_CASE("adopt: a compatible table is recorded as adopted; schema down forgets it, never drops",
          "[e2e][sqlite][postgres][adopt]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    std::string dump = work / "u.json";
    WriteDump(dump, {{"tasks", Tasks(3)}});
    MakeAppDatabase(*target, AppShape::kCompatible);
    AppExec(*target, std::string("INSERT INTO tasks (id, user_id, legacy_id, title) VALUES ('") +
                         kHandUlid1 + "', 'app', 'a-1', 'the application''s')");

    CommandResult status = Ferry({"schema", "status", "--target", target->url()});
    CHECK(status.exit_code == 0);
    CHECK(status.out.find("adopt table") != std::string::npos);
    CommandResult run =
        Ferry({"migrate", dump, "--user-id", "u", "--target", target->url(), "--progress", "none"});
    REQUIRE(run.exit_code == 0);
    CHECK(target->Query("SELECT legacy_id FROM tasks WHERE user_id = 'u' ORDER BY legacy_id") ==
          Rows{{"007"}, {"2"}, {"3"}});
    CHECK(target->Count("SELECT count(*) FROM " + target->Bookkeeping("schema_history") +
                        " WHERE description LIKE 'adopt table %tasks%'") == 1);

    // Down, newest first, until nothing is recorded: the tables ferry created go, tasks stays
    // with every row.
    int forgotten = 0;
    for (int i = 0; i < 10; ++i) {
      CommandResult down = Ferry({"schema", "down", "--force", "--target", target->url()});
      if (down.exit_code != 0) break;
      if (down.out.find("forgot the adoption") != std::string::npos) {
        CHECK(down.out.find("stays with its rows") != std::string::npos);
        ++forgotten;
      }
    }
    CHECK(forgotten == 1);
    CHECK(target->Count("SELECT count(*) FROM " + target->Bookkeeping("schema_history") +
                        " WHERE description LIKE '%tasks%'") == 0);
    CHECK(target->Count("SELECT count(*) FROM tasks") == 4);
    CHECK(AppTableCount(*target) == 1);

    // Adopted again, the rows are found through the id map: nothing twice.
    CommandResult again =
        Ferry({"migrate", dump, "--user-id", "u", "--target", target->url(), "--progress", "none"});
    CHECK(again.exit_code == 0);
    CHECK(target->Count("SELECT count(*) FROM tasks") == 4);
  }
}

TEST_CASE("adopt: both targets give the same rows for every policy on rows under the unique key",
          "[e2e][sqlite][postgres][adopt]") {
  for (const char* policy : {"skip", "overwrite", "merge"}) {
    std::map<std::string, Rows> by_target;
    FERRY_FOR_EACH_TARGET(target) {
      INFO(policy);
      TempDir work;
      std::string dump = work / "u.json";
      WriteDump(dump, {{"tasks", Tasks(3)}});
      MakeAppDatabase(*target, AppShape::kCompatible);
      AppExec(*target,
              std::string("INSERT INTO tasks (id, user_id, legacy_id, title, status) VALUES ('") +
                  kHandUlid1 + "', 'u', '007', 'by hand 1', 'pending'), ('" + kHandUlid2 +
                  "', 'u', '2', 'by hand 2', 'pending')");
      CommandResult run = Ferry({"migrate", dump, "--user-id", "u", "--target", target->url(),
                                 "--conflict", policy, "--progress", "none"});
      CHECK(run.exit_code == 0);
      Rows rows = target->Query(
          "SELECT legacy_id, title, status, created_at FROM tasks ORDER BY legacy_id");
      REQUIRE(rows.size() == 3);
      CHECK(target->Query("SELECT id FROM tasks WHERE legacy_id IN ('007', '2') ORDER BY id") ==
            Rows{{kHandUlid1}, {kHandUlid2}});
      bool keeps = std::string(policy) == "skip";
      CHECK(rows[0][1] == (keeps ? "by hand 1" : "source 1"));
      CHECK(target->Count("SELECT count(*) FROM " + target->Bookkeeping("id_map")) == 3);
      by_target[target->kind()] = rows;
    }
    if (by_target.size() == 2) {
      INFO(policy);
      CHECK(by_target["sqlite"] == by_target["postgresql"]);
    }
  }
}

}  // namespace ferry::e2e::adopt_test
