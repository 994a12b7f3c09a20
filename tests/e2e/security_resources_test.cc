// End-to-end: a hostile store cannot make ferry run forever, memory stays within a bound far
// above the measured figure (docs/security.md, "Memory"), and a value over the cap is refused.
#include <sys/resource.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/extractors/chromium/log_builder.h"
#include "tests/extractors/firefox/firefox_test_util.h"
#include "tests/test_paths.h"
#include "tests/under_sanitizer.h"

namespace ferry::e2e::security_resources_test {
namespace {

TEST_CASE("export: a Firefox data view that never ends is refused within seconds",
          "[e2e][security]") {
  TempDir work;
  std::string file = work / "p/storage/default/https+++a.test/ls/data.sqlite";
  {
    testing::TestDb db(file);
    db.Exec("CREATE TABLE database(origin TEXT NOT NULL)");
    db.Exec("INSERT INTO database(origin) VALUES ('https://a.test')");
    db.Exec(
        "CREATE VIEW data AS WITH RECURSIVE r(key, utf16_length, conversion_type, "
        "compression_type, last_access_time, value) AS (SELECT 'a', 1, 1, 0, 0, x'61' UNION ALL "
        "SELECT key || 'a', 1, 1, 0, 0, value FROM r) SELECT * FROM r ORDER BY key");
  }
  CommandResult run = RunShell("timeout 30 '" + std::string(FERRY_BINARY) +
                               "' export 'firefox:" + (work / "p") + "' >/dev/null 2>&1; echo $?");
  INFO(run.out);
  CHECK(run.out != "124\n");  // not killed by the timeout
  CHECK(run.out != "0\n");
}

// Peak RSS in KiB of `command` (a shell line), or 0 when /usr/bin/time is missing.
long PeakKilobytes(const std::string& command) {
  CommandResult run = RunShell("/usr/bin/time -f '%M' " + command + " 2>&1 >/dev/null | tail -1");
  INFO(command << ": " << run.out);
  return std::atol(run.out.c_str());
}

TEST_CASE("inspect, export and migrate: peak memory of 200,000 tiny keys stays under a bound",
          "[e2e][security][sqlite]") {
  TempDir work;
  std::string dump = work / "tiny.json";
  // Under ASan a tenth of the keys: the five commands took ~180 s there (most of the sanitizer
  // phase's longest file) for the same code paths; the bound is the plain phase's to check.
  const int keys = testing::PlainOrSanitized(200000, 20000);
  {
    std::ofstream out(dump);
    out << R"({"https://a.test": {)";
    for (int i = 0; i < keys; ++i) out << (i ? "," : "") << "\"k" << i << "\": \"v\"";
    out << "}}";
  }
  std::string ferry = "'" + std::string(FERRY_BINARY) + "' ";
  // Measured at ~45 MiB for inspect and export and ~65 MiB for migrate at 200k keys
  // (docs/benchmarks.md, "Memory"): a constant, the file, the dump's index (its 16 MiB budget)
  // and, for migrate, the unit's memory budget and 10 bytes a key (agent/run/unit_entries.h).
  // The bounds are far above it and below the ~0.6 KB a key of before (155 MiB for migrate).
  struct Case {
    std::string command;
    long bound_kilobytes;
  };
  // Under AddressSanitizer the same run holds shadow memory and up to 256 MiB of freed blocks
  // in quarantine, and redzones around every block (measured ~340 MiB for inspect --json and
  // 756 MiB for migrate, against ~60 without it): the bounds grow with it.
#ifdef __SANITIZE_ADDRESS__
  constexpr long kFactor = 8;
#else
  constexpr long kFactor = 1;
#endif
  for (const Case& c :
       {Case{ferry + "inspect '" + dump + "'", kFactor * 160 * 1024},
        Case{ferry + "inspect --json '" + dump + "'", kFactor * 160 * 1024},
        Case{ferry + "export '" + dump + "' --out '" + (work / "out.json") + "'",
             kFactor * 160 * 1024},
        Case{ferry + "migrate '" + dump + "' --user-id u --target 'sqlite:" + (work / "t.db") +
                 "' --progress none",
             kFactor * 130 * 1024},
        Case{ferry + "migrate --dry-run '" + dump +
                 "' --user-id u --target 'sqlite:" + (work / "d.db") + "' --progress none",
             kFactor * 130 * 1024}}) {
    long kilobytes = PeakKilobytes(c.command);
    if (kilobytes == 0) {
      WARN("/usr/bin/time not available; skipped");
      return;
    }
    INFO(c.command << ": " << kilobytes << " KiB");
    CHECK(kilobytes < c.bound_kilobytes);
  }
}

TEST_CASE("inspect, export and migrate: a dump's reading does not grow with its structure",
          "[e2e][security][sqlite]") {
  TempDir work;
  std::string dump = work / "structure.json";
  {
    // 40 MB of text holding 20,000,001 tiny values (one bad value, an array of zeros); under
    // ASan a tenth: the scanner's path is the same, the bound the plain phase's to check.
    std::ofstream out(dump);
    out << R"({"https://a.test": {"k": "v", "n": [)";
    const int values = testing::PlainOrSanitized(20000000, 2000000);
    for (int i = 0; i < values; ++i) out << "0,";
    out << "0]}}";
  }
  std::string ferry = "'" + std::string(FERRY_BINARY) + "' ";
  // Measured ~53 MiB (docs/benchmarks.md, "Memory"): the text and a constant, since the dump
  // is walked by a scanner holding a byte a level. When simdjson indexed the whole text it
  // held ~4 bytes a byte of it: ~205 MiB.
#ifdef __SANITIZE_ADDRESS__
  constexpr long kBoundKilobytes = 3 * 120 * 1024;
#else
  constexpr long kBoundKilobytes = 120 * 1024;
#endif
  for (const std::string& command :
       {ferry + "inspect '" + dump + "'",
        ferry + "export '" + dump + "' --out '" + (work / "out.json") + "'",
        ferry + "migrate --dry-run '" + dump + "' --user-id u --target 'sqlite:" + (work / "d.db") +
            "' --progress none"}) {
    long kilobytes = PeakKilobytes(command);
    if (kilobytes == 0) {
      WARN("/usr/bin/time not available; skipped");
      return;
    }
    INFO(command << ": " << kilobytes << " KiB");
    CHECK(kilobytes < kBoundKilobytes);
  }
}

TEST_CASE("inspect: a dump's index and --json's keys do not grow with its keys",
          "[e2e][security]") {
  // Four times the keys may cost the larger file, not 40 bytes a key of index as the vector of
  // slots and (hash, slot) pairs did (issue 15 item 8): the index spills past its budget.
  TempDir work;
  auto write_dump = [&work](const std::string& name, int keys) {
    std::string path = work / name;
    std::ofstream out(path);
    out << R"({"https://a.test": {)";
    for (int i = 0; i < keys; ++i) out << (i ? "," : "") << "\"k" << i << "\": \"v\"";
    out << "}}";
    return path;
  };
  // Under ASan a tenth (its slack of 128 MiB dwarfs the files anyway): the index's path past its
  // budget runs under ASan in dump_file_test ("DumpIndex: past its memory budget").
  const int keys = testing::PlainOrSanitized(250000, 25000);
  std::string small = write_dump("small.json", keys);
  std::string large = write_dump("large.json", 4 * keys);
  long file_growth_kilobytes = static_cast<long>(
      (std::filesystem::file_size(large) - std::filesystem::file_size(small)) / 1024);
  // --json: every key's JSON text (~50 bytes a key, ~36 MB more) was held until printed; it
  // spills past 64 KiB an origin now (agent/inspect/inspect_report.h).
  for (const char* json : {"", "--json "}) {
    std::string ferry = "'" + std::string(FERRY_BINARY) + "' inspect " + json;
    long small_kilobytes = PeakKilobytes(ferry + "'" + small + "'");
    long large_kilobytes = PeakKilobytes(ferry + "'" + large + "'");
    if (small_kilobytes == 0 || large_kilobytes == 0) {
      WARN("/usr/bin/time not available; skipped");
      return;
    }
    // Measured: the growth is the file's (11 MiB) and a few MiB; the old index added ~29 MiB.
#ifdef __SANITIZE_ADDRESS__
    constexpr long kSlackKilobytes = 8 * 16 * 1024;  // ASan: quarantine and redzones
#else
    constexpr long kSlackKilobytes = 16 * 1024;
#endif
    INFO(json << "250k keys: " << small_kilobytes << " KiB, 1M keys: " << large_kilobytes
              << " KiB, file growth " << file_growth_kilobytes << " KiB");
    CHECK(large_kilobytes - small_kilobytes < file_growth_kilobytes + kSlackKilobytes);
  }
}

// A dump of `keys` keys in one origin, each value `value_bytes` long; `damaged` drops the
// closing braces, so that the fault is found at the very end.
std::string WriteDump(const TempDir& work, const std::string& name, int keys, size_t value_bytes,
                      bool damaged = false) {
  std::string path = work / name;
  std::ofstream out(path);
  std::string value(value_bytes, 'v');
  out << R"({"https://a.test": {)";
  for (int i = 0; i < keys; ++i) out << (i ? "," : "") << "\"k" << i << "\": \"" << value << "\"";
  if (!damaged) out << "}}";
  return path;
}

TEST_CASE("inspect: a dump file is not held whole, well-formed or damaged", "[e2e][security]") {
  // The file was read whole (and a damaged one indexed whole by simdjson, ~4 bytes a byte, to
  // name its fault). It is mapped now and its pages let go behind each pass (issue 15 item 8,
  // docs/design.md "Memory"): the same keys with values 200 times longer cost no more.
  TempDir work;
  // Under ASan 40,000 (~80 s there at 100,000): its slack of 128 MiB is past the file's growth
  // at either size, so only the path counts there; the plain phase checks the bound.
  int keys = testing::PlainOrSanitized(400000, 40000);
  std::string small = WriteDump(work, "small.json", keys, 1);
  std::string large = WriteDump(work, "large.json", keys, 200);
  std::string damaged = WriteDump(work, "damaged.json", keys, 200, /*damaged=*/true);
  long file_growth_kilobytes = static_cast<long>(
      (std::filesystem::file_size(large) - std::filesystem::file_size(small)) / 1024);
  std::string ferry = "'" + std::string(FERRY_BINARY) + "' inspect ";
  long small_kilobytes = PeakKilobytes(ferry + "'" + small + "'");
  long large_kilobytes = PeakKilobytes(ferry + "'" + large + "'");
  long damaged_kilobytes = PeakKilobytes(ferry + "'" + damaged + "'");
  if (small_kilobytes == 0 || large_kilobytes == 0 || damaged_kilobytes == 0) {
    WARN("/usr/bin/time not available; skipped");
    return;
  }
  CommandResult refused = RunFerry({"inspect", damaged});
  CHECK(refused.exit_code != 0);
  CHECK_THAT(refused.err, Catch::Contains("the file ends inside an object"));
  INFO("1-byte values: " << small_kilobytes << " KiB, 200-byte: " << large_kilobytes
                         << " KiB, damaged: " << damaged_kilobytes << " KiB, file growth "
                         << file_growth_kilobytes << " KiB");
  // Measured (plain build, 400k keys): 68 MiB for a 6 MB file, 64 MiB for an 85 MB one, 32 MiB
  // for the damaged one; held whole, the file's growth would show.
  long slack_kilobytes = testing::PlainOrSanitized(16 * 1024, 8 * 16 * 1024);
  // The plain build's input is big enough that holding the file would fail the checks.
  if (!testing::kUnderAddressSanitizer) REQUIRE(file_growth_kilobytes > 2 * slack_kilobytes);
  CHECK(large_kilobytes - small_kilobytes < slack_kilobytes);
  CHECK(damaged_kilobytes - small_kilobytes < slack_kilobytes);
}

TEST_CASE("export: an origin's key set does not grow with its keys", "[e2e][security]") {
  // export refused a key twice through a set of the origin's keys, ~85 bytes a key (890 MiB at
  // 10,000,000 keys; issue 15 item 8). It spills past its budget now: measured 77 -> 84 MiB
  // from 500k to 1M keys, where the set alone added ~42 MiB.
  TempDir work;
  // Under ASan a tenth (~200 s there at 120,000); the set's path past its budget runs under ASan
  // in dump_writer_test (a 256-byte budget), the bound at this size in the plain phase.
  int keys = testing::PlainOrSanitized(500000, 50000);
  std::string small = WriteDump(work, "small.json", keys, 1);
  std::string large = WriteDump(work, "large.json", 2 * keys, 1);
  std::string ferry = "'" + std::string(FERRY_BINARY) + "' export ";
  long small_kilobytes = PeakKilobytes(ferry + "'" + small + "' --out '" + (work / "s.out") + "'");
  long large_kilobytes = PeakKilobytes(ferry + "'" + large + "' --out '" + (work / "l.out") + "'");
  if (small_kilobytes == 0 || large_kilobytes == 0) {
    WARN("/usr/bin/time not available; skipped");
    return;
  }
  REQUIRE(std::filesystem::file_size(work / "l.out") > std::filesystem::file_size(work / "s.out"));
  INFO("small: " << small_kilobytes << " KiB, twice the keys: " << large_kilobytes << " KiB");
  CHECK(large_kilobytes - small_kilobytes < testing::PlainOrSanitized(16 * 1024, 8 * 16 * 1024));
}

TEST_CASE("inspect and migrate: a Chromium log of 300,000 keys stays under a bound",
          "[e2e][security][sqlite][chromium]") {
  TempDir work;
  std::string profile = work / "profile";
  std::filesystem::copy(std::string(FERRY_SOURCE_DIR) + "/examples/chromium-taskapp", profile,
                        std::filesystem::copy_options::recursive);
  std::string leveldb = profile + "/Default/Local Storage/leveldb";
  std::filesystem::remove(leveldb + "/LOCK");
  std::vector<std::string> records;
  uint64_t sequence = 1000000;
  // Under ASan a tenth: the bound is the plain phase's to check, and the index's path past its
  // budget runs under ASan in log_source_test (a 4 KiB budget).
  const int keys = testing::PlainOrSanitized(300000, 30000);
  for (int start = 0; start < keys; start += 1000) {
    std::vector<testing::TestOperation> puts;
    for (int i = start; i < start + 1000; ++i) {
      puts.push_back({false, std::string("_https://a.test\0\1k", 18) + std::to_string(i), "\1v"});
    }
    records.push_back(testing::Batch(sequence, puts));
    sequence += puts.size();
  }
  {
    std::ofstream log(leveldb + "/000004.log", std::ios::binary | std::ios::trunc);
    log << testing::BuildLog(records);
  }
  std::string ferry = "'" + std::string(FERRY_BINARY) + "' ";
#ifdef __SANITIZE_ADDRESS__
  constexpr long kFactor = 8;  // ASan: quarantine and redzones (932 MiB measured)
#else
  constexpr long kFactor = 1;
#endif
  // Measured ~70 MiB for both (docs/benchmarks.md, "Memory"): the log's index, ~170 bytes a
  // key, until it spilled past 16 MiB (SpillingKeyIndex; ~50 MiB for inspect since). Before,
  // each key's value and place was held: ~270 MiB for migrate.
  for (const std::string& command : {ferry + "inspect 'chromium:" + profile + "'",
                                     ferry + "migrate 'chromium:" + profile +
                                         "' --user-id u --target 'sqlite:" + (work / "t.db") +
                                         "' --progress none --no-backup"}) {
    long kilobytes = PeakKilobytes(command);
    if (kilobytes == 0) {
      WARN("/usr/bin/time not available; skipped");
      return;
    }
    INFO(command << ": " << kilobytes << " KiB");
    CHECK(kilobytes < kFactor * 150 * 1024);
  }
  CommandResult listed = RunShell(ferry + "inspect 'chromium:" + profile + "' 2>&1");
  CHECK_THAT(listed.out, Catch::Contains(std::to_string(keys + 16) + " entries"));
}

TEST_CASE("export: one value of 100 MiB peaks at about twice the value", "[e2e][security]") {
  TempDir work;
  std::string dump = work / "big.json";
  const size_t value_bytes = testing::PlainOrSanitized<size_t>(100 << 20, 20 << 20);
  {
    std::ofstream out(dump);
    // Under ASan 20 MiB: the value's path is the same, the bound the plain phase's to check.
    out << R"({"https://a.test": {"big": ")" << std::string(value_bytes, 'x') << "\"}}";
  }
#ifdef __SANITIZE_ADDRESS__
  constexpr long kFactor = 3;
#else
  constexpr long kFactor = 1;
#endif
  // Measured ~215 MiB (the file read whole and the decoded value; docs/benchmarks.md); it was
  // ~420 MiB when the escaped value was built whole before it was written.
  long kilobytes = PeakKilobytes("'" + std::string(FERRY_BINARY) + "' export '" + dump +
                                 "' --out '" + (work / "out.json") + "'");
  if (kilobytes == 0) {
    WARN("/usr/bin/time not available; skipped");
    return;
  }
  INFO(kilobytes << " KiB");
  CHECK(kilobytes < kFactor * 300 * 1024);
  CHECK(std::filesystem::file_size(work / "out.json") > value_bytes);
}

TEST_CASE("migrate: a unit past its memory budget loads every key from its temporary file",
          "[e2e][security][sqlite]") {
  TempDir work;
  std::string dump = work / "many.json";
  // ~600 bytes an entry by EntryMemoryBytes: 100k keys are ~60 MiB, past the 16 MiB budget.
  // Under AddressSanitizer 40k keys (~24 MiB) still spill, at 2/5 of the time.
  constexpr int kKeys = testing::PlainOrSanitized(100000, 40000);
  {
    std::ofstream out(dump);
    out << R"({"https://a.test": {"theme": "dark", )";
    for (int i = 0; i < kKeys; ++i) out << (i ? "," : "") << "\"k" << i << "\": \"" << i << "\"";
    out << "}}";
  }
  std::string mapping = work / "kv.yaml";
  {
    std::ofstream out(mapping);
    out << "version: 1\nname: kv\nentities:\n  kv:\n    source: {key_prefix: k, shape: record}\n"
           "    id: {field: $key_suffix}\n    primary_key: [id]\n"
           "    unique: [[user_id, legacy_id]]\n    columns:\n"
           "      id: {type: ulid, from: $ulid}\n"
           "      user_id: {type: text, from: $user, nullable: false}\n"
           "      legacy_id: {type: text, from: $legacy_id, nullable: false}\n"
           "      value: {type: json, from: $record}\n";
  }
  std::string db = work / "t.db";
  CommandResult run = RunShell("'" + std::string(FERRY_BINARY) + "' migrate '" + dump +
                               "' --mapping '" + mapping + "' --user-id u --target 'sqlite:" + db +
                               "' --progress none --no-backup 2>&1; echo \"rc=$?\"");
  INFO(run.out);
  REQUIRE_THAT(run.out, Catch::Contains("rc=0"));
  CHECK(Query(db, "SELECT count(*), count(DISTINCT legacy_id) FROM kv") ==
        std::vector<std::vector<std::string>>{{std::to_string(kKeys), std::to_string(kKeys)}});
  const std::string last = std::to_string(kKeys - 1);
  CHECK(Query(db, "SELECT value FROM kv WHERE legacy_id = '" + last + "'") ==
        std::vector<std::vector<std::string>>{{last}});
}

// A dump of `keys` keys "k0".. in one origin, each value its number: with KvMapping, one record a
// key whose legacy id is the number.
std::string WriteNumberedDump(const TempDir& work, const std::string& name, int keys) {
  std::string path = work / name;
  std::ofstream out(path);
  out << R"({"https://a.test": {"theme": "dark", )";
  for (int i = 0; i < keys; ++i) out << (i ? "," : "") << "\"k" << i << "\": \"" << i << "\"";
  out << "}}";
  return path;
}

std::string KvMapping(const TempDir& work) {
  std::string mapping = work / "kv.yaml";
  std::ofstream out(mapping);
  out << "version: 1\nname: kv\nentities:\n  kv:\n    source: {key_prefix: k, shape: record}\n"
         "    id: {field: $key_suffix}\n    primary_key: [id]\n"
         "    unique: [[user_id, legacy_id]]\n    columns:\n"
         "      id: {type: ulid, from: $ulid}\n"
         "      user_id: {type: text, from: $user, nullable: false}\n"
         "      legacy_id: {type: text, from: $legacy_id, nullable: false}\n"
         "      value: {type: json, from: $record}\n";
  return mapping;
}

TEST_CASE("migrate: a unit's duplicate check, written keys and routing do not grow with it",
          "[e2e][security][sqlite]") {
  // Issue 15 item 8: per record of one unit migrate kept its legacy id (~80 bytes and the id),
  // a hash of each written key (16-32 bytes), and per key an offset and its route (10 bytes):
  // ~110 bytes a record, ~31 MiB more for 300k more records. Measured since: 65 MiB at 100k,
  // 78 MiB at 400k, the growth the fixed budgets filling (the dump's index, written keys). The
  // duplicate check spills now (base/spilling_id_map.h), the written keys stop at 2^20, the offsets
  // and routes are not kept: four times the records cost the same budgets (measured in
  // docs/benchmarks.md).
  TempDir work;
  // Under ASan 20,000 (~2 MiB of ids at ~110 bytes a record) still pass the 1 MiB budget below.
  const int records = testing::PlainOrSanitized(100000, 20000);
  std::string small = WriteNumberedDump(work, "small.json", records);
  std::string large = WriteNumberedDump(work, "large.json", 4 * records);
  std::string mapping = KvMapping(work);
  auto migrate = [&](const std::string& dump, const std::string& db, const char* extra) {
    // The duplicate check spills at 1 MiB (FERRY_TEST_ID_CHECK_BUDGET) for both sizes, as
    // the unit's entries do at 16 MiB: what is left to grow is what the bound leaves.
    // Under ASan the quarantine (256 MiB by default) holds freed memory, which grows with the
    // work done, not with what ferry holds: kept small so that the bound measures ferry.
    std::string quarantine = testing::kUnderAddressSanitizer
                                 ? "ASAN_OPTIONS=\"${ASAN_OPTIONS:-}:quarantine_size_mb=8\" "
                                 : "";
    return "env " + quarantine + "FERRY_TEST_ID_CHECK_BUDGET=1048576 '" +
           std::string(FERRY_BINARY) + "' migrate '" + dump + "' --mapping '" + mapping +
           "' --user-id u --target 'sqlite:" + (work / db) + "' --progress none --no-backup " +
           extra;
  };
  for (const char* extra : {"--dry-run"}) {  // into SQLite: the same, and far slower
    long small_kilobytes = PeakKilobytes(migrate(small, "s.db", extra));
    long large_kilobytes = PeakKilobytes(migrate(large, "l.db", extra));
    if (small_kilobytes == 0 || large_kilobytes == 0) {
      WARN("/usr/bin/time not available; skipped");
      return;
    }
    INFO(extra << " " << records << " records: " << small_kilobytes
               << " KiB, four times: " << large_kilobytes << " KiB");
    CHECK(large_kilobytes - small_kilobytes < testing::PlainOrSanitized(24 * 1024, 8 * 24 * 1024));
  }
}

TEST_CASE("migrate: a duplicate id far behind, past the duplicate check's budget, is still found",
          "[e2e][security][sqlite]") {
  // The first record's id has gone to the spilled runs when its twin comes (a 64 KiB budget,
  // FERRY_TEST_ID_CHECK_BUDGET: ~900 ids a run): the reject names it as before, and the rows
  // are the others, into SQLite and in a dry run alike.
  // Under ASan 5,000 (~120 s there at 20,000): still some five spilled runs before the twin.
  TempDir work;
  constexpr int kRecords = testing::PlainOrSanitized(20000, 5000);
  std::string dump = work / "twins.json";
  {
    std::ofstream out(dump);
    // Each value is a record's JSON text: {"id": "r1"}; k0's and the one after the last: "twin".
    auto record = [](const std::string& id) { return R"("{\"id\": \")" + id + R"(\"}")"; };
    out << R"({"https://a.test": {"k0": )" << record("twin");
    for (int i = 1; i < kRecords; ++i)
      out << ", \"k" << i << "\": " << record("r" + std::to_string(i));
    out << ", \"k" << kRecords << "\": " << record("twin") << ", \"k" << kRecords + 1
        << "\": " << record("r7") << "}}";
  }
  std::string mapping = work / "ids.yaml";
  {
    std::ofstream out(mapping);
    out << "version: 1\nname: ids\nentities:\n  kv:\n    source: {key_prefix: k, shape: record}\n"
           "    id: {field: id}\n    primary_key: [id]\n"
           "    unique: [[user_id, legacy_id]]\n    columns:\n"
           "      id: {type: ulid, from: $ulid}\n"
           "      user_id: {type: text, from: $user, nullable: false}\n"
           "      legacy_id: {type: text, from: $legacy_id, nullable: false}\n";
  }
  std::string db = work / "t.db";
  for (std::string extra : {" --dry-run", ""}) {
    std::string rejects = work / ("rejects" + std::to_string(extra.size()) + ".ndjson");
    CommandResult run =
        RunShell("FERRY_TEST_ID_CHECK_BUDGET=65536 '" + std::string(FERRY_BINARY) + "' migrate '" +
                 dump + "' --mapping '" + mapping + "' --user-id u --target 'sqlite:" + db +
                 "' --progress none --no-backup --continue-on-error --rejects '" + rejects + "'" +
                 extra + " 2>&1; echo \"rc=$?\"");
    INFO(run.out);
    CHECK_THAT(run.out, Catch::Contains("rc=3"));
    std::string rejected = ReadFile(rejects);
    CHECK_THAT(rejected, Catch::Contains("duplicate id twin: an earlier record has the same id"));
    CHECK_THAT(rejected, Catch::Contains("duplicate id r7: an earlier record has the same id"));
  }
  CHECK(
      Query(db, "SELECT count(*), count(DISTINCT legacy_id) FROM kv") ==
      std::vector<std::vector<std::string>>{{std::to_string(kRecords), std::to_string(kRecords)}});
}

TEST_CASE("inspect, export and migrate: a value over --max-value-bytes is damage naming its key",
          "[e2e][security][sqlite]") {
  TempDir work;
  std::string dump = work / "d.json";
  {
    std::ofstream out(dump);
    out << R"({"https://a.test": {"theme": "dark", "huge": ")" << std::string(5000, 'x') << "\"}}";
  }
  std::string ferry = "'" + std::string(FERRY_BINARY) + "' ";
  for (const std::string& command :
       {ferry + "inspect --max-value-bytes 4096 '" + dump + "'",
        ferry + "export --max-value-bytes 4096 '" + dump + "' --out '" + (work / "o.json") + "'",
        ferry + "migrate --max-value-bytes 4096 '" + dump + "' --user-id u --target 'sqlite:" +
            (work / "t.db") + "' --progress none --continue-on-error"}) {
    CommandResult run = RunShell(command + " 2>&1; echo \"rc=$?\"");
    INFO(command << "\n" << run.out);
    CHECK_THAT(run.out, Catch::Contains("key=huge"));
    CHECK_THAT(run.out, Catch::Contains("5000 bytes, over --max-value-bytes (4096)"));
    CHECK_THAT(run.out, !Catch::Contains("rc=0"));
  }
}

}  // namespace
}  // namespace ferry::e2e::security_resources_test
