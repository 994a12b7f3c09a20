// End-to-end `ferry status` on every target (target_fixture.h): the real binary, after a real
// migrate, on an empty target (which it must leave untouched), with --verbose and --json.
#include <signal.h>
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <cstdlib>

#include "loaders/process_identity.h"
#include "tests/e2e/admin_test_util.h"
#include "tests/e2e/e2e_util.h"
#include "tests/e2e/ferry_process.h"
#include "tests/e2e/target_fixture.h"
#include "tests/e2e/taskapp_workload.h"

namespace ferry::e2e::status_command_test {

namespace {

std::string ExampleDump() { return (SourceDir() / "examples" / "taskapp-dump.json").string(); }

// The lines of `text` that start with `prefix`.
std::vector<std::string> LinesStartingWith(const std::string& text, const std::string& prefix) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string line =
        text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (line.rfind(prefix, 0) == 0) lines.push_back(line);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return lines;
}

}  // namespace

TEST_CASE("status: an empty target has no ferry runs and is left untouched",
          "[e2e][status][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    CommandResult status = RunFerry({"status", "--target", target->url()});
    INFO(status.err);
    REQUIRE(status.exit_code == 0);
    CHECK_THAT(status.out, Catch::StartsWith("no ferry runs in "));
    CHECK_FALSE(target->Touched());

    CommandResult json = RunFerry({"status", "--target", target->url(), "--json"});
    REQUIRE(json.exit_code == 0);
    CHECK_THAT(json.out, Catch::EndsWith("\"runs\":[],\"locks\":[]}\n"));
    CHECK_FALSE(target->Touched());
  }
}

TEST_CASE("status: a finished migrate is listed with its counts",
          "[e2e][status][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    CommandResult migrate =
        RunFerry({"migrate", ExampleDump(), "--user-id", "demo", "--target", target->url(),
                  "--continue-on-error", "--progress", "none", "--report", work / "report.json",
                  "--rejects", work / "rejects.ndjson"});
    INFO(migrate.err);
    REQUIRE(migrate.exit_code == 3);  // done, with the example's 9 invalid records rejected
    simdjson::dom::parser parser;
    simdjson::dom::element report = parser.load(work / "report.json");
    std::string run_id{std::string_view(report["run_id"])};
    int64_t read = int64_t(report["records_read"]);
    int64_t inserted = 0, rejected = 0;
    for (auto [name, entity] : simdjson::dom::object(report["entities"])) {
      inserted += int64_t(entity["inserted"]);
      rejected += int64_t(entity["rejected"]);
    }
    REQUIRE(rejected == 9);

    CommandResult status = RunFerry({"status", "--target", target->url()});
    INFO(status.out << status.err);
    REQUIRE(status.exit_code == 0);
    std::vector<std::string> lines = LinesStartingWith(status.out, run_id);
    REQUIRE(lines.size() == 1);
    const std::string& line = lines[0];
    CHECK_THAT(line, Catch::StartsWith(run_id + "  completed_with_rejects  started 20"));
    CHECK_THAT(line, Catch::Contains("read " + std::to_string(read) + " inserted " +
                                     std::to_string(inserted) +
                                     " updated 0 skipped 0 unchanged 0 rejected 9"));
    CHECK_THAT(line, Catch::Contains("  " + ThisHost() + ":"));
    CHECK_THAT(status.out, Catch::Contains("locks: none held"));

    CommandResult verbose = RunFerry({"status", "--target", target->url(), "--verbose"});
    REQUIRE(verbose.exit_code == 0);
    CHECK_THAT(verbose.out, Catch::Contains("  arguments: ") &&
                                Catch::Contains("  checkpoint user demo, entity tasks, unit "));

    CommandResult json = RunFerry({"status", "--target", target->url(), "--json", "-v"});
    REQUIRE(json.exit_code == 0);
    simdjson::dom::element doc = parser.parse(json.out);
    simdjson::dom::array runs = doc["runs"];
    REQUIRE(runs.size() == 1);
    simdjson::dom::element run = runs.at(0);
    CHECK(std::string_view(run["run_id"]) == run_id);
    CHECK(std::string_view(run["status"]) == "completed_with_rejects");
    CHECK(int64_t(run["read"]) == read);
    CHECK(int64_t(run["inserted"]) == inserted);
    CHECK(int64_t(run["rejected"]) == 9);
    CHECK(simdjson::dom::array(run["checkpoints"]).size() > 0);
    CHECK(simdjson::dom::array(doc["locks"]).size() == 0);

    // The same source again under overwrite: every row already equals what it would write, so
    // it is unchanged, a column of its own, never counted as skipped.
    CommandResult again =
        RunFerry({"migrate", ExampleDump(), "--user-id", "demo", "--target", target->url(),
                  "--continue-on-error", "--conflict", "overwrite", "--progress", "none",
                  "--report", work / "again.json", "--rejects", work / "again.ndjson"});
    INFO(again.err);
    REQUIRE(again.exit_code == 3);
    simdjson::dom::element second = parser.load(work / "again.json");
    std::string again_id{std::string_view(second["run_id"])};
    CommandResult after = RunFerry({"status", "--target", target->url()});
    INFO(after.out);
    std::vector<std::string> again_lines = LinesStartingWith(after.out, again_id);
    REQUIRE(again_lines.size() == 1);
    CHECK_THAT(again_lines[0], Catch::Contains("inserted 0 updated 0 skipped 0 unchanged " +
                                               std::to_string(inserted) + " rejected 9"));
    simdjson::dom::element after_doc =
        parser.parse(RunFerry({"status", "--target", target->url(), "--json"}).out);
    simdjson::dom::element newest = after_doc["runs"].at(0);
    CHECK(std::string_view(newest["run_id"]) == again_id);
    CHECK(int64_t(newest["unchanged"]) == inserted);
    CHECK(int64_t(newest["skipped"]) == 0);
  }
}

TEST_CASE("status: -v and --json say why a run failed", "[e2e][status][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir work;
    // Without --continue-on-error the example's first invalid record stops the run.
    CommandResult migrate =
        RunFerry({"migrate", ExampleDump(), "--user-id", "demo", "--target", target->url(),
                  "--progress", "none", "--rejects", work / "rejects.ndjson"});
    INFO(migrate.err);
    REQUIRE(migrate.exit_code == 1);
    REQUIRE(migrate.err.find("is not an RFC 3339 date-time") != std::string::npos);

    CommandResult verbose = RunFerry({"status", "--target", target->url(), "-v"});
    INFO(verbose.out << verbose.err);
    REQUIRE(verbose.exit_code == 0);
    std::vector<std::string> errors = LinesStartingWith(verbose.out, "  error: ");
    REQUIRE(errors.size() == 1);
    CHECK_THAT(errors[0], Catch::Contains("Rejected: tasks: ") &&
                              Catch::Contains("is not an RFC 3339 date-time"));
    CHECK(RunFerry({"status", "--target", target->url()}).out.find("  error: ") ==
          std::string::npos);

    CommandResult json = RunFerry({"status", "--target", target->url(), "--json"});
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    REQUIRE(parser.parse(json.out).get(doc) == simdjson::SUCCESS);
    simdjson::dom::element run = doc["runs"].at(0);
    CHECK(std::string_view(run["status"]) == "stopped");
    CHECK_THAT(std::string(std::string_view(run["error"])),
               Catch::Contains("is not an RFC 3339 date-time"));
  }
}

TEST_CASE("status: the holders of locks are listed, live or stale",
          "[e2e][status][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    std::unique_ptr<Loader> holder = HolderLoader(*target, "RUN_HOLDER");
    REQUIRE(holder->LockUser("alice").ok());
    InsertLockRow(*target, "bob", "RUN_GONE", "h", 1);  // no session, another host: see below
    CommandResult status = RunFerry({"status", "--target", target->url()});
    INFO(status.out << status.err);
    REQUIRE(status.exit_code == 0);
    // The holder's run is running: this process recorded it and is alive.
    CHECK_THAT(status.out, Catch::StartsWith("RUN_HOLDER  running  "));
    CHECK_THAT(status.out, Catch::Contains("  user alice: run RUN_HOLDER on host " + ThisHost() +
                                           ", pid " + std::to_string(ThisPid())) &&
                               Catch::Contains("(alive)"));
    // SQLite cannot see host h's processes and takes its lock as alive; PostgreSQL sees that
    // no session holds it.
    std::string bob = target->kind() == "sqlite" ? "(alive)" : "(stale";
    CHECK_THAT(status.out, Catch::Contains("  user bob: run RUN_GONE on host h, pid 1, since "
                                           "2024-01-02T03:04:05") &&
                               Catch::Contains(bob));
  }
}

TEST_CASE("status: a running run shows its rate and its workers; a finished one its rate",
          "[e2e][status][sqlite][postgres]") {
  FERRY_FOR_EACH_TARGET(target) {
    TempDir dir;
    TaskappWorkloadOptions options;
    options.users = 1;
    options.tasks = 40;
    WriteTaskappWorkload(dir.path() / "dumps", options);
    std::vector<std::string> args = {"migrate",      dir / "dumps", "--user-id-from", "filename",
                                     "--target",     target->url(), "--batch-size",   "4",
                                     "--progress",   "none",        "--no-backup",    "--rejects",
                                     dir / "rejects"};
    // Frozen after its second batch's commit, within its one unit: it holds that user's lock.
    std::string point = target->kind() == "sqlite" ? "sqlite" : "pg";
    FerryProcess run(args,
                     {{"FERRY_FAULT", point + ".after_commit:2"}, {"FERRY_FAULT_SIGNAL", "STOP"}});
    REQUIRE(run.WaitStopped());
    CommandResult running = RunFerry({"status", "--target", target->url()});
    INFO(running.out << running.err);
    REQUIRE(running.exit_code == 0);
    std::vector<std::string> lines = LinesStartingWith(running.out, "");
    REQUIRE_FALSE(lines.empty());
    CHECK_THAT(lines[0], Catch::Contains("  running  ") && Catch::Contains(" rec/s  1 worker  "));
    CommandResult json = RunFerry({"status", "--target", target->url(), "--json"});
    simdjson::dom::parser parser;
    simdjson::dom::element doc = parser.parse(json.out);
    simdjson::dom::element first = doc["runs"].at(0);
    CHECK(int64_t(first["workers"]) == 1);
    CHECK(double(first["records_per_s"]) > 0);

    run.Signal(SIGCONT);
    CommandResult finished_run = run.Wait();
    INFO(Describe(finished_run));
    REQUIRE(finished_run.exit_code == 0);
    CommandResult finished = RunFerry({"status", "--target", target->url()});
    lines = LinesStartingWith(finished.out, "");
    REQUIRE_FALSE(lines.empty());
    CHECK_THAT(lines[0], Catch::Contains("  completed  ") && Catch::Contains(" rec/s  ") &&
                             !Catch::Contains("worker"));
  }
}

TEST_CASE("status: the target is named without its password", "[e2e][status][postgres]") {
  const char* url = std::getenv("FERRY_TEST_PASSWORD_URL");
  const char* password = std::getenv("FERRY_TEST_PG_PASSWORD");
  if (url == nullptr || password == nullptr) {
    WARN("FERRY_TEST_PASSWORD_URL is not set: tools/test_postgres.sh sets it");
    return;
  }
  CommandResult status = RunFerry({"status", "--target", url, "--json"});
  INFO(status.err);
  REQUIRE(status.exit_code == 0);
  CHECK_THAT(status.out, Catch::Contains("****"));
  CHECK_THAT(status.out + status.err, !Catch::Contains(password));
  CommandResult refused =
      RunFerry({"status", "--target", std::string(url) + "x"});  // a wrong database name
  CHECK(refused.exit_code != 0);
  CHECK_THAT(refused.out + refused.err, !Catch::Contains(password));
}

TEST_CASE("status: an unknown target is a usage error", "[e2e][status]") {
  CommandResult status = RunFerry({"status", "--target", "nosuch://x"});
  CHECK(status.exit_code == 2);
  CHECK_THAT(status.err, Catch::Contains("ferry status: ") && Catch::Contains("nosuch://x"));
  CommandResult limit = RunFerry({"status", "--limit", "-1"});
  CHECK(limit.exit_code == 2);
}

}  // namespace ferry::e2e::status_command_test
