// ParseFaultSpec: what FERRY_FAULT accepts. The kill itself is tested on the real binary
// (tests/e2e/fault_injection_test.cc: every point, its stderr line and the exit by SIGKILL).
#include "base/fault_point.h"

#include <catch2/catch.hpp>

namespace ferry::fault_point_test {

TEST_CASE("ParseFaultSpec: NAME:N with N from 1", "[base][fault]") {
  std::optional<FaultSpec> spec = ParseFaultSpec("pg.copy.mid:3");
  REQUIRE(spec);
  CHECK(spec->name == "pg.copy.mid");
  CHECK(spec->pass == 3);
  spec = ParseFaultSpec("a:b:12");  // the last colon splits: a name may hold one
  REQUIRE(spec);
  CHECK(spec->name == "a:b");
  CHECK(spec->pass == 12);
}

TEST_CASE("ParseFaultSpec: anything else arms nothing", "[base][fault]") {
  for (const char* text :
       {"", "pg.copy.mid", "pg.copy.mid:", ":3", "pg.copy.mid:0", "pg.copy.mid:-1",
        "pg.copy.mid:3x", "pg.copy.mid: 3", "pg.copy.mid:99999999999999999999"}) {
    INFO(text);
    CHECK_FALSE(ParseFaultSpec(text));
  }
}

}  // namespace ferry::fault_point_test
