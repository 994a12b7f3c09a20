// The dump source keeps every code unit of a lossy entry (Entry::exact_*_json), so that
// `ferry export` of a dump gives the dump back.
#include <catch2/catch.hpp>
#include <string>

#include "extractors/dump/dump_extractor.h"
#include "tests/extractors/extractor_test_util.h"

namespace ferry::dump_exact_test {
namespace {

using testing::Drain;
using testing::Drained;
using testing::TempDir;

Drained DrainText(const std::string& text) {
  TempDir dir;
  std::string path = dir.Write("d.json", text);
  return Drain(MakeDumpExtractor(SourceSpec{"dump", path, {}}));
}

TEST_CASE("DumpExtractor: a lossy value keeps its escapes in exact_value_json",
          "[extractors][dump]") {
  Drained got =
      DrainText(R"({"http://a": {"ok": "x", "lone": "\uD800x", "pair": "\ud83d\ude00"}})");
  REQUIRE(got.status.ok());
  REQUIRE(got.entries.size() == 3);
  const Entry& ok = got.entries[0];
  CHECK_FALSE(ok.lossy);
  CHECK(ok.exact_value_json.empty());
  CHECK(ok.lossy_detail.empty());
  const Entry& lone = got.entries[1];
  CHECK(lone.lossy);
  CHECK(lone.value == "\xEF\xBF\xBDx");
  CHECK(lone.exact_value_json == "\\ud800x");
  CHECK(lone.exact_key_json == "lone");
  CHECK(lone.exact_origin_json == "http://a");
  CHECK_THAT(lone.lossy_detail, Catch::Contains("value not well-formed UTF-16"));
  CHECK_FALSE(got.entries[2].lossy);  // a pair is well-formed
}

TEST_CASE("DumpExtractor: lone surrogates in an origin or a key are kept exactly",
          "[extractors][dump]") {
  Drained got = DrainText(R"({"http://\udc00": {"k\ud800": "v\"\n"}})");
  REQUIRE(got.status.ok());
  REQUIRE(got.entries.size() == 1);
  const Entry& entry = got.entries[0];
  CHECK(entry.lossy);
  CHECK(entry.exact_origin_json == "http://\\udc00");
  CHECK(entry.exact_key_json == "k\\ud800");
  CHECK(entry.exact_value_json == "v\\\"\\n");  // the well-formed value, canonical
  CHECK_THAT(entry.lossy_detail, Catch::Contains("origin, key"));
}

TEST_CASE("DumpExtractor: a flat dump's lossy key has an empty exact origin",
          "[extractors][dump]") {
  Drained got = DrainText(R"({"\udfff": "v"})");
  REQUIRE(got.status.ok());
  REQUIRE(got.entries.size() == 1);
  CHECK(got.entries[0].lossy);
  CHECK(got.entries[0].exact_origin_json.empty());
  CHECK(got.entries[0].exact_key_json == "\\udfff");
  CHECK(got.entries[0].exact_value_json == "v");
}

}  // namespace
}  // namespace ferry::dump_exact_test
