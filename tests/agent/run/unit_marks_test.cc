#include "agent/run/unit_marks.h"

#include <catch2/catch.hpp>

#include "loaders/unit_mark.h"

namespace ferry::unit_marks_test {

namespace {

// A target holding `marks`, read only at once (ReadUnitMarks); it counts each read and the
// names each asked for.
class MarksLoader final : public Loader {
 public:
  explicit MarksLoader(std::vector<StoredUnitMark> marks) : marks_(std::move(marks)) {}
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
    return Status::Internal("not read alone here");
  }
  Status ReadUnitMarks(const std::vector<std::string>& units, size_t max_kept_bytes,
                       std::vector<StoredUnitMark>* out, bool* complete) override {
    asked.push_back(units);
    if (fail) return Status::Unavailable("the server is gone");
    *complete = complete_;
    if (!complete_) return Status::OK();
    for (const StoredUnitMark& mark : marks_) {
      if (std::find(units.begin(), units.end(), mark.unit) == units.end()) continue;
      StoredUnitMark copy = mark;
      if (copy.kept && copy.kept->body.size() > max_kept_bytes) {
        copy.kept.reset();
        copy.kept_left_out = true;
      }
      out->push_back(std::move(copy));
    }
    return Status::OK();
  }

  std::vector<std::vector<std::string>> asked;
  bool complete_ = true;
  bool fail = false;

 private:
  std::vector<StoredUnitMark> marks_;
};

StoredUnitMark Mark(const std::string& user, const std::string& unit, int64_t position,
                    std::optional<std::string> kept = std::nullopt) {
  StoredUnitMark mark;
  mark.user_id = user;
  mark.unit = unit;
  mark.mark = StoredCheckpoint{"RUN_A", position};
  if (kept) mark.kept = StoredUnitRejects{"RUN_A", position, *kept};
  return mark;
}

UnitMarks::Answer Find(UnitMarks& marks, Loader& loader, const std::string& user,
                       const std::string& unit) {
  UnitMarks::Answer answer;
  Status found = marks.Find(&loader, user, unit, &answer);
  INFO(found.ToString());
  REQUIRE(found.ok());
  return answer;
}

}  // namespace

TEST_CASE("UnitMarks: one read per chunk of units, each unit answered from it", "[run][marks]") {
  MarksLoader loader({Mark("u1", "a.json", 1), Mark("u2", "b.json", 2, "kept"),
                      Mark("u9", "c.json", 3), Mark("u4", "d.json", 4)});
  UnitMarks marks({"a.json", "b.json", "c.json", "d.json", "e.json"}, /*chunk=*/3);

  UnitMarks::Answer a = Find(marks, loader, "u1", "a.json");
  CHECK(a.known);
  REQUIRE(a.mark.has_value());
  CHECK(a.mark->position == 1);
  CHECK(a.kept_known);
  CHECK_FALSE(a.kept.has_value());
  REQUIRE(loader.asked.size() == 1);
  CHECK(loader.asked[0] == std::vector<std::string>{"a.json", "b.json", "c.json"});

  UnitMarks::Answer b = Find(marks, loader, "u2", "b.json");
  REQUIRE(b.mark.has_value());
  CHECK(b.kept_known);
  REQUIRE(b.kept.has_value());
  CHECK(b.kept->body == "kept");
  // Another user's mark of the unit is not this user's: known to have none.
  UnitMarks::Answer c = Find(marks, loader, "u3", "c.json");
  CHECK(c.known);
  CHECK_FALSE(c.mark.has_value());
  CHECK(loader.asked.size() == 1);

  // The next chunk: read when its first unit is asked.
  UnitMarks::Answer e = Find(marks, loader, "u5", "e.json");
  CHECK(e.known);
  CHECK_FALSE(e.mark.has_value());
  UnitMarks::Answer d = Find(marks, loader, "u4", "d.json");
  REQUIRE(d.mark.has_value());
  CHECK(d.mark->position == 4);
  REQUIRE(loader.asked.size() == 2);
  CHECK(loader.asked[1] == std::vector<std::string>{"d.json", "e.json"});
  CHECK(marks.reads() == 2);
}

TEST_CASE("UnitMarks: what it cannot answer is read alone", "[run][marks]") {
  MarksLoader loader({Mark("u1", "a.json", 1), Mark("u1", "b.json", 2, std::string(20000, 'x'))});
  UnitMarks marks({"a.json", "b.json", "twice.json", "twice.json", "not-utf8-\xff.json"});

  // A unit the list does not hold, holds twice, or whose name is not UTF-8: nothing read.
  CHECK_FALSE(Find(marks, loader, "u1", "other.json").known);
  CHECK_FALSE(Find(marks, loader, "u1", "twice.json").known);
  CHECK_FALSE(Find(marks, loader, "u1", "not-utf8-\xff.json").known);
  CHECK(loader.asked.empty());
  // A kept body longer than a chunk holds: the mark is known, what it kept is read alone.
  UnitMarks::Answer b = Find(marks, loader, "u1", "b.json");
  REQUIRE(loader.asked.size() == 1);
  CHECK(loader.asked[0] == std::vector<std::string>{"a.json", "b.json"});
  CHECK(b.known);
  REQUIRE(b.mark.has_value());
  CHECK_FALSE(b.kept_known);
  // A unit asked twice: the second time it is read alone.
  CHECK(Find(marks, loader, "u1", "a.json").known);
  CHECK_FALSE(Find(marks, loader, "u1", "a.json").known);
  CHECK(loader.asked.size() == 1);
}

TEST_CASE("UnitMarks: a target that cannot read marks at once, or fails, is asked again",
          "[run][marks]") {
  MarksLoader loader({Mark("u1", "a.json", 1)});
  UnitMarks marks({"a.json", "b.json"});
  loader.complete_ = false;
  CHECK_FALSE(Find(marks, loader, "u1", "b.json").known);
  loader.complete_ = true;
  loader.fail = true;
  UnitMarks::Answer answer;
  CHECK(marks.Find(&loader, "u1", "a.json", &answer).IsUnavailable());
  CHECK_FALSE(answer.known);
  loader.fail = false;
  UnitMarks::Answer a = Find(marks, loader, "u1", "a.json");
  REQUIRE(a.mark.has_value());
  CHECK(loader.asked.size() == 3);
  CHECK(marks.reads() == 1);
}

}  // namespace ferry::unit_marks_test
