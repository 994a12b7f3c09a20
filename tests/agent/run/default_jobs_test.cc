#include "agent/run/default_jobs.h"

#include <catch2/catch.hpp>
#include <thread>

namespace ferry::default_jobs_test {

namespace {

// A target that reports `room` free connections and writes nothing.
class RoomLoader final : public Loader {
 public:
  explicit RoomLoader(int room) : room_(room) {}
  Status Check(bool) override { return Status::OK(); }
  Status BeginRun(const RunInfo&) override { return Status::OK(); }
  Status EnsureSchema(const std::vector<const TableDef*>&) override { return Status::OK(); }
  Status LookupIdentities(const std::string&, const std::string&, const std::vector<std::string>&,
                          std::vector<std::optional<KnownIdentity>>*) override {
    return Status::OK();
  }
  Status FetchRows(const TableDef&, const std::vector<Row>&,
                   std::vector<std::optional<Row>>*) override {
    return Status::OK();
  }
  Result<BatchOutcome> Write(const WriteBatch&) override { return BatchOutcome{}; }
  Status FinishRun(const RunTotals&) override { return Status::OK(); }
  Status ReadCheckpoint(const std::string&, const std::string&, const std::string&,
                        std::optional<StoredCheckpoint>*) override {
    return Status::OK();
  }
  Status ConnectionRoom(int* room) override {
    if (room_ == -2) return Status::Unavailable("the server is gone");
    *room = room_;
    return Status::OK();
  }

 private:
  int room_;
};

const TargetSpec kPostgres{"postgresql", "postgresql://db", ""};
const TargetSpec kSqlite{"sqlite", "sqlite:ferry.db", "ferry.db"};

int Cores() { return std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 8); }

}  // namespace

TEST_CASE("DefaultJobs: one writer for SQLite and for a source of one unit", "[run]") {
  RoomLoader loader(100);
  CHECK(DefaultJobs(kSqlite, 1000, &loader, false).value() == 1);
  CHECK(DefaultJobs(kPostgres, 1, &loader, true).value() == 1);
}

TEST_CASE("DefaultJobs: PostgreSQL, a worker per core, no more than the units", "[run]") {
  RoomLoader loader(-1);  // no limit known
  CHECK(DefaultJobs(kPostgres, 1000, &loader, false).value() == Cores());
  CHECK(DefaultJobs(kPostgres, 0, &loader, false).value() == Cores());  // units unknown
  CHECK(DefaultJobs(kPostgres, 2, &loader, false).value() == std::min(Cores(), 2));
}

TEST_CASE("DefaultJobs: the server's room, one left for others, the lock session counted",
          "[run]") {
  RoomLoader three(3);
  CHECK(DefaultJobs(kPostgres, 1000, &three, false).value() == std::min(Cores(), 2));
  // Two workers and their lock session would take the last connection: one worker, no session.
  CHECK(DefaultJobs(kPostgres, 1000, &three, true).value() == 1);
  RoomLoader none(0);
  CHECK(DefaultJobs(kPostgres, 1000, &none, true).value() == 1);
  RoomLoader gone(-2);
  CHECK_FALSE(DefaultJobs(kPostgres, 1000, &gone, false).ok());
}

}  // namespace ferry::default_jobs_test
