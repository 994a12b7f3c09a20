#include "extractors/chromium/write_batch.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/extractors/chromium/log_builder.h"

namespace ferry::chromium::write_batch_test {
namespace {

using testing::Batch;

std::vector<BatchOperation> Collect(const std::string& batch, Status* status) {
  std::vector<BatchOperation> operations;
  *status = ForEachBatchOperation(
      batch, [&](const BatchOperation& operation) { operations.push_back(operation); });
  return operations;
}

TEST_CASE("ForEachBatchOperation: puts and deletes with their sequence numbers",
          "[extractors][chromium][leveldb]") {
  std::string batch = Batch(20, {{false, "VERSION", "1"}, {true, "gone", ""}, {false, "k", ""}});
  Status status;
  std::vector<BatchOperation> operations = Collect(batch, &status);
  REQUIRE(status.ok());
  REQUIRE(operations.size() == 3);
  CHECK(operations[0].sequence == 20);
  CHECK(operations[0].key == "VERSION");
  CHECK(operations[0].value == "1");
  CHECK(operations[1].deletion);
  CHECK(operations[1].key == "gone");
  CHECK(operations[1].sequence == 21);
  CHECK(operations[2].value.empty());
  CHECK(Collect(Batch(7, {}), &status).empty());  // Chromium writes empty batches
  CHECK(status.ok());
}

TEST_CASE("ForEachBatchOperation: malformed batches are Corruption after the good part",
          "[extractors][chromium][leveldb][corrupt]") {
  Status status;
  CHECK(Collect("short", &status).empty());
  CHECK(status.IsCorruption());
  CHECK_THAT(status.message(), Catch::Contains("header"));

  std::string good = Batch(1, {{false, "a", "1"}, {false, "b", "2"}});
  std::vector<BatchOperation> cut = Collect(good.substr(0, good.size() - 1), &status);
  CHECK(cut.size() == 1);  // the first operation was passed before the problem
  CHECK(status.IsCorruption());
  CHECK_THAT(status.message(), Catch::Contains("operation 1"));

  std::string wrong_count = good;
  wrong_count[8] = 5;
  CHECK(Collect(wrong_count, &status).size() == 2);
  CHECK_THAT(status.message(), Catch::Contains("says 5 operations, the batch holds 2"));

  std::string bad_type = good;
  bad_type[12] = 7;
  Collect(bad_type, &status);
  CHECK_THAT(status.message(), Catch::Contains("unknown type 7"));
}

}  // namespace
}  // namespace ferry::chromium::write_batch_test
