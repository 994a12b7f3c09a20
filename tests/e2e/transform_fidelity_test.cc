// End-to-end: JSON read as the app's own JSON.parse reads it, one bad value kept with its
// record, and values the target cannot hold rejected per record (issue 14, issue 12 item 3).
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/e2e/target_fixture.h"

namespace ferry::e2e::transform_fidelity_test {

namespace {

constexpr const char* kTime =
    R"("createdAt":"2024-01-02T03:04:05.000Z","updatedAt":"2024-01-02T03:04:05.000Z")";

// A task record of the bundled mapping, with `extra` members appended.
std::string Task(const std::string& id, const std::string& title, const std::string& extra = "") {
  return R"({"id":")" + id + R"(","title":")" + title + R"(","status":"todo",)" + kTime + extra +
         "}";
}

// The JSON string literal holding `inner` (a dump value): only '"' and '\' need escaping.
std::string Quote(const std::string& inner) {
  std::string out = "\"";
  for (char c : inner) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::vector<std::string> Migrate(const std::string& source, const TargetFixture& target,
                                 std::vector<std::string> extra) {
  std::vector<std::string> args = {"migrate",  source,       "--user-id",  "u1",
                                   "--target", target.url(), "--progress", "none"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

struct Counts {
  int64_t read = -1, rejected = -1, inserted = -1;
};

Counts EntityCounts(const std::string& report_path, const std::string& entity) {
  simdjson::dom::parser parser;
  simdjson::dom::element report = parser.load(report_path);
  simdjson::dom::element counts = report["entities"][entity];
  return Counts{int64_t(counts["read"]), int64_t(counts["rejected"]), int64_t(counts["inserted"])};
}

std::vector<std::string> Column(TargetFixture& target, const std::string& sql) {
  std::vector<std::string> values;
  for (const auto& row : target.Query(sql)) values.push_back(row.at(0));
  return values;
}

}  // namespace

TEST_CASE("migrate: one unreadable value inside a key rejects only its record",
          "[e2e][sqlite][postgres][fidelity]") {
  TempDir work;
  std::string deep = std::string(1100, '[') + std::string(1100, ']');
  std::string tasks = "[" + Task("t1", "plain") + "," + Task("t2", "emoji cut \\ud83d") + "," +
                      Task("t3", "two to the 64", R"(,"extra":18446744073709552000)") + "," +
                      Task("t4", "beyond a double", R"(,"extra":1e400)") + "," +
                      Task("t5", "too deep", ",\"extra\":" + deep) + "," + Task("t6", "last") + "]";
  std::string environments =
      R"([{"id":"env-1","name":"E","config":{"n":18446744073709552000,"small":1}}])";
  Write(work / "u1.json",
        "{\"environments\":" + Quote(environments) + ",\"tasks\":" + Quote(tasks) + "}");
  FERRY_FOR_EACH_TARGET(target) {
    TempDir out;
    CommandResult run = RunFerry(Migrate(
        work / "u1.json", *target,
        {"--continue-on-error", "--rejects", out / "r.ndjson", "--report", out / "report.json"}));
    INFO(run.out + run.err);
    REQUIRE(run.exit_code == 3);
    Counts counts = EntityCounts(out / "report.json", "tasks");
    CHECK(counts.read == 6);
    CHECK(counts.rejected == 1);
    CHECK(counts.inserted == 5);
    CHECK(Column(*target, "SELECT legacy_id FROM tasks ORDER BY legacy_id") ==
          std::vector<std::string>{"t1", "t2", "t3", "t4", "t6"});
    CHECK(Column(*target, "SELECT title FROM tasks WHERE legacy_id = 't2'") ==
          std::vector<std::string>{"emoji cut \xEF\xBF\xBD"});
    std::string rejects = ReadFile(out / "r.ndjson");
    CHECK_THAT(rejects, Catch::Contains("\"index\":4"));
    CHECK_THAT(rejects, Catch::Contains("nested deeper than"));
    CHECK_THAT(run.out + run.err, Catch::Contains("unpaired surrogate"));
    std::string config = Column(*target, "SELECT config FROM environments").at(0);
    CHECK_THAT(config, Catch::Contains("18446744073709552000"));

    // --strict-unicode rejects the record with the lone surrogate, and only it.
    auto target2 = MakeTarget(target->kind());
    REQUIRE(target2 != nullptr);
    CommandResult strict =
        RunFerry(Migrate(work / "u1.json", *target2,
                         {"--continue-on-error", "--strict-unicode", "--report", out / "s.json"}));
    REQUIRE(strict.exit_code == 3);
    Counts strict_counts = EntityCounts(out / "s.json", "tasks");
    CHECK(strict_counts.read == 6);
    CHECK(strict_counts.rejected == 2);
    CHECK(target2->Count("SELECT count(*) FROM tasks") == 4);
  }
}

TEST_CASE("migrate: a record that does not parse leaves its siblings loaded",
          "[e2e][sqlite][postgres][fidelity]") {
  TempDir work;
  std::string tasks =
      "[" + Task("t1", "a") + R"(,{"id":"t2","title": tru},)" + Task("t3", "c") + "]";
  Write(work / "u1.json", "{\"environments\":\"[]\",\"tasks\":" + Quote(tasks) + "}");
  FERRY_FOR_EACH_TARGET(target) {
    TempDir out;
    CommandResult run = RunFerry(
        Migrate(work / "u1.json", *target, {"--continue-on-error", "--report", out / "r.json"}));
    INFO(run.out + run.err);
    REQUIRE(run.exit_code == 3);
    Counts counts = EntityCounts(out / "r.json", "tasks");
    CHECK(counts.read == 3);
    CHECK(counts.rejected == 1);
    CHECK(target->Count("SELECT count(*) FROM tasks") == 2);
  }
}

TEST_CASE("migrate: repeated member names are read as JSON.parse reads them: the last wins",
          "[e2e][sqlite][postgres][fidelity]") {
  TempDir work;
  std::string tasks =
      "[" + Task("t1", "first", R"(,"title":"second","tags":["a"],"tags":["b","b"])") + "]";
  std::string environments =
      R"([{"id":"env-1","name":"E","config":{"region":"eu","region":"us","n":{"a":1,"a":2}}}])";
  // The key "tasks" twice in the dump: the last one is the app's.
  Write(work / "u1.json", "{\"environments\":" + Quote(environments) +
                              ",\"tasks\":" + Quote("[" + Task("t0", "dropped") + "]") +
                              ",\"tasks\":" + Quote(tasks) + "}");
  FERRY_FOR_EACH_TARGET(target) {
    TempDir out;
    CommandResult run = RunFerry(Migrate(work / "u1.json", *target, {"--report", out / "r.json"}));
    INFO(run.out + run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(Column(*target, "SELECT legacy_id || ':' || title FROM tasks") ==
          std::vector<std::string>{"t1:second"});
    std::string tags = Column(*target, "SELECT tags FROM tasks").at(0);
    CHECK_THAT(tags, Catch::Contains("\"b\""));
    CHECK_THAT(tags, !Catch::Contains("\"a\""));
    std::string config = Column(*target, "SELECT config FROM environments").at(0);
    CHECK_THAT(config, Catch::Contains("us"));
    CHECK_THAT(config, !Catch::Contains("eu"));
    CHECK_THAT(config, Catch::Contains("2"));
    simdjson::dom::parser parser;
    simdjson::dom::element report = parser.load(out / "r.json");
    CHECK(int64_t(report["duplicate_members"]) == 5);
  }
}

TEST_CASE("migrate: a valid record the target cannot hold is a reject, not a failed run",
          "[e2e][sqlite][postgres][fidelity]") {
  TempDir work;
  // Year 10000 in UTC; year 0 (PostgreSQL has none); NUL in text and in JSON.
  std::string tasks =
      "[" + Task("t1", "ok") + "," +
      R"({"id":"t2","title":"y10k","status":"todo","createdAt":"2024-01-02T03:04:05.000Z","updatedAt":"9999-12-31T23:59:59.999-05:00"})" +
      "," +
      R"({"id":"t3","title":"y0","status":"todo","createdAt":"2024-01-02T03:04:05.000Z","updatedAt":"0000-01-01T00:00:00Z"})" +
      "," + Task("t4", "nul \\u0000 in text") + "," +
      Task("t5", "nul in json", R"(,"tags":["a\u0000b"])") + "," + Task("t6", "last") + "]";
  Write(work / "u1.json", "{\"environments\":\"[]\",\"tasks\":" + Quote(tasks) + "}");
  FERRY_FOR_EACH_TARGET(target) {
    bool postgres = target->kind() == "postgresql";
    std::vector<std::string> expected_rejects =
        postgres ? std::vector<std::string>{"t2", "t3", "t4", "t5"}
                 : std::vector<std::string>{"t2"};
    TempDir out;
    // The dry run finds the same rejects.
    CommandResult dry =
        RunFerry(Migrate(work / "u1.json", *target,
                         {"--dry-run", "--continue-on-error", "--report", out / "d.json"}));
    INFO(dry.out + dry.err);
    CHECK(dry.exit_code == 3);
    CHECK(EntityCounts(out / "d.json", "tasks").rejected ==
          static_cast<int64_t>(expected_rejects.size()));

    CommandResult run = RunFerry(Migrate(work / "u1.json", *target,
                                         {"--continue-on-error", "--batch-size", "2", "--rejects",
                                          out / "r.ndjson", "--report", out / "r.json"}));
    INFO(run.out + run.err);
    REQUIRE(run.exit_code == 3);
    Counts counts = EntityCounts(out / "r.json", "tasks");
    CHECK(counts.read == 6);
    CHECK(counts.rejected == static_cast<int64_t>(expected_rejects.size()));
    CHECK(target->Count("SELECT count(*) FROM tasks") ==
          6 - static_cast<int64_t>(expected_rejects.size()));
    std::string rejects = ReadFile(out / "r.ndjson");
    for (const std::string& id : expected_rejects) {
      CHECK_THAT(rejects, Catch::Contains("\"legacy_id\":\"" + id + "\"") ||
                              Catch::Contains("\"index\":" + std::to_string(id[1] - '1')));
    }
    CHECK_THAT(rejects, Catch::Contains("outside the years"));
    CHECK(Column(*target, "SELECT status FROM " + target->Bookkeeping("runs")) ==
          std::vector<std::string>{"completed_with_rejects"});

    // Without --continue-on-error: a reject (exit 3 is for done; this stops with 1), never 2.
    auto fresh = MakeTarget(target->kind());
    REQUIRE(fresh != nullptr);
    CommandResult strict = RunFerry(Migrate(work / "u1.json", *fresh, {}));
    CHECK(strict.exit_code != 2);
    CHECK(Column(*fresh, "SELECT status FROM " + fresh->Bookkeeping("runs")) !=
          std::vector<std::string>{"running"});
  }
}

TEST_CASE("migrate: a creation time before 1970 is rejected naming the Unix epoch",
          "[e2e][sqlite][postgres][fidelity]") {
  TempDir work;
  std::string tasks =
      "[" + Task("t1", "ok") + "," +
      R"({"id":"t2","title":"moon","status":"todo","createdAt":"1969-07-20T20:17:40Z","updatedAt":"2024-01-02T03:04:05.000Z"})" +
      "]";
  Write(work / "u1.json", "{\"environments\":\"[]\",\"tasks\":" + Quote(tasks) + "}");
  FERRY_FOR_EACH_TARGET(target) {
    TempDir out;
    CommandResult run = RunFerry(
        Migrate(work / "u1.json", *target, {"--continue-on-error", "--rejects", out / "r.ndjson"}));
    INFO(run.out + run.err);
    REQUIRE(run.exit_code == 3);
    CHECK(target->Count("SELECT count(*) FROM tasks") == 1);
    std::string rejects = ReadFile(out / "r.ndjson");
    CHECK_THAT(rejects, Catch::Contains("before 1970-01-01T00:00:00Z (the Unix epoch)"));
    CHECK_THAT(rejects, Catch::Contains("1969-07-20T20:17:40.000Z"));
  }
}

TEST_CASE("migrate: a reference to a rejected parent says it was rejected, and where",
          "[e2e][sqlite][postgres][fidelity]") {
  TempDir work;
  std::string environments = R"([{"id":"env-1","name":"E"},{"id":"env-2"}])";
  std::string tasks = "[" + Task("t1", "a", R"(,"environmentId":"env-1")") + "," +
                      Task("t2", "b", R"(,"environmentId":"env-2")") + "," +
                      Task("t3", "c", R"(,"environmentId":"env-9")") + "]";
  Write(work / "u1.json",
        "{\"environments\":" + Quote(environments) + ",\"tasks\":" + Quote(tasks) + "}");
  FERRY_FOR_EACH_TARGET(target) {
    TempDir out;
    CommandResult run = RunFerry(
        Migrate(work / "u1.json", *target, {"--continue-on-error", "--rejects", out / "r.ndjson"}));
    INFO(run.out + run.err);
    REQUIRE(run.exit_code == 3);
    CHECK(target->Count("SELECT count(*) FROM tasks") == 1);
    std::string rejects = ReadFile(out / "r.ndjson");
    CHECK_THAT(rejects, Catch::Contains(R"(environmentId refers to environments \"env-2\", which )"
                                        R"(was rejected ()"));
    CHECK_THAT(rejects, Catch::Contains("key=environments index=1"));
    CHECK_THAT(rejects, Catch::Contains("environmentId refers to no environments of this user"));
  }
}

TEST_CASE("migrate: ids and integers are read as JSON Schema draft-07 and JavaScript read them",
          "[e2e][sqlite][postgres][fidelity]") {
  TempDir work;
  std::string tasks =
      "[" + std::string(R"({"id":18446744073709551615,"title":"max","status":"todo",)") + kTime +
      "}," + R"({"id":101.0,"title":"float id","status":"todo",)" + kTime + "}," +
      R"({"id":"t3","title":"13 digits","status":"todo","createdAt":"2024-01-02T03:04:05.1234567890123Z","updatedAt":"2024-01-02T03:04:05Z"})" +
      "]";
  Write(work / "u1.json", "{\"environments\":\"[]\",\"tasks\":" + Quote(tasks) + "}");
  FERRY_FOR_EACH_TARGET(target) {
    CommandResult run = RunFerry(Migrate(work / "u1.json", *target, {}));
    INFO(run.out + run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(Column(*target, "SELECT legacy_id FROM tasks ORDER BY legacy_id") ==
          std::vector<std::string>{"101", "18446744073709551615", "t3"});
    CHECK(Column(*target, "SELECT created_at FROM tasks WHERE legacy_id = 't3'") ==
          std::vector<std::string>{"2024-01-02T03:04:05.123Z"});
  }
}

TEST_CASE("migrate: ndjson records read as a dump's records are: lone surrogates, big numbers",
          "[e2e][sqlite][postgres][fidelity]") {
  TempDir work;
  Write(work / "tasks.ndjson", Task("t1", "plain") + "\n" + Task("t2", "emoji cut \\ud83d") + "\n" +
                                   Task("t3", "huge", R"(,"extra":1e400)") + "\n");
  FERRY_FOR_EACH_TARGET(target) {
    TempDir out;
    CommandResult run =
        RunFerry(Migrate(work / "tasks.ndjson", *target, {"--report", out / "r.json"}));
    INFO(run.out + run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(EntityCounts(out / "r.json", "tasks").inserted == 3);
    CHECK(Column(*target, "SELECT title FROM tasks WHERE legacy_id = 't2'") ==
          std::vector<std::string>{"emoji cut \xEF\xBF\xBD"});
  }
}

TEST_CASE("migrate: a JSON number beyond PostgreSQL's numeric is a reject there, kept on SQLite",
          "[e2e][sqlite][postgres][fidelity]") {
  TempDir work;
  std::string environments =
      R"([{"id":"env-1","name":"A","config":{"n":1e200000}},{"id":"env-2","name":"B"}])";
  Write(work / "u1.json", "{\"environments\":" + Quote(environments) + ",\"tasks\":\"[]\"}");
  FERRY_FOR_EACH_TARGET(target) {
    TempDir out;
    CommandResult run = RunFerry(
        Migrate(work / "u1.json", *target, {"--continue-on-error", "--rejects", out / "r.ndjson"}));
    INFO(run.out + run.err);
    if (target->kind() == "postgresql") {
      REQUIRE(run.exit_code == 3);
      CHECK(Column(*target, "SELECT legacy_id FROM environments") ==
            std::vector<std::string>{"env-2"});
      CHECK_THAT(ReadFile(out / "r.ndjson"), Catch::Contains("beyond PostgreSQL's numeric"));
    } else {
      REQUIRE(run.exit_code == 0);
      CHECK_THAT(Column(*target, "SELECT config FROM environments WHERE legacy_id = 'env-1'").at(0),
                 Catch::Contains("1e200000"));
    }
  }
}

TEST_CASE("migrate: records nested deeper than a pooled parser's first depth load as before",
          "[e2e][sqlite][fidelity]") {
  // A batch's parsers start shallow (32 levels, to spare a 9 KiB stack per pending record) and
  // are given simdjson's default depth for a deeper value: records nested 100 deep load whole,
  // as one value (the parse of the whole value) and as a record a key (one parser a record).
  TempDir work;
  std::string nested = std::string(100, '[') + "7" + std::string(100, ']');
  std::string environments = R"([{"id":"env-1","name":"E","config":{"n":)" + nested + "}}]";
  std::string tasks = "[" + Task("t1", "deep", ",\"extra\":" + nested) + "]";
  Write(work / "u1.json",
        "{\"environments\":" + Quote(environments) + ",\"tasks\":" + Quote(tasks) + "}");
  auto target = MakeTarget("sqlite");
  REQUIRE(target != nullptr);
  CommandResult run = RunFerry(Migrate(work / "u1.json", *target, {"--batch-size", "10"}));
  INFO(run.out + run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(Column(*target, "SELECT config FROM environments").at(0) == "{\"n\":" + nested + "}");
  CHECK(Column(*target, "SELECT legacy_id FROM tasks") == std::vector<std::string>{"t1"});
}

}  // namespace ferry::e2e::transform_fidelity_test
