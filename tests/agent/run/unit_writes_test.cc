#include "agent/run/unit_writes.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace ferry::unit_writes_test {
namespace {

// Records each call; WriteTogether fails with `together_status` when it is set.
class RecordingLoader final : public Loader {
 public:
  explicit RecordingLoader(bool together) : together_(together) {}
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
  Result<BatchOutcome> Write(const WriteBatch& batch) override {
    calls.push_back("write " + batch.entity);
    BatchOutcome outcome;
    outcome.inserted = static_cast<int64_t>(batch.rows.size());
    return outcome;
  }
  bool CanWriteTogether() const override { return together_; }
  Result<std::vector<BatchOutcome>> WriteTogether(const std::vector<WriteBatch>& batches) override {
    std::string call = "together";
    for (const WriteBatch& batch : batches) call += " " + batch.entity;
    calls.push_back(call);
    if (!together_status.ok()) return together_status;
    std::vector<BatchOutcome> outcomes(batches.size());
    for (size_t i = 0; i < batches.size(); ++i) {
      outcomes[i].inserted = static_cast<int64_t>(batches[i].rows.size());
    }
    return outcomes;
  }
  Status FinishRun(const RunTotals&) override { return Status::OK(); }

  std::vector<std::string> calls;
  Status together_status = Status::OK();

 private:
  bool together_;
};

// A held batch of `rows` rows of `entity` whose outcome adds to *inserted.
UnitWrites::Held Batch(Loader* loader, const std::string& entity, size_t rows, int64_t* inserted) {
  UnitWrites::Held held;
  held.batch.entity = entity;
  held.batch.rows.resize(rows);
  held.batch.identities.resize(rows);
  held.write_alone = [loader](WriteBatch batch) { return loader->Write(batch); };
  held.finish = [inserted](BatchOutcome outcome) {
    *inserted += outcome.inserted;
    return Status::OK();
  };
  return held;
}

TEST_CASE("UnitWrites: a small unit's batches and its mark commit in one transaction",
          "[unit_writes]") {
  RecordingLoader loader(/*together=*/true);
  UnitWrites writes(&loader, 100);
  int64_t inserted = 0;
  REQUIRE(writes.Add(Batch(&loader, "environments", 5, &inserted)).ok());
  REQUIRE(writes.Add(Batch(&loader, "tasks", 10, &inserted)).ok());
  REQUIRE(writes.Add(Batch(&loader, "mark", 0, &inserted)).ok());
  CHECK(loader.calls.empty());  // held
  CHECK(inserted == 0);         // counted once written
  REQUIRE(writes.Flush().ok());
  CHECK(loader.calls == std::vector<std::string>{"together environments tasks mark"});
  CHECK(inserted == 15);
  CHECK(writes.commits() == 1);
}

TEST_CASE("UnitWrites: a full batch is written at once, with what was held before it",
          "[unit_writes]") {
  RecordingLoader loader(/*together=*/true);
  UnitWrites writes(&loader, 100);
  int64_t inserted = 0;
  REQUIRE(writes.Add(Batch(&loader, "environments", 5, &inserted)).ok());
  REQUIRE(writes.Add(Batch(&loader, "tasks", 100, &inserted)).ok());
  CHECK(loader.calls == std::vector<std::string>{"together environments tasks"});
  REQUIRE(writes.Add(Batch(&loader, "tasks", 100, &inserted)).ok());
  REQUIRE(writes.Add(Batch(&loader, "tasks", 7, &inserted)).ok());
  REQUIRE(writes.Flush().ok());
  CHECK(loader.calls ==
        std::vector<std::string>{"together environments tasks", "write tasks", "write tasks"});
  CHECK(inserted == 212);
}

TEST_CASE("UnitWrites: batches the target refuses together are written one by one",
          "[unit_writes]") {
  RecordingLoader loader(/*together=*/true);
  loader.together_status = Status::Rejected("violates foreign key constraint \"app_fk\"");
  UnitWrites writes(&loader, 100);
  int64_t inserted = 0;
  REQUIRE(writes.Add(Batch(&loader, "environments", 5, &inserted)).ok());
  REQUIRE(writes.Add(Batch(&loader, "tasks", 10, &inserted)).ok());
  REQUIRE(writes.Flush().ok());
  CHECK(loader.calls == std::vector<std::string>{"together environments tasks",
                                                 "write environments", "write tasks"});
  CHECK(inserted == 15);
}

TEST_CASE("UnitWrites: an outage is not retried one by one, and discarded batches are not written",
          "[unit_writes]") {
  RecordingLoader loader(/*together=*/true);
  loader.together_status = Status::Unavailable("server closed the connection");
  UnitWrites writes(&loader, 100);
  int64_t inserted = 0;
  REQUIRE(writes.Add(Batch(&loader, "environments", 5, &inserted)).ok());
  REQUIRE(writes.Add(Batch(&loader, "tasks", 10, &inserted)).ok());
  CHECK(writes.Flush().IsUnavailable());
  CHECK(loader.calls.size() == 1);
  REQUIRE(writes.Add(Batch(&loader, "tasks", 10, &inserted)).ok());
  writes.Discard();
  REQUIRE(writes.Flush().ok());
  CHECK(loader.calls.size() == 1);
  CHECK(inserted == 0);
}

TEST_CASE("UnitWrites: a target that cannot write together gets each batch at once",
          "[unit_writes]") {
  RecordingLoader loader(/*together=*/false);
  UnitWrites writes(&loader, 100);
  int64_t inserted = 0;
  REQUIRE(writes.Add(Batch(&loader, "environments", 5, &inserted)).ok());
  CHECK(loader.calls == std::vector<std::string>{"write environments"});
  REQUIRE(writes.Add(Batch(&loader, "tasks", 10, &inserted)).ok());
  REQUIRE(writes.Flush().ok());
  CHECK(loader.calls == std::vector<std::string>{"write environments", "write tasks"});
  CHECK(inserted == 15);
}

}  // namespace
}  // namespace ferry::unit_writes_test
