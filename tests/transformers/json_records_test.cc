#include "transformers/json_records.h"

#include <catch2/catch.hpp>

#include "transformers/big_number.h"

namespace ferry::json_records_test {

namespace {

std::vector<std::string> RecordTexts(const ScannedValue& scanned, std::string_view json) {
  std::vector<std::string> texts;
  std::string_view text = scanned.Text(json);
  for (const ScannedRecord& record : scanned.records) {
    texts.emplace_back(text.substr(record.begin, record.end - record.begin));
  }
  return texts;
}

}  // namespace

TEST_CASE("ScanJsonRecords: splits an array into its records, strings and brackets aware",
          "[transformers][json_records]") {
  std::string json = R"( [ {"a":"],}{["}, [1,[2]], "x\"]", 3, null ] )";
  Result<ScannedValue> scanned = ScanJsonRecords(json, SourceShape::kArray);
  REQUIRE(scanned.ok());
  CHECK_FALSE(scanned->rewritten);
  CHECK(RecordTexts(*scanned, json) ==
        std::vector<std::string>{R"({"a":"],}{["})", "[1,[2]]", R"("x\"]")", "3", "null"});
  CHECK(scanned->records[3].index == 3);
}

TEST_CASE("ScanJsonRecords: a record with a syntax error still has its own span",
          "[transformers][json_records]") {
  std::string json = R"([{"a":1},{"b": tru,},{"c":3}])";
  Result<ScannedValue> scanned = ScanJsonRecords(json, SourceShape::kArray);
  REQUIRE(scanned.ok());
  CHECK(RecordTexts(*scanned, json) ==
        std::vector<std::string>{R"({"a":1})", R"({"b": tru,})", R"({"c":3})"});
}

TEST_CASE("ScanJsonRecords: an unpaired surrogate escape becomes U+FFFD in its record only",
          "[transformers][json_records]") {
  std::string json = R"([{"t":"ok \ud83d\ude80"},{"t":"emoji cut \ud83d"},{"t":"\udc00x"}])";
  Result<ScannedValue> scanned = ScanJsonRecords(json, SourceShape::kArray);
  REQUIRE(scanned.ok());
  CHECK(RecordTexts(*scanned, json) == std::vector<std::string>{R"({"t":"ok \ud83d\ude80"})",
                                                                R"({"t":"emoji cut \ufffd"})",
                                                                R"({"t":"\ufffdx"})"});
  CHECK_FALSE(scanned->records[0].lossy);
  CHECK(scanned->records[1].lossy);
  CHECK(scanned->records[2].lossy);
}

TEST_CASE("ScanJsonRecords: numbers beyond a double or 2^64 become marked strings",
          "[transformers][json_records]") {
  std::string json = R"([{"n":18446744073709552000},{"n":1e400},{"n":18446744073709551615},
    {"n":-9223372036854775809},{"n":1e-400},{"n":101.0}])";
  Result<ScannedValue> scanned = ScanJsonRecords(json, SourceShape::kArray);
  REQUIRE(scanned.ok());
  CHECK(scanned->big_numbers == 3);
  std::string marker(kBigNumberEscapedMarker);
  std::vector<std::string> texts = RecordTexts(*scanned, json);
  CHECK(texts[0] == "{\"n\":\"" + marker + "18446744073709552000\"}");
  CHECK(texts[1] == "{\"n\":\"" + marker + "1e400\"}");
  CHECK(texts[2] == R"({"n":18446744073709551615})");
  CHECK(texts[3] == "{\"n\":\"" + marker + "-9223372036854775809\"}");
  CHECK(texts[4] == R"({"n":1e-400})");
}

TEST_CASE("ScanJsonRecords: a repeated member name keeps the last member, at every level",
          "[transformers][json_records]") {
  std::string json =
      R"([{"title":"first","done":false,"title":"second"},{"o":{"a":1,"a":{"a":2,"a":3}}}])";
  Result<ScannedValue> scanned = ScanJsonRecords(json, SourceShape::kArray);
  REQUIRE(scanned.ok());
  CHECK(scanned->duplicates == 3);
  CHECK(RecordTexts(*scanned, json) ==
        std::vector<std::string>{R"({"done":false,"title":"second"})", R"({"o":{"a":{"a":3}}})"});
}

TEST_CASE("ScanJsonRecords: in an object of records, a repeated member replaces the record",
          "[transformers][json_records]") {
  std::string json = R"({"a":{"v":1},"b":{"v":2},"a":{"v":3}})";
  Result<ScannedValue> scanned = ScanJsonRecords(json, SourceShape::kObject);
  REQUIRE(scanned.ok());
  CHECK(scanned->duplicates == 1);
  REQUIRE(scanned->records.size() == 2);
  CHECK(*scanned->records[0].member == "b");
  CHECK(*scanned->records[1].member == "a");
  CHECK(RecordTexts(*scanned, json) == std::vector<std::string>{R"({"v":2})", R"({"v":3})"});
}

TEST_CASE("ScanJsonRecords: a record nested too deep is marked, its siblings are not",
          "[transformers][json_records]") {
  std::string deep = std::string(kMaxRecordDepth + 5, '[') + std::string(kMaxRecordDepth + 5, ']');
  std::string json = "[1," + deep + ",2]";
  Result<ScannedValue> scanned = ScanJsonRecords(json, SourceShape::kArray);
  REQUIRE(scanned.ok());
  REQUIRE(scanned->records.size() == 3);
  CHECK_FALSE(scanned->records[0].too_deep);
  CHECK(scanned->records[1].too_deep);
  CHECK_FALSE(scanned->records[2].too_deep);
  CHECK(RecordTexts(*scanned, json)[2] == "2");
}

TEST_CASE("ScanJsonRecords: one record is the whole value", "[transformers][json_records]") {
  std::string json = R"( {"a":1,"a":2} )";
  Result<ScannedValue> scanned = ScanJsonRecords(json, SourceShape::kRecord);
  REQUIRE(scanned.ok());
  CHECK(RecordTexts(*scanned, json) == std::vector<std::string>{R"({"a":2})"});
  Result<ScannedValue> scalar = ScanJsonRecords(" 7 ", SourceShape::kRecord);
  REQUIRE(scalar.ok());
  CHECK(scalar->records.size() == 1);
}

TEST_CASE("ScanJsonRecords: fails when the records cannot be told apart",
          "[transformers][json_records]") {
  CHECK_FALSE(ScanJsonRecords(R"({"a":1})", SourceShape::kArray).ok());
  CHECK_FALSE(ScanJsonRecords("5", SourceShape::kArray).ok());
  // Records that JSON.parse could not tell apart either: no comma, a trailing comma, no ':'.
  CHECK_FALSE(ScanJsonRecords("[1 2]", SourceShape::kArray).ok());
  CHECK_FALSE(ScanJsonRecords("[{} {}]", SourceShape::kArray).ok());
  CHECK_FALSE(ScanJsonRecords("[1,]", SourceShape::kArray).ok());
  CHECK_FALSE(ScanJsonRecords("[,1]", SourceShape::kArray).ok());
  CHECK_FALSE(ScanJsonRecords(R"({"a" {}})", SourceShape::kObject).ok());
  CHECK_FALSE(ScanJsonRecords(R"({"a":{} "b":{}})", SourceShape::kObject).ok());
  CHECK_FALSE(ScanJsonRecords(R"({"a":})", SourceShape::kObject).ok());
  CHECK_FALSE(ScanJsonRecords(R"({a:{}})", SourceShape::kObject).ok());
  CHECK(ScanJsonRecords("[ ]", SourceShape::kArray).ok());
  CHECK(ScanJsonRecords(" { } ", SourceShape::kObject).ok());
  CHECK_FALSE(ScanJsonRecords(R"("x")", SourceShape::kObject).ok());
  CHECK_FALSE(ScanJsonRecords(R"([1,2)", SourceShape::kArray).ok());
  CHECK_FALSE(ScanJsonRecords(R"(["a)", SourceShape::kArray).ok());
  CHECK_FALSE(ScanJsonRecords(R"([1] x)", SourceShape::kArray).ok());
  CHECK_FALSE(ScanJsonRecords("", SourceShape::kRecord).ok());
}

TEST_CASE("PlainJson: only a value the scan would leave as it is skips the scan",
          "[transformers][json_records]") {
  simdjson::dom::parser parser;
  auto plain = [&parser](const std::string& json, SourceShape shape) {
    simdjson::dom::element value;
    REQUIRE(parser.parse(json).get(value) == simdjson::SUCCESS);
    return PlainJson(json, value, shape);
  };
  CHECK(plain(R"([{"id":1,"tags":["a"],"o":{"x":1,"y":2}},{"id":2},3])", SourceShape::kArray));
  CHECK(plain(R"({"a":{"id":1},"b":{"id":2}})", SourceShape::kObject));
  CHECK_FALSE(plain(R"({"id":1,"t":"\u00e9 \\ud83d"})", SourceShape::kRecord));  // may be one
  CHECK(plain(R"({"id":1,"t":"\u00e9 caf\u00e9"})", SourceShape::kRecord));
  // Half an emoji: simdjson refuses it, or reads it otherwise than the scan (U+FFFD).
  simdjson::dom::element parsed;
  REQUIRE(parser.parse(std::string(R"([{"id":1}])")).get(parsed) == simdjson::SUCCESS);
  CHECK_FALSE(PlainJson(R"([{"id":1,"t":"\udc00"}])", parsed, SourceShape::kArray));
  CHECK(PlainJson(R"([{"id":1}])", parsed, SourceShape::kArray));
  CHECK_FALSE(plain(R"([{"id":1,"id":2}])", SourceShape::kArray));  // JSON.parse's last
  CHECK_FALSE(plain(R"([{"id":1,"o":{"x":1,"x":2}}])", SourceShape::kArray));
  CHECK_FALSE(plain(R"({"a":{"id":1},"a":{"id":2}})", SourceShape::kObject));
  CHECK_FALSE(plain(R"({"id":1})", SourceShape::kArray));  // another shape: the scan says
  std::string many = "{";  // beyond the pairwise check of small objects
  for (int i = 0; i < 40; ++i) many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
  CHECK(plain(many + "}", SourceShape::kRecord));
  CHECK_FALSE(plain(many + ",\"k3\":2}", SourceShape::kRecord));
  std::string deep = std::string(kMaxRecordDepth, '[') + std::string(kMaxRecordDepth, ']');
  CHECK(plain("[" + deep + "]", SourceShape::kArray));
  CHECK_FALSE(plain("[[" + deep + "]]", SourceShape::kArray));  // a record one level too deep
}

}  // namespace ferry::json_records_test
