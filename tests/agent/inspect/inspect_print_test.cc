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

}  // namespace
}  // namespace ferry::inspect_print_test
