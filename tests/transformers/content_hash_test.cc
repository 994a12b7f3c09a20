#include "transformers/content_hash.h"

#include <catch2/catch.hpp>

namespace ferry::content_hash_test {

TEST_CASE("ContentHash: equal rows hash equal, different rows differ",
          "[transformers][content_hash]") {
  Row a{{std::string("ab"), std::string("c"), int64_t{1}}};
  Row b{{std::string("a"), std::string("bc"), int64_t{1}}};
  Row c{{std::string("ab"), std::string("c"), int64_t{1}}};
  Row d{{std::string("ab"), std::string("c"), std::monostate{}}};
  CHECK(ContentHash(a) == ContentHash(c));
  CHECK(ContentHash(a) != ContentHash(b));
  CHECK(ContentHash(a) != ContentHash(d));
  CHECK(ContentHash(a).size() == 32);
  // A boolean true and an integer 1 are different values.
  CHECK(ContentHash(Row{{true}}) != ContentHash(Row{{int64_t{1}}}));
}

}  // namespace ferry::content_hash_test
