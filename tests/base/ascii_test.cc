// Tests of base/ascii.h.
#include "base/ascii.h"

#include <catch2/catch.hpp>

namespace ferry::ascii_test {

TEST_CASE("HasPrefixNoCase: ASCII case is ignored in the text, not in the prefix", "[base]") {
  CHECK(HasPrefixNoCase("PostgreSQL://db/app", "postgresql://"));
  CHECK(HasPrefixNoCase("sqlite:", "sqlite:"));
  CHECK_FALSE(HasPrefixNoCase("sqlit", "sqlite:"));          // shorter than the prefix
  CHECK_FALSE(HasPrefixNoCase("postgres://x", "POSTGRES"));  // the prefix is given in lower case
  CHECK_FALSE(
      HasPrefixNoCase("\xC3\x9F"
                      "x",
                      "ss"));  // no Unicode folding
  CHECK(HasPrefixNoCase("anything", ""));
}

}  // namespace ferry::ascii_test
