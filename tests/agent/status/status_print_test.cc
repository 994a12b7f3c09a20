// `ferry status` output (agent/status/status_print.h): one run a line with its run ID first,
// progress and resumability derived from checkpoints, lock holders, and the JSON form.
#include "agent/status/status_print.h"

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <sstream>

namespace ferry::status_print_test {
namespace {

constexpr int64_t kNow = 1704164655000;  // 2024-01-02T03:04:15.000Z

RunStatusEntry Entry(const std::string& id, const std::string& status,
                     const std::string& arguments) {
  RunStatusEntry entry;
  entry.run.run_id = id;
  entry.run.status = status;
  entry.run.arguments = arguments;
  entry.run.started_at = "2024-01-02T03:04:05.000Z";
  entry.run.host = "box";
  entry.run.pid = 42;
  entry.run.read = 9;
  entry.run.inserted = 5;
  entry.run.updated = 1;
  entry.run.skipped = 2;
  entry.run.unchanged = 3;
  entry.run.rejected = 1;
  return entry;
}

StatusSnapshot Sample() {
  StatusSnapshot snapshot;
  snapshot.target = "postgresql://u:****@db/app";
  snapshot.runs.push_back(Entry("RUN3", "interrupted", "args-a"));
  snapshot.runs.push_back(Entry("RUN2", "interrupted", "args-a"));  // older: not resumed
  snapshot.runs.push_back(Entry("RUN1", "completed", "args-\"b\""));
  snapshot.runs[0].checkpoints = {{"u1", "tasks", "a.json", 100, "RUN3", "T1"},
                                  {"u1", "environments", "a.json", 20, "RUN3", "T2"}};
  snapshot.runs[2].run.finished_at = "2024-01-02T03:04:09.000Z";
  snapshot.runs[2].run.archive = "01ARCHIVE";
  snapshot.locks = {{"u1", "RUN3", "box", 42, "2024-01-02T03:04:05.000Z", false},
                    {"u2", "RUN9", "far", 7, "2024-01-02T03:04:06.000Z", true}};
  DeriveProgress(&snapshot, kNow);
  return snapshot;
}

}  // namespace

TEST_CASE("DeriveProgress: committed records and the run migrate would resume", "[agent][status]") {
  StatusSnapshot snapshot = Sample();
  CHECK(snapshot.runs[0].committed == 120);
  CHECK(snapshot.runs[0].resumable);
  CHECK_FALSE(snapshot.runs[1].resumable);  // an older interrupted run of the same arguments
  CHECK_FALSE(snapshot.runs[2].resumable);  // completed
  CHECK(snapshot.runs[2].committed == 0);
}

TEST_CASE("PrintStatusText: one run a line, run ID first, then the locks", "[agent][status]") {
  std::ostringstream out;
  PrintStatusText(Sample(), false, out);
  std::string text = out.str();
  CHECK(text.rfind("RUN3  interrupted  started 2024-01-02T03:04:05.000Z  finished -  "
                   "committed 120  read 9 inserted 5 updated 1 skipped 2 unchanged 3 rejected 1  "
                   "box:42  backup none  "
                   "resumable\n",
                   0) == 0);
  CHECK_THAT(text, Catch::Contains("\nRUN1  completed  started 2024-01-02T03:04:05.000Z  "
                                   "finished 2024-01-02T03:04:09.000Z  read 9 inserted 5"));
  CHECK_THAT(text, Catch::Contains("rejected 1  2 rec/s  box:42  backup 01ARCHIVE\n"));
  CHECK_THAT(text, Catch::Contains("locks:\n  user u1: run RUN3 on host box, pid 42, since "
                                   "2024-01-02T03:04:05.000Z (stale"));
  CHECK_THAT(text, Catch::Contains("  user u2: run RUN9 on host far, pid 7") &&
                       Catch::Contains("(alive)"));
  CHECK_THAT(text, !Catch::Contains("arguments:"));
}

TEST_CASE("DeriveProgress: a run's rate, and a running run's workers from its live locks",
          "[agent][status]") {
  StatusSnapshot snapshot = Sample();
  CHECK(snapshot.runs[2].records_per_s == Approx(2.25));  // 9 read in 4 s
  CHECK(snapshot.runs[0].records_per_s < 0);              // interrupted: no end to measure to
  CHECK(snapshot.runs[0].workers == 0);

  RunStatusEntry running = Entry("RUN4", "running", "args-c");
  running.checkpoints = {{"u7", "tasks", "b.json", 250, "RUN4", "T3"},
                         {"u8", "tasks", "c.json", 50, "RUN4", "T4"}};
  snapshot.runs.insert(snapshot.runs.begin(), running);
  snapshot.locks.push_back({"u7", "RUN4", "box", 42, "2024-01-02T03:04:10.000Z", true});
  snapshot.locks.push_back({"u8", "RUN4", "box", 42, "2024-01-02T03:04:11.000Z", true});
  snapshot.locks.push_back({"u9", "RUN4", "gone", 9, "2024-01-02T03:04:11.000Z", false});
  DeriveProgress(&snapshot, kNow);
  CHECK(snapshot.runs[0].workers == 2);                 // the stale lock is nobody's work
  CHECK(snapshot.runs[0].records_per_s == Approx(30));  // 300 committed in 10 s
  std::ostringstream out;
  PrintStatusText(snapshot, false, out);
  CHECK_THAT(out.str(), Catch::StartsWith("RUN4  running  started 2024-01-02T03:04:05.000Z  "
                                          "finished -  committed 300  read 9 inserted 5 updated 1 "
                                          "skipped 2 unchanged 3 rejected 1  30 rec/s  2 workers  "
                                          "box:42  backup none\n"));
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(StatusJson(snapshot, false)).get(doc) == simdjson::SUCCESS);
  CHECK(int64_t(doc["runs"].at(0)["workers"]) == 2);
  CHECK(double(doc["runs"].at(0)["records_per_s"]) == Approx(30));
  CHECK(doc["runs"].at(1)["records_per_s"].is_null());
}

TEST_CASE("PrintStatusText: --verbose adds arguments and checkpoints", "[agent][status]") {
  std::ostringstream out;
  PrintStatusText(Sample(), true, out);
  CHECK_THAT(out.str(),
             Catch::Contains("  arguments: args-a\n") &&
                 Catch::Contains("  checkpoint user u1, entity tasks, unit a.json: 100 records") &&
                 Catch::Contains("  resume: `ferry migrate`"));
}

TEST_CASE("PrintStatusText: an empty target says so", "[agent][status]") {
  StatusSnapshot snapshot;
  snapshot.target = "sqlite:t.db";
  std::ostringstream out;
  PrintStatusText(snapshot, true, out);
  CHECK(out.str() == "no ferry runs in sqlite:t.db\n");
}

TEST_CASE("StatusJson: one document with runs and locks, strings escaped", "[agent][status]") {
  std::string json = StatusJson(Sample(), true);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
  CHECK(std::string_view(doc["target"]) == "postgresql://u:****@db/app");
  simdjson::dom::array runs = doc["runs"];
  REQUIRE(runs.size() == 3);
  simdjson::dom::element first = runs.at(0);
  CHECK(std::string_view(first["run_id"]) == "RUN3");
  CHECK(first["finished_at"].is_null());
  CHECK(int64_t(first["committed"]) == 120);
  CHECK(int64_t(first["skipped"]) == 2);
  CHECK(int64_t(first["unchanged"]) == 3);
  CHECK(bool(first["resumable"]));
  CHECK(simdjson::dom::array(first["checkpoints"]).size() == 2);
  CHECK(std::string_view(runs.at(2)["arguments"]) == "args-\"b\"");
  CHECK(first["backup"].is_null());
  CHECK(std::string_view(runs.at(2)["backup"]) == "01ARCHIVE");
  simdjson::dom::array locks = doc["locks"];
  REQUIRE(locks.size() == 2);
  CHECK_FALSE(bool(locks.at(0)["alive"]));
  CHECK(int64_t(locks.at(1)["pid"]) == 7);

  std::string brief = StatusJson(Sample(), false);
  REQUIRE(parser.parse(brief).get(doc) == simdjson::SUCCESS);
  CHECK(doc["runs"].at(0)["checkpoints"].error() == simdjson::NO_SUCH_FIELD);
}

TEST_CASE("PrintStatusText and StatusJson: why a run failed, with --verbose and in JSON",
          "[agent][status]") {
  StatusSnapshot snapshot = Sample();
  snapshot.runs[2].run.status = "failed";
  snapshot.runs[2].run.error = "IO error: disk full";
  std::ostringstream brief, verbose;
  PrintStatusText(snapshot, false, brief);
  PrintStatusText(snapshot, true, verbose);
  CHECK(brief.str().find("disk full") == std::string::npos);  // one run a line
  CHECK(verbose.str().find("RUN1  failed  ") != std::string::npos);
  CHECK(verbose.str().find("\n  error: IO error: disk full\n") != std::string::npos);
  CHECK(verbose.str().find("  error: \n") == std::string::npos);  // none for the others

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(StatusJson(snapshot, false)).get(doc) == simdjson::SUCCESS);
  CHECK(std::string_view(doc["runs"].at(2)["error"]) == "IO error: disk full");
  CHECK(doc["runs"].at(0)["error"].is_null());
}

}  // namespace ferry::status_print_test
