#include "agent/run/unit_writes.h"

#include <catch2/catch.hpp>
#include <mutex>
#include <string>
#include <thread>
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
    std::lock_guard<std::mutex> lock(mutex);  // only to publish the fields to the test
    calls.push_back("write " + batch.entity);
    write_threads.push_back(std::this_thread::get_id());
    if (!write_statuses.empty()) {
      Status status = write_statuses.front();
      write_statuses.erase(write_statuses.begin());
      if (!status.ok()) return status;
    }
    BatchOutcome outcome;
    outcome.inserted = static_cast<int64_t>(batch.rows.size());
    return outcome;
  }
  bool CanWriteTogether() const override { return together_; }
  Result<std::vector<BatchOutcome>> WriteTogether(const std::vector<WriteBatch>& batches) override {
    std::lock_guard<std::mutex> lock(mutex);
    write_threads.push_back(std::this_thread::get_id());
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

  std::mutex mutex;
  std::vector<std::string> calls;
  std::vector<std::thread::id> write_threads;
  Status together_status = Status::OK();
  // What the next Writes return (then success): a commit that fails.
  std::vector<Status> write_statuses;

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

// A batch of `rows` rows that may go to the writer thread (Held::plain); write_alone says so.
UnitWrites::Held PlainBatch(RecordingLoader* loader, const std::string& entity, size_t rows,
                            int64_t* inserted) {
  UnitWrites::Held held = Batch(loader, entity, rows, inserted);
  held.write_alone = [loader](WriteBatch batch) {
    loader->calls.push_back("alone " + batch.entity);
    return loader->Write(batch);
  };
  held.plain = [](const WriteBatch&) { return true; };
  return held;
}

TEST_CASE("UnitWrites overlap: a full batch commits on the writer thread, counted in order",
          "[unit_writes][overlap]") {
  RecordingLoader loader(/*together=*/false);
  UnitWrites writes(&loader, 100, /*overlap=*/true);
  int64_t inserted = 0;
  REQUIRE(writes.Add(PlainBatch(&loader, "tasks", 100, &inserted)).ok());
  // Add returned with the batch in flight: its outcome is taken by Complete, on this thread.
  CHECK(inserted == 0);
  REQUIRE(writes.Add(PlainBatch(&loader, "tasks", 40, &inserted)).ok());
  CHECK(inserted == 100);  // the first completed before the second started: one in flight
  REQUIRE(writes.Complete().ok());
  CHECK(inserted == 140);
  CHECK(writes.commits() == 2);
  CHECK(loader.calls == std::vector<std::string>{"write tasks", "write tasks"});
  REQUIRE(loader.write_threads.size() == 2);
  CHECK(loader.write_threads[0] != std::this_thread::get_id());
  CHECK(loader.write_threads[1] != std::this_thread::get_id());
  // A batch that is not plain (it names a refused parent) is written here, at once.
  UnitWrites::Held refused = PlainBatch(&loader, "tasks", 10, &inserted);
  refused.plain = [](const WriteBatch&) { return false; };
  REQUIRE(writes.Add(std::move(refused)).ok());
  CHECK(inserted == 150);
  CHECK(loader.write_threads.back() == std::this_thread::get_id());
}

TEST_CASE("UnitWrites overlap: a commit that fails while the next batch is prepared stops both",
          "[unit_writes][overlap]") {
  RecordingLoader loader(/*together=*/false);
  loader.write_statuses = {Status::Unavailable("server closed the connection")};
  UnitWrites writes(&loader, 100, /*overlap=*/true);
  int64_t inserted = 0;
  REQUIRE(writes.Add(PlainBatch(&loader, "tasks", 100, &inserted)).ok());  // in flight
  // The next batch was prepared meanwhile; giving it fails as the write did, unwritten.
  CHECK(writes.Add(PlainBatch(&loader, "tasks", 100, &inserted)).IsUnavailable());
  writes.Discard();
  CHECK(writes.Complete().ok());
  CHECK(loader.calls == std::vector<std::string>{"write tasks"});
  CHECK(inserted == 0);
  CHECK(writes.commits() == 0);
}

TEST_CASE("UnitWrites overlap: a batch the target refuses on the writer thread is traced here",
          "[unit_writes][overlap]") {
  RecordingLoader loader(/*together=*/false);
  // Refused for its data (nothing committed), then written by write_alone on this thread.
  loader.write_statuses = {Status::Rejected("violates check constraint \"no_task_3\"")};
  UnitWrites writes(&loader, 100, /*overlap=*/true);
  int64_t inserted = 0;
  REQUIRE(writes.Add(PlainBatch(&loader, "tasks", 100, &inserted)).ok());
  REQUIRE(writes.Complete().ok());
  CHECK(loader.calls == std::vector<std::string>{"write tasks", "alone tasks", "write tasks"});
  REQUIRE(loader.write_threads.size() == 2);
  CHECK(loader.write_threads[1] == std::this_thread::get_id());
  CHECK(inserted == 100);
  CHECK(writes.commits() == 1);
}

TEST_CASE("UnitWrites overlap: held batches are written together on the writer thread",
          "[unit_writes][overlap]") {
  RecordingLoader loader(/*together=*/true);
  UnitWrites writes(&loader, 100, /*overlap=*/true);
  int64_t inserted = 0;
  REQUIRE(writes.Add(PlainBatch(&loader, "environments", 5, &inserted)).ok());
  REQUIRE(writes.Add(PlainBatch(&loader, "tasks", 98, &inserted)).ok());
  CHECK(inserted == 0);  // in flight
  REQUIRE(writes.Complete().ok());
  CHECK(inserted == 103);
  CHECK(loader.calls == std::vector<std::string>{"together environments tasks"});
  REQUIRE(loader.write_threads.size() == 1);
  CHECK(loader.write_threads[0] != std::this_thread::get_id());
  // Refused together for their data: each batch alone, in order, and nothing after them.
  loader.together_status = Status::Rejected("violates foreign key constraint \"app_fk\"");
  REQUIRE(writes.Add(PlainBatch(&loader, "environments", 5, &inserted)).ok());
  REQUIRE(writes.Add(PlainBatch(&loader, "tasks", 98, &inserted)).ok());
  REQUIRE(writes.Complete().ok());
  CHECK(loader.calls == std::vector<std::string>{"together environments tasks",
                                                 "together environments tasks",
                                                 "write environments", "write tasks"});
  CHECK(inserted == 206);
  CHECK(writes.commits() == 3);
}

TEST_CASE("UnitWrites overlap: a unit that stops while a batch commits counts that batch",
          "[unit_writes][overlap]") {
  RecordingLoader loader(/*together=*/true);
  UnitWrites writes(&loader, 100, /*overlap=*/true);
  int64_t inserted = 0;
  REQUIRE(writes.Add(PlainBatch(&loader, "tasks", 100, &inserted)).ok());  // alone: in flight
  REQUIRE(writes.Add(PlainBatch(&loader, "tasks", 30, &inserted)).ok());   // held
  // The source fails now (the unit's next record): the batch in flight commits and counts,
  // what is held is dropped unwritten (as UnitProcessor::ProcessLocked does).
  REQUIRE(writes.Complete().ok());
  writes.Discard();
  REQUIRE(writes.Flush().ok());
  CHECK(loader.calls == std::vector<std::string>{"write tasks"});
  CHECK(inserted == 100);
}

}  // namespace
}  // namespace ferry::unit_writes_test
