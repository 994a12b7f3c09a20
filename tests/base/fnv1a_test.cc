// Fnv1a64: the published FNV-1a 64 test vectors, and feeding in pieces.
#include "base/fnv1a.h"

#include <catch2/catch.hpp>

namespace ferry::fnv1a_test {

TEST_CASE("Fnv1a64: the published test vectors", "[base][fnv1a]") {
  CHECK(Fnv1a64().Hex() == "cbf29ce484222325");  // the offset basis: nothing fed
  Fnv1a64 a;
  a.Add("a");
  CHECK(a.Hex() == "af63dc4c8601ec8c");
  Fnv1a64 foobar;
  foobar.Add("foobar");
  CHECK(foobar.Hex() == "85944171f73967e8");
  CHECK(foobar.value() == 0x85944171f73967e8ull);
}

TEST_CASE("Fnv1a64: pieces hash as their concatenation, and bytes above 0x7f count",
          "[base][fnv1a]") {
  Fnv1a64 whole;
  whole.Add("CREATE TABLE x");
  Fnv1a64 pieces;
  pieces.Add("CREATE ");
  pieces.Add("");
  pieces.Add("TABLE x");
  CHECK(whole.Hex() == pieces.Hex());
  Fnv1a64 high;
  high.Add("\xc3\xa9");
  Fnv1a64 other;
  other.Add("\x43\x29");  // the same bytes without their top bit
  CHECK(high.Hex() != other.Hex());
}

}  // namespace ferry::fnv1a_test
