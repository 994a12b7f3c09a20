#include "transformers/merge_row.h"

#include <catch2/catch.hpp>
#include <cmath>

namespace ferry::merge_row_test {

namespace {

// id (key), title, done, meta (json), tags (json), updated_at (timestamp).
constexpr int kTitle = 1;
constexpr int kDone = 2;
constexpr int kMeta = 3;
constexpr int kTags = 4;
constexpr int kUpdated = 5;

TableDef Table() {
  TableDef table;
  table.name = "tasks";
  table.columns = {
      {"id", ColumnType::kUlid, false},     {"title", ColumnType::kText, true},
      {"done", ColumnType::kBoolean, true}, {"meta", ColumnType::kJson, true},
      {"tags", ColumnType::kJson, true},    {"updated_at", ColumnType::kTimestamp, true}};
  table.primary_key = {"id"};
  return table;
}

Row MakeRow(Cell title, Cell done, Cell meta, Cell tags, Cell updated) {
  Row row;
  row.cells = {std::string("01ARZ3NDEKTSV4RRFFQ69G5FAV"),
               std::move(title),
               std::move(done),
               std::move(meta),
               std::move(tags),
               std::move(updated)};
  return row;
}

const Cell kNull = std::monostate();
const int64_t kOld = 1000;
const int64_t kNew = 2000;

MergeResult Merge(const Row& existing, const Row& incoming, int timestamp = kUpdated) {
  Result<MergeResult> result = MergeRow(Table(), existing, incoming, timestamp);
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  return std::move(result).value();
}

std::vector<std::string> Paths(const MergeResult& result) {
  std::vector<std::string> paths;
  for (const MergedField& field : result.differed) paths.push_back(field.path);
  return paths;
}

MergeDecision DecisionOf(const MergeResult& result, const std::string& path) {
  for (const MergedField& field : result.differed) {
    if (field.path == path) return field.decision;
  }
  FAIL("no differing field " << path);
  return MergeDecision::kIncomingNewer;
}

std::string Text(const Cell& cell) { return std::get<std::string>(cell); }

}  // namespace

TEST_CASE("MergeRow: a newer incoming field replaces the existing one", "[transformers][merge]") {
  Row existing = MakeRow(std::string("old title"), false, kNull, kNull, kOld);
  Row incoming = MakeRow(std::string("new title"), false, kNull, kNull, kNew);
  MergeResult result = Merge(existing, incoming);
  CHECK(result.incoming_newer);
  CHECK_FALSE(result.unchanged);
  CHECK(Text(result.row.cells[kTitle]) == "new title");
  CHECK(std::get<int64_t>(result.row.cells[kUpdated]) == kNew);
  CHECK(Paths(result) == std::vector<std::string>{"title", "updated_at"});
  CHECK(DecisionOf(result, "title") == MergeDecision::kIncomingNewer);
}

TEST_CASE("MergeRow: an older incoming field leaves the existing one", "[transformers][merge]") {
  Row existing = MakeRow(std::string("kept"), true, kNull, kNull, kNew);
  Row incoming = MakeRow(std::string("stale"), false, kNull, kNull, kOld);
  MergeResult result = Merge(existing, incoming);
  CHECK_FALSE(result.incoming_newer);
  CHECK(result.unchanged);
  CHECK(Text(result.row.cells[kTitle]) == "kept");
  CHECK(std::get<bool>(result.row.cells[kDone]) == true);
  CHECK(DecisionOf(result, "done") == MergeDecision::kExistingNewer);
}

TEST_CASE("MergeRow: a newer null never overwrites a value", "[transformers][merge]") {
  Row existing = MakeRow(std::string("kept"), true, kNull, std::string("[1]"), kOld);
  Row incoming = MakeRow(kNull, kNull, kNull, std::string("null"), kNew);
  MergeResult result = Merge(existing, incoming);
  CHECK(Text(result.row.cells[kTitle]) == "kept");
  CHECK(std::get<bool>(result.row.cells[kDone]) == true);
  CHECK(Text(result.row.cells[kTags]) == "[1]");  // JSON null is a null too
  CHECK(DecisionOf(result, "title") == MergeDecision::kExistingKeptOverNull);
  CHECK(DecisionOf(result, "tags") == MergeDecision::kExistingKeptOverNull);
  CHECK_FALSE(result.unchanged);  // updated_at moved on
}

TEST_CASE("MergeRow: an older value fills a newer existing null", "[transformers][merge]") {
  Row existing = MakeRow(kNull, kNull, kNull, kNull, kNew);
  Row incoming = MakeRow(std::string("filled"), false, kNull, kNull, kOld);
  MergeResult result = Merge(existing, incoming);
  CHECK_FALSE(result.incoming_newer);
  CHECK_FALSE(result.unchanged);
  CHECK(Text(result.row.cells[kTitle]) == "filled");
  CHECK(std::get<bool>(result.row.cells[kDone]) == false);
  CHECK(std::get<int64_t>(result.row.cells[kUpdated]) == kNew);
  CHECK(DecisionOf(result, "title") == MergeDecision::kIncomingFilledNull);
}

TEST_CASE("MergeRow: json objects merge member by member, recursively", "[transformers][merge]") {
  Row existing = MakeRow(kNull, kNull,
                         std::string(R"({"a":1,"only_old":"x","nested":{"k":"old","keep":true},)"
                                     R"("gone":5})"),
                         kNull, kOld);
  Row incoming = MakeRow(
      kNull, kNull, std::string(R"({"a":2,"nested":{"k":"new","add":[1]},"gone":null,"fresh":{}})"),
      kNull, kNew);
  MergeResult result = Merge(existing, incoming);
  CHECK(Text(result.row.cells[kMeta]) ==
        R"({"a":2,"only_old":"x","nested":{"k":"new","keep":true,"add":[1]},"gone":5,)"
        R"("fresh":{}})");
  CHECK(DecisionOf(result, "meta.a") == MergeDecision::kIncomingNewer);
  CHECK(DecisionOf(result, "meta.nested.k") == MergeDecision::kIncomingNewer);
  CHECK(DecisionOf(result, "meta.nested.keep") == MergeDecision::kExistingKeptOverNull);
  CHECK(DecisionOf(result, "meta.only_old") == MergeDecision::kExistingKeptOverNull);
  CHECK(DecisionOf(result, "meta.gone") == MergeDecision::kExistingKeptOverNull);
  CHECK(DecisionOf(result, "meta.fresh") == MergeDecision::kIncomingNewer);
}

TEST_CASE("MergeRow: with an older incoming object only its new members are taken",
          "[transformers][merge]") {
  Row existing = MakeRow(kNull, kNull, std::string(R"({"theme":"dark","n":null})"), kNull, kNew);
  Row incoming =
      MakeRow(kNull, kNull, std::string(R"({"theme":"light","lang":"fr","n":3})"), kNull, kOld);
  MergeResult result = Merge(existing, incoming);
  CHECK(Text(result.row.cells[kMeta]) == R"({"theme":"dark","n":3,"lang":"fr"})");
  CHECK(DecisionOf(result, "meta.theme") == MergeDecision::kExistingNewer);
  CHECK(DecisionOf(result, "meta.lang") == MergeDecision::kIncomingFilledNull);
  CHECK(DecisionOf(result, "meta.n") == MergeDecision::kIncomingFilledNull);
}

TEST_CASE("MergeRow: arrays are replaced whole, never merged element by element",
          "[transformers][merge]") {
  Row existing =
      MakeRow(kNull, kNull, std::string(R"({"list":[1,2,3]})"), std::string(R"(["a","b"])"), kOld);
  Row incoming =
      MakeRow(kNull, kNull, std::string(R"({"list":[9]})"), std::string(R"(["c"])"), kNew);
  MergeResult result = Merge(existing, incoming);
  CHECK(Text(result.row.cells[kMeta]) == R"({"list":[9]})");
  CHECK(Text(result.row.cells[kTags]) == R"(["c"])");
  CHECK(DecisionOf(result, "tags") == MergeDecision::kIncomingNewer);
}

TEST_CASE("MergeRow: a value of another kind is replaced whole by the newer one",
          "[transformers][merge]") {
  Row existing = MakeRow(kNull, kNull, std::string(R"({"a":{"b":1}})"), std::string("{}"), kOld);
  Row incoming = MakeRow(kNull, kNull, std::string(R"({"a":"flat"})"), std::string("[1]"), kNew);
  MergeResult result = Merge(existing, incoming);
  CHECK(Text(result.row.cells[kMeta]) == R"({"a":"flat"})");
  CHECK(Text(result.row.cells[kTags]) == "[1]");
}

TEST_CASE("MergeRow: the same content is unchanged, the existing bytes kept",
          "[transformers][merge]") {
  // Same members in another order and spacing, 1.0 == 1, a boolean read back as 1.
  Row existing = MakeRow(std::string("t"), int64_t{1}, std::string(R"({ "b": 1.0, "a": [true] })"),
                         kNull, kOld);
  Row incoming = MakeRow(std::string("t"), true, std::string(R"({"a":[true],"b":1})"),
                         std::string("null"), kOld);
  MergeResult result = Merge(existing, incoming);
  CHECK(result.unchanged);
  CHECK(result.differed.empty());
  CHECK(Text(result.row.cells[kMeta]) == R"({ "b": 1.0, "a": [true] })");
}

TEST_CASE("MergeRow: an incoming row older in every field is unchanged", "[transformers][merge]") {
  Row existing = MakeRow(std::string("new"), true, std::string(R"({"a":2})"), kNull, kNew);
  Row incoming = MakeRow(std::string("old"), false, std::string(R"({"a":1})"), kNull, kOld);
  MergeResult result = Merge(existing, incoming);
  CHECK(result.unchanged);
  CHECK(result.row.cells == existing.cells);
  CHECK(result.differed.size() == 4);
}

TEST_CASE("MergeRow: equal timestamps let the incoming row win", "[transformers][merge]") {
  Row existing = MakeRow(std::string("there"), kNull, kNull, kNull, kOld);
  Row incoming = MakeRow(std::string("here"), kNull, kNull, kNull, kOld);
  MergeResult result = Merge(existing, incoming);
  CHECK(result.incoming_newer);
  CHECK(Text(result.row.cells[kTitle]) == "here");
}

TEST_CASE("MergeRow: a side without a time is older; neither: the incoming row wins",
          "[transformers][merge]") {
  Row timed = MakeRow(std::string("timed"), kNull, kNull, kNull, kOld);
  Row untimed = MakeRow(std::string("untimed"), kNull, kNull, kNull, kNull);
  CHECK_FALSE(Merge(timed, untimed).incoming_newer);
  CHECK(Text(Merge(timed, untimed).row.cells[kTitle]) == "timed");
  CHECK(Merge(untimed, timed).incoming_newer);
  CHECK(Text(Merge(untimed, timed).row.cells[kTitle]) == "timed");
  Row other = MakeRow(std::string("other"), kNull, kNull, kNull, kNull);
  CHECK(Text(Merge(untimed, other).row.cells[kTitle]) == "other");
  // No timestamp column at all: the incoming row wins too.
  CHECK(Text(Merge(timed, MakeRow(std::string("x"), kNull, kNull, kNull, int64_t{0}), -1)
                 .row.cells[kTitle]) == "x");
}

TEST_CASE("MergeRow: timestamps as RFC 3339 text compare as times, unparsable text as none",
          "[transformers][merge]") {
  TableDef table = Table();
  table.columns[kUpdated].type = ColumnType::kText;
  Row existing =
      MakeRow(std::string("a"), kNull, kNull, kNull, std::string("2023-01-01T10:00:00Z"));
  Row incoming =
      MakeRow(std::string("b"), kNull, kNull, kNull, std::string("2023-01-01T11:00:00+02:00"));
  Result<MergeResult> result = MergeRow(table, existing, incoming, kUpdated);
  REQUIRE(result.ok());
  CHECK_FALSE(result->incoming_newer);  // 09:00Z is before 10:00Z
  Row garbage = MakeRow(std::string("c"), kNull, kNull, kNull, std::string("yesterday"));
  result = MergeRow(table, existing, garbage, kUpdated);
  REQUIRE(result.ok());
  CHECK_FALSE(result->incoming_newer);
  CHECK(Text(result->row.cells[kUpdated]) == "2023-01-01T10:00:00Z");
}

TEST_CASE("MergeRow: primary-key cells stay the existing ones", "[transformers][merge]") {
  Row existing = MakeRow(kNull, kNull, kNull, kNull, kOld);
  Row incoming = MakeRow(kNull, kNull, kNull, kNull, kOld);
  incoming.cells[0] = std::string("01ARZ3NDEKTSV4RRFFQ69G5FAW");
  MergeResult result = Merge(existing, incoming);
  CHECK(Text(result.row.cells[0]) == "01ARZ3NDEKTSV4RRFFQ69G5FAV");
  CHECK(result.unchanged);
}

TEST_CASE("MergeRow: invalid JSON text in a json cell is an error naming the column and side",
          "[transformers][merge]") {
  Row good = MakeRow(kNull, kNull, std::string(R"({"a":1})"), kNull, kOld);
  Row bad = MakeRow(kNull, kNull, std::string(R"({"a":)"), kNull, kNew);
  Result<MergeResult> result = MergeRow(Table(), bad, good, kUpdated);
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().IsInvalidArgument());
  CHECK(result.status().message().find("\"meta\"") != std::string::npos);
  CHECK(result.status().message().find("existing value is not JSON") != std::string::npos);
  result = MergeRow(Table(), good, bad, kUpdated);
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().message().find("incoming value is not JSON") != std::string::npos);
  // A json cell holding a number is no JSON text either.
  Row number = MakeRow(kNull, kNull, int64_t{5}, kNull, kNew);
  CHECK_FALSE(MergeRow(Table(), good, number, kUpdated).ok());
  // Nor are bytes that are not UTF-8, or trailing garbage.
  Row binary = MakeRow(kNull, kNull, std::string("\"\xff\xfe\""), kNull, kNew);
  CHECK_FALSE(MergeRow(Table(), good, binary, kUpdated).ok());
  Row trailing = MakeRow(kNull, kNull, std::string(R"({"a":1} x)"), kNull, kNew);
  CHECK_FALSE(MergeRow(Table(), good, trailing, kUpdated).ok());
}

TEST_CASE("MergeRow: hostile nesting is an error beyond the parser's depth, merged below it",
          "[transformers][merge]") {
  auto nested = [](int depth, const std::string& leaf) {
    std::string text;
    for (int i = 0; i < depth; ++i) text += "{\"k\":";
    text += leaf;
    text += std::string(depth, '}');
    return text;
  };
  Row deep_old = MakeRow(kNull, kNull, nested(900, "1"), kNull, kOld);
  Row deep_new = MakeRow(kNull, kNull, nested(900, "2"), kNull, kNew);
  MergeResult result = Merge(deep_old, deep_new);
  CHECK(Text(result.row.cells[kMeta]) == nested(900, "2"));
  REQUIRE(result.differed.size() == 2);  // the innermost member, then updated_at
  CHECK(result.differed[0].path.size() == std::string("meta").size() + 900 * 2);

  Row too_deep = MakeRow(kNull, kNull, nested(100000, "1"), kNull, kNew);
  Result<MergeResult> failed = MergeRow(Table(), deep_old, too_deep, kUpdated);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.status().message().find("not JSON") != std::string::npos);
  Row deep_array = MakeRow(kNull, kNull, kNull, std::string(100000, '['), kNew);
  CHECK_FALSE(MergeRow(Table(), deep_old, deep_array, kUpdated).ok());
}

TEST_CASE("MergeRow: many differing members are counted beyond the listed ones",
          "[transformers][merge]") {
  std::string old_json = "{", new_json = "{";
  for (int i = 0; i < 1000; ++i) {
    old_json += (i ? ",\"m" : "\"m") + std::to_string(i) + "\":0";
    new_json += (i ? ",\"m" : "\"m") + std::to_string(i) + "\":1";
  }
  old_json += "}";
  new_json += "}";
  MergeResult result = Merge(MakeRow(kNull, kNull, old_json, kNull, kOld),
                             MakeRow(kNull, kNull, new_json, kNull, kNew));
  CHECK(result.differed.size() == MergeResult::kMaxMergedFields);
  CHECK(result.differed.size() + result.differed_omitted == 1001);  // + updated_at
  CHECK(Text(result.row.cells[kMeta]) == new_json);
}

TEST_CASE("MergeRow: rows of the wrong width and a bad timestamp column are refused",
          "[transformers][merge]") {
  Row row = MakeRow(kNull, kNull, kNull, kNull, kOld);
  Row short_row;
  short_row.cells = {std::string("x")};
  CHECK(MergeRow(Table(), short_row, row, kUpdated).status().IsInvalidArgument());
  CHECK(MergeRow(Table(), row, short_row, kUpdated).status().IsInvalidArgument());
  CHECK(MergeRow(Table(), row, row, 99).status().IsInvalidArgument());
}

TEST_CASE("MergeRow: a NaN time is no time, and NaN values differ", "[transformers][merge]") {
  TableDef table = Table();
  table.columns[kUpdated].type = ColumnType::kReal;
  Row existing = MakeRow(std::string("a"), kNull, kNull, kNull, 5.0);
  Row incoming = MakeRow(std::string("b"), kNull, kNull, kNull, std::nan(""));
  Result<MergeResult> result = MergeRow(table, existing, incoming, kUpdated);
  REQUIRE(result.ok());
  CHECK_FALSE(result->incoming_newer);
  CHECK(Text(result->row.cells[kTitle]) == "a");
}

TEST_CASE("MergeDecisionName: names every decision", "[transformers][merge]") {
  CHECK(std::string(MergeDecisionName(MergeDecision::kIncomingNewer)) == "incoming_newer");
  CHECK(std::string(MergeDecisionName(MergeDecision::kExistingNewer)) == "existing_newer");
  CHECK(std::string(MergeDecisionName(MergeDecision::kIncomingFilledNull)) ==
        "incoming_filled_null");
  CHECK(std::string(MergeDecisionName(MergeDecision::kExistingKeptOverNull)) ==
        "existing_kept_over_null");
}

}  // namespace ferry::merge_row_test

namespace ferry::merge_row_test {

TEST_CASE("MergeRow: json cells with numbers beyond a double merge, the numbers kept as written",
          "[transformers][merge]") {
  Row existing =
      MakeRow(kNull, kNull, std::string(R"({"a":1,"big":18446744073709552000})"), kNull, kOld);
  Row incoming = MakeRow(kNull, kNull, std::string(R"({"a":2,"huge":1e400})"), kNull, kNew);
  MergeResult merged = Merge(existing, incoming);
  const std::string& meta = std::get<std::string>(merged.row.cells[kMeta]);
  CHECK_THAT(meta, Catch::Contains("18446744073709552000"));
  CHECK_THAT(meta, Catch::Contains("1e400"));
  CHECK_THAT(meta, Catch::Contains(R"("a":2)"));
}

}  // namespace ferry::merge_row_test
