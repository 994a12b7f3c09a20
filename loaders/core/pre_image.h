// Pre-images: what a batch is about to change, recorded before it commits so that `ferry
// rollback` can put it back (docs/formats/backup.md, "Pre-image records").
//
// One record per target row, id-map row and checkpoint a batch writes. Each says what was
// there before the batch: the whole row, or that there was none (the batch inserts it; the
// rollback deletes it). The encoding is binary, little-endian, every string length-prefixed:
//
//   record     := u8 version (1) | u8 kind | body
//   row        := str table | cells key | u8 present | [cells row]
//   identity   := str user | str entity | str legacy id | u8 present | [str ulid | str hash
//                 | str run id]
//   checkpoint := str user | str entity | str unit | u8 present | [i64 position | str run id]
//   cells      := u16 n | n * cell
//   cell       := u8 tag (0 null, 1 text, 2 integer, 3 real, 4 boolean) | value
//                 (text: str; integer: i64; real: f64 bits as u64; boolean: u8)
//   str        := u32 length | bytes
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/row.h"

namespace ferry {

struct PreImage {
  enum class Kind : uint8_t { kRow = 1, kIdentity = 2, kCheckpoint = 3 };
  Kind kind = Kind::kRow;
  bool present = false;  // false: nothing was there (the batch inserted it)

  // kRow: the mapping table, the row's primary-key cells (primary_key order) and, when
  // present, every cell in the table's column order.
  std::string table;
  Row key;
  Row row;

  // kIdentity: (user, entity, legacy id) and what the id map held. kCheckpoint: (user,
  // entity, unit) and where it was.
  std::string user_id;
  std::string entity;
  std::string legacy_id;  // kIdentity
  std::string unit;       // kCheckpoint
  std::string ulid;
  std::string content_hash;
  int64_t position = 0;
  std::string run_id;  // the run that wrote what was there

  // What rollback groups records by: equal for two records of the same row (kind included).
  std::string Address() const;
};

// The record's bytes.
std::string EncodePreImage(const PreImage& image);

// The record `bytes` holds; Corruption naming what is wrong when they are not one.
Result<PreImage> DecodePreImage(std::string_view bytes);

}  // namespace ferry
