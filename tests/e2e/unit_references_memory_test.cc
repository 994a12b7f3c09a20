// End-to-end: what migrate keeps for references within one unit stays within its budgets
// (issue 15 item 8): the parents' ULIDs (agent/run/parent_ulids.h) and the records an entity
// that references itself holds back for its second pass (agent/run/held_record_file.h). The
// budgets are made small (FERRY_TEST_ID_CHECK_BUDGET) so that a test-sized unit passes them;
// bounds are far above the measured figures (docs/benchmarks.md).
#include <catch2/catch.hpp>
#include <fstream>

#include "tests/e2e/e2e_util.h"
#include "tests/test_paths.h"
#include "tests/under_sanitizer.h"

namespace ferry::e2e::unit_references_memory_test {
namespace {

// Peak RSS in KiB of `command` (a shell line), or 0 when /usr/bin/time is missing.
long PeakKilobytes(const std::string& command) {
  CommandResult run = RunShell("/usr/bin/time -f '%M' " + command + " 2>&1 >/dev/null | tail -1");
  INFO(command << ": " << run.out);
  return std::atol(run.out.c_str());
}

// A migrate of `dump` with `mapping`, the per-unit budgets at `budget` bytes; under ASan with a
// small quarantine, which otherwise grows with the work done rather than with what ferry holds.
std::string Migrate(const std::string& dump, const std::string& mapping, const std::string& db,
                    int budget, const std::string& extra) {
  std::string quarantine = testing::kUnderAddressSanitizer
                               ? "ASAN_OPTIONS=\"${ASAN_OPTIONS:-}:quarantine_size_mb=8\" "
                               : "";
  return "env " + quarantine + "FERRY_TEST_ID_CHECK_BUDGET=" + std::to_string(budget) + " '" +
         std::string(FERRY_BINARY) + "' migrate '" + dump + "' --mapping '" + mapping +
         "' --user-id u --target 'sqlite:" + db + "' --progress none --no-backup " + extra;
}

// A record's JSON text as a dump's value: {"id": "ID"} or {"id": "ID", "parent": "PARENT"}.
std::string Record(const std::string& id, const std::string& parent = "") {
  std::string text = R"("{\"id\": \")" + id + R"(\")";
  if (!parent.empty()) text += R"(, \"parent\": \")" + parent + R"(\")";
  return text + "}\"";
}

// parents (id, and `parent_column`, a mapping line) and children naming one (parent_id).
std::string TreeMapping(const TempDir& work, const std::string& parent_column) {
  std::string mapping = work / "tree.yaml";
  std::ofstream out(mapping);
  out << "version: 1\nname: tree\nentities:\n"
         "  parents:\n    source: {key_prefix: p, shape: record}\n"
         "    id: {field: id}\n    primary_key: [id]\n    columns:\n"
         "      id: {type: ulid, from: $ulid}\n"
      << parent_column
      << "  children:\n    source: {key_prefix: c, shape: record}\n"
         "    id: {field: id}\n    primary_key: [id]\n    columns:\n"
         "      id: {type: ulid, from: $ulid}\n"
         "      parent_id: {type: ulid, from: parent, references: parents}\n";
  return mapping;
}

// tasks, each naming its parent task (on_missing: null).
std::string TasksMapping(const TempDir& work) {
  std::string mapping = work / "tasks.yaml";
  std::ofstream out(mapping);
  out << "version: 1\nname: tasks\nentities:\n"
         "  tasks:\n    source: {key_prefix: t, shape: record}\n"
         "    id: {field: id}\n    primary_key: [id]\n    columns:\n"
         "      id: {type: ulid, from: $ulid}\n"
         "      legacy_id: {type: text, from: $legacy_id, nullable: false}\n"
         "      parent_id: {type: ulid, from: parent, references: tasks, on_missing: null}\n";
  return mapping;
}

}  // namespace

TEST_CASE("migrate: a unit's parent ULIDs do not grow with it", "[e2e][security][sqlite][slow]") {
  // Issue 15 item 8: a unit kept each record of an entity others reference, its legacy id and
  // ULID for the children's references (~100 bytes and the id a parent; 300k more parents with
  // 40-byte ids: ~50 MiB more). They spill now (agent/run/parent_ulids.h, at 1 MiB here through
  // FERRY_TEST_ID_CHECK_BUDGET, as the duplicate check does): four times the parents cost the
  // same budgets. A dry run, where that map is the only copy of the parents.
  TempDir work;
  const int parents = testing::PlainOrSanitized(100000, 40000);
  auto write_dump = [&work](const std::string& name, int count) {
    std::string path = work / name;
    std::ofstream out(path);
    // Each value is a record's JSON text; one child names the first parent.
    out << R"({"https://a.test": {"c0": "{\"id\": \"c0\", \"parent\": \"parent-with-a-long-legacy-id-0\"}")";
    for (int i = 0; i < count; ++i) {
      out << ", \"p" << i << R"(": "{\"id\": \"parent-with-a-long-legacy-id-)" << i << R"(\"}")";
    }
    out << "}}";
    return path;
  };
  std::string small = write_dump("small.json", parents);
  std::string large = write_dump("large.json", 4 * parents);
  std::string mapping =
      TreeMapping(work, "      legacy_id: {type: text, from: $legacy_id, nullable: false}\n");
  // The run itself loads them (the child's reference found), or the figures mean nothing.
  CommandResult checked =
      RunShell(Migrate(small, mapping, work / "s.db", 1 << 20, "--dry-run") + " 2>&1; echo rc=$?");
  INFO(checked.out);
  REQUIRE_THAT(checked.out, Catch::Contains("rc=0"));
  long small_kilobytes =
      PeakKilobytes(Migrate(small, mapping, work / "s.db", 1 << 20, "--dry-run"));
  long large_kilobytes =
      PeakKilobytes(Migrate(large, mapping, work / "l.db", 1 << 20, "--dry-run"));
  if (small_kilobytes == 0 || large_kilobytes == 0) {
    WARN("/usr/bin/time not available; skipped");
    return;
  }
  INFO(parents << " parents: " << small_kilobytes << " KiB, four times: " << large_kilobytes
               << " KiB");
  CHECK(large_kilobytes - small_kilobytes < testing::PlainOrSanitized(24 * 1024, 8 * 24 * 1024));
}

TEST_CASE("migrate: where a unit's parents were rejected does not grow with them",
          "[e2e][security][sqlite][slow]") {
  // Each parent is rejected (its n is no integer); a child naming one says where it was
  // rejected. Those places grew ~100 bytes a rejected parent; past the budget only the ids are
  // kept (spilled), and the child's reject says the place is in the reject file
  // (agent/run/rejected_parents.h).
  TempDir work;
  const int parents = testing::PlainOrSanitized(100000, 40000);
  auto write_dump = [&work](const std::string& name, int count) {
    std::string path = work / name;
    std::ofstream out(path);
    out << R"({"https://a.test": {"c0": "{\"id\": \"c0\", \"parent\": \"rejected-parent-0\"}")";
    out << R"(, "c1": "{\"id\": \"c1\", \"parent\": \"rejected-parent-)" << count - 1 << R"(\"}")";
    for (int i = 0; i < count; ++i) {
      out << ", \"p" << i << R"(": "{\"id\": \"rejected-parent-)" << i << R"(\", \"n\": \"x\"}")";
    }
    out << "}}";
    return path;
  };
  std::string small = write_dump("small.json", parents);
  std::string large = write_dump("large.json", 4 * parents);
  std::string mapping = TreeMapping(work, "      n: {type: integer, from: n}\n");
  // The small one for real, at a budget that keeps the first parents' places only.
  CommandResult checked = RunShell(Migrate(small, mapping, work / "s.db", 1 << 20,
                                           "--continue-on-error --max-reject-rate 1 --rejects '" +
                                               (work / "rejects.ndjson") + "'") +
                                   " 2>&1; echo rc=$?");
  INFO(checked.out);
  REQUIRE_THAT(checked.out, Catch::Contains("rc=3"));
  std::string rejects = ReadFile(work / "rejects.ndjson");
  CHECK_THAT(rejects, Catch::Contains("refers to parents \\\"rejected-parent-0\\\", which was "
                                      "rejected (") &&
                          Catch::Contains("key=p0"));
  CHECK_THAT(rejects,
             Catch::Contains("\\\"rejected-parent-" + std::to_string(parents - 1) +
                             "\\\", which was rejected (its place is in the reject file)"));
  long small_kilobytes =
      PeakKilobytes(Migrate(small, mapping, work / "s2.db", 1 << 20,
                            "--continue-on-error --max-reject-rate 1 --dry-run"));
  long large_kilobytes = PeakKilobytes(Migrate(
      large, mapping, work / "l.db", 1 << 20, "--continue-on-error --max-reject-rate 1 --dry-run"));
  if (small_kilobytes == 0 || large_kilobytes == 0) {
    WARN("/usr/bin/time not available; skipped");
    return;
  }
  INFO(parents << " rejected parents: " << small_kilobytes
               << " KiB, four times: " << large_kilobytes << " KiB");
  CHECK(large_kilobytes - small_kilobytes < testing::PlainOrSanitized(24 * 1024, 8 * 24 * 1024));
}

TEST_CASE("migrate: the records an entity that references itself holds back do not grow with it",
          "[e2e][security][sqlite]") {
  // Each of the first half names a task of the second half, not met yet: held for the second
  // pass, as its JSON text, place and entry (~500 bytes a record before: 4x the records, ~60
  // MiB more). Past the budget they go to a temporary file (agent/run/held_record_file.h).
  // Under ASan a tenth (~130 s there at 40,000): 5,000 held records, ~2.5 MiB, still pass the
  // 1 MiB budget, so the file's path runs; the bound is the plain phase's to check.
  TempDir work;
  const int tasks = testing::PlainOrSanitized(100000, 10000);
  auto write_dump = [&work](const std::string& name, int count) {
    std::string path = work / name;
    std::ofstream out(path);
    out << R"({"https://a.test": {)";
    for (int i = 0; i < count; ++i) {
      std::string parent = i < count / 2 ? "t" + std::to_string(i + count / 2) : "";
      out << (i ? ", " : "") << "\"t" << i << "\": " << Record("t" + std::to_string(i), parent);
    }
    out << "}}";
    return path;
  };
  std::string small = write_dump("small.json", tasks);
  std::string large = write_dump("large.json", 4 * tasks);
  std::string mapping = TasksMapping(work);
  CommandResult checked =
      RunShell(Migrate(small, mapping, work / "s.db", 1 << 20, "--dry-run") + " 2>&1; echo rc=$?");
  INFO(checked.out);
  REQUIRE_THAT(checked.out, Catch::Contains("rc=0"));
  long small_kilobytes =
      PeakKilobytes(Migrate(small, mapping, work / "s.db", 1 << 20, "--dry-run"));
  long large_kilobytes =
      PeakKilobytes(Migrate(large, mapping, work / "l.db", 1 << 20, "--dry-run"));
  if (small_kilobytes == 0 || large_kilobytes == 0) {
    WARN("/usr/bin/time not available; skipped");
    return;
  }
  INFO(tasks << " tasks: " << small_kilobytes << " KiB, four times: " << large_kilobytes << " KiB");
  CHECK(large_kilobytes - small_kilobytes < testing::PlainOrSanitized(24 * 1024, 8 * 24 * 1024));
}

TEST_CASE("migrate: held records past their budget load parents first, as in memory",
          "[e2e][sqlite][slow]") {
  // Three levels written children first (t0..t999 name t1000.., which name t2000..), a pair
  // naming each other and one naming itself: with the held records on disk (a 64 KiB budget)
  // the rounds must give every child its parent's ULID as the in-memory order does; of the
  // cycle the first loaded gets NULL and the other its ULID, the self-reference NULL.
  TempDir work;
  std::string dump = work / "tree.json";
  {
    std::ofstream out(dump);
    out << R"({"https://a.test": {)";
    for (int i = 0; i < 3000; ++i) {
      std::string parent = i < 2000 ? "t" + std::to_string(i + 1000) : "";
      out << (i ? ", " : "") << "\"t" << i << "\": " << Record("t" + std::to_string(i), parent);
    }
    out << R"(, "tx": )" << Record("x", "y") << R"(, "ty": )" << Record("y", "x") << R"(, "tz": )"
        << Record("z", "z") << "}}";
  }
  std::string mapping = TasksMapping(work);
  for (int budget : {1 << 30, 65536}) {
    std::string db = work / ("t" + std::to_string(budget) + ".db");
    CommandResult run = RunShell(Migrate(dump, mapping, db, budget, "") + " 2>&1; echo rc=$?");
    INFO("budget " << budget << ": " << run.out);
    CHECK_THAT(run.out, Catch::Contains("rc=0"));
    CHECK(Query(db, "SELECT count(*) FROM tasks").at(0).at(0) == "3003");
    CHECK(Query(db,
                "SELECT count(*) FROM tasks c JOIN tasks p ON c.parent_id = p.id WHERE "
                "p.legacy_id = 't' || (CAST(substr(c.legacy_id, 2) AS INTEGER) + 1000)")
              .at(0)
              .at(0) == "2000");
    CHECK(Query(db, "SELECT count(*) FROM tasks WHERE parent_id IS NULL").at(0).at(0) == "1002");
  }
}

}  // namespace ferry::e2e::unit_references_memory_test
