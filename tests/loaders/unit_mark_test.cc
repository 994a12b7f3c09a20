// The two kinds of unit mark (loaders/unit_mark.h): a count of rejects reads back from the
// position with the same digest, and not with another.
#include "loaders/unit_mark.h"

#include <catch2/catch.hpp>

namespace ferry::unit_mark_test {

TEST_CASE("unit mark: the rejects' count reads back with its digest only", "[unit_mark]") {
  for (int64_t digest : {int64_t{0}, int64_t{-1}, int64_t{0x123456789abcdef}, INT64_MIN}) {
    INFO(digest);
    CHECK(MarkPosition(digest, 0) == digest);  // the first kind: the digest itself
    for (int64_t rejects : {int64_t{0}, int64_t{1}, int64_t{12}, kMaxMarkedRejects}) {
      CHECK(MarkedRejects(digest, MarkPosition(digest, rejects)) == rejects);
      // A digest one apart (a changed byte changes it) reads no count of this mark.
      CHECK(MarkedRejects(digest + 1, MarkPosition(digest, rejects)) == std::nullopt);
      CHECK(MarkedRejects(digest ^ 0x100, MarkPosition(digest, rejects)) == std::nullopt);
    }
    CHECK(MarkedRejects(digest, MarkPosition(digest, kMaxMarkedRejects + 1)) == std::nullopt);
  }
}

}  // namespace ferry::unit_mark_test
