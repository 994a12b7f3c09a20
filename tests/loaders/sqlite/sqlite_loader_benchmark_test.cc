// Throughput of SqliteLoader::Write on simple rows. Hidden: run with
//   ferry_tests "[.benchmark]"
#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <iostream>

#include "loaders/sqlite/sqlite_loader.h"
#include "tests/loaders/sqlite/sqlite_test_util.h"
#include "tests/under_sanitizer.h"

namespace ferry::sqlite_loader_benchmark_test {
namespace {

// Wall and CPU clocks together: on a shared machine the CPU rate is the one to compare.
struct Stopwatch {
  std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
  std::clock_t cpu = std::clock();
  void Report(const char* what, int rows) const {
    double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
    double cpu_s = static_cast<double>(std::clock() - cpu) / CLOCKS_PER_SEC;
    std::cout << "sqlite " << what << ": " << static_cast<int64_t>(rows / wall_s)
              << " rows/s wall, " << static_cast<int64_t>(rows / cpu_s) << " rows/s cpu\n";
  }
};

TEST_CASE("SqliteLoader: write throughput on simple rows", "[loaders][sqlite][.benchmark]") {
  sqlite_testing::TempDir dir;
  std::string path = dir.File("bench.db");
  TableDef tasks = sqlite_testing::TasksTable();
  auto loader = sqlite_testing::ReadyLoader(path, false, {&tasks});
  constexpr int kBatch = 1000;
  // ctest runs it too, as a check of the three paths; under AddressSanitizer its rates mean
  // nothing, so it writes a tenth of the rows there.
  constexpr int kBatches = testing::PlainOrSanitized(200, 20);
  std::vector<WriteBatch> batches;
  for (int b = 0; b < kBatches; ++b) {
    batches.push_back(sqlite_testing::TaskBatch(&tasks, b * kBatch, kBatch, ConflictPolicy::kSkip));
  }
  Stopwatch insert;
  for (const WriteBatch& batch : batches) {
    Result<BatchOutcome> outcome = loader->Write(batch);
    REQUIRE(outcome.ok());
    REQUIRE(outcome->inserted == kBatch);
  }
  insert.Report("insert", kBatch * kBatches);

  for (WriteBatch& batch : batches) {
    batch.policy = ConflictPolicy::kOverwrite;
    for (IdentityRecord& identity : batch.identities) {
      identity.content_hash += "x";
    }
  }
  Stopwatch overwrite;
  for (const WriteBatch& batch : batches) {
    Result<BatchOutcome> outcome = loader->Write(batch);
    REQUIRE(outcome.ok());
    REQUIRE(outcome->updated == kBatch);
  }
  overwrite.Report("overwrite", kBatch * kBatches);

  // Unchanged rows are the client's to leave out (agent/run/commit_batch.h); a skip batch of
  // rows that are there is the loader's cheapest rewrite.
  for (WriteBatch& batch : batches) batch.policy = ConflictPolicy::kSkip;
  Stopwatch skip;
  for (const WriteBatch& batch : batches) {
    Result<BatchOutcome> outcome = loader->Write(batch);
    REQUIRE(outcome.ok());
    REQUIRE(outcome->skipped == kBatch);
  }
  skip.Report("skip (rows there)", kBatch * kBatches);
  CHECK(sqlite_testing::QueryInt(path, "SELECT count(*) FROM tasks") == kBatch * kBatches);
}

}  // namespace
}  // namespace ferry::sqlite_loader_benchmark_test
