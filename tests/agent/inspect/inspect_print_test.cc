#include "agent/inspect/inspect_print.h"

#include <catch2/catch.hpp>
#include <sstream>

namespace ferry::inspect_print_test {
namespace {

TEST_CASE("inspect table: a 10 MB key is shortened, with its length; --json keeps it whole",
          "[agent][inspect]") {
  InspectReport report;
  report.keys_as_json = true;
  report.origins.emplace_back();
  OriginFacts& origin = report.origins.back();
  KeyFacts key;
  // A multi-byte character and an escape straddle the cut: neither may be split.
  key.key_json = std::string(97, 'k') + "\xc3\xa9" + "\\u0001" + std::string(10 * 1024 * 1024, 'k');
  key.value_bytes = 2;
  origin.AddKey(key, /*as_json=*/true);
  std::ostringstream table;
  PrintInspectTable(report, table);
  INFO(table.str().substr(0, 1000));
  CHECK(table.str().size() < 4096);
  CHECK_THAT(table.str(), Catch::Contains(std::string(97, 'k') + "\xc3\xa9" + "...\" (" +
                                          std::to_string(key.key_json.size()) + " bytes)"));
  CHECK(InspectJson(report).size() > key.key_json.size());
}

TEST_CASE("inspect --json: keys past an origin's memory go to the temporary file, in order",
          "[agent][inspect]") {
  // The same report with and without its spill file: the same document.
  auto fill = [](InspectReport* report, bool spill) {
    report->keys_as_json = true;
    for (int o = 0; o < 2; ++o) {
      OriginFacts& origin = report->Origin("src", "unit", "https://o" + std::to_string(o));
      if (!spill) origin.spill = nullptr;
      for (int i = 0; i < 20000; ++i) {
        KeyFacts key;
        key.key_json = "k" + std::to_string(i);
        key.value_bytes = i;
        origin.AddKey(key, /*as_json=*/true);
      }
    }
  };
  InspectReport spilled;
  fill(&spilled, true);
  InspectReport held;
  fill(&held, false);
  CHECK_FALSE(spilled.origins[0].keys_json_spilled.empty());
  CHECK(spilled.origins[0].keys_json.size() < 64 * 1024);
  CHECK(held.origins[1].keys_json_spilled.empty());
  std::string document = InspectJson(held);
  CHECK_THAT(document, Catch::Contains("{\"key\":\"k19999\",\"value_bytes\":19999}"));
  CHECK(InspectJson(spilled) == document);
}

}  // namespace
}  // namespace ferry::inspect_print_test
