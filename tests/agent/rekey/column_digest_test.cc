#include "agent/rekey/column_digest.h"

#include <catch2/catch.hpp>

namespace ferry::column_digest_test {
namespace {

TEST_CASE("FormatDigests and ParseDigests round-trip; other lines are passed over", "[rekey]") {
  std::vector<ColumnDigest> digests = {{"users", "id", "id_ulid", 3000, "00112233aabbccdd"},
                                       {"tasks", "id", "parent_id_ulid", 0, "cbf29ce484222325"}};
  std::string text = FormatDigests(digests);
  CHECK(ParseDigests(text) == digests);
  CHECK(ParseDigests("users\tid\tid_ulid\t12x\tff\nnot a digest\n\n" + text) == digests);
  CHECK(ParseDigests("").empty());
}

}  // namespace
}  // namespace ferry::column_digest_test
