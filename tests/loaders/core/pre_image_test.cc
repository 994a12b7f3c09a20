#include "loaders/core/pre_image.h"

#include <catch2/catch.hpp>
#include <string>

namespace ferry::pre_image_test {
namespace {

TEST_CASE("PreImage: every kind and every cell type round-trips", "[loaders][core][rollback]") {
  PreImage row;
  row.kind = PreImage::Kind::kRow;
  row.table = "tasks";
  row.present = true;
  row.key.cells = {std::string("01ARZ3NDEKTSV4RRFFQ69G5FAV")};
  row.row.cells = {std::string("01ARZ3NDEKTSV4RRFFQ69G5FAV"),
                   int64_t{-7},
                   2.5,
                   true,
                   Cell(),
                   std::string("with\0nul", 8)};
  Result<PreImage> back = DecodePreImage(EncodePreImage(row));
  REQUIRE(back.ok());
  CHECK(back->present);
  CHECK(back->table == "tasks");
  CHECK(back->row.cells == row.row.cells);
  CHECK(back->Address() == row.Address());

  PreImage identity;
  identity.kind = PreImage::Kind::kIdentity;
  identity.user_id = "u";
  identity.entity = "tasks";
  identity.legacy_id = "42";
  identity.present = true;
  identity.ulid = "U";
  identity.content_hash = "H";
  identity.run_id = "R0";
  back = DecodePreImage(EncodePreImage(identity));
  REQUIRE(back.ok());
  CHECK(back->run_id == "R0");
  CHECK(back->content_hash == "H");

  PreImage checkpoint;
  checkpoint.kind = PreImage::Kind::kCheckpoint;
  checkpoint.user_id = "u";
  checkpoint.entity = "tasks";
  checkpoint.unit = "file.json";
  back = DecodePreImage(EncodePreImage(checkpoint));
  REQUIRE(back.ok());
  CHECK(!back->present);
  CHECK(back->unit == "file.json");
  CHECK(back->Address() != identity.Address());
}

TEST_CASE("PreImage: a cut, padded or unknown record is Corruption", "[loaders][core][hostile]") {
  PreImage row;
  row.table = "tasks";
  row.key.cells = {int64_t{1}};
  std::string bytes = EncodePreImage(row);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    CHECK(DecodePreImage(bytes.substr(0, cut)).status().IsCorruption());
  }
  CHECK(DecodePreImage(bytes + "x").status().IsCorruption());
  std::string other_version = bytes;
  other_version[0] = 9;
  CHECK(DecodePreImage(other_version).status().IsCorruption());
  std::string other_kind = bytes;
  other_kind[1] = 9;
  CHECK(DecodePreImage(other_kind).status().IsCorruption());
}

}  // namespace
}  // namespace ferry::pre_image_test
