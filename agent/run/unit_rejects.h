// What a unit loaded whole but for rejects the source and settings decided leaves beside its
// mark (loaders/unit_mark.h, WriteBatch::unit_rejects): its records read and valid per entity
// and each reject as the reject file says it, so that a rerun over the same bytes and settings
// (the mark's digest) gives them back without reading, parsing or validating the unit again
// (docs/reliability.md, "Rerun over an unchanged source").
//
// The body is JSON: {"file":F,"entities":[[name,read,valid],...],"rejects":[[user,entity,
// file,offset,line,column,origin,key,index,pointer,schema_location,reason,value|null],...]}.
// A reject holds what its line in the reject file holds (docs/security.md: a value only when
// short, scalar and of a field that is not sensitive), nothing more.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "transformers/reject.h"

namespace ferry {

// The most a body may hold: a unit whose rejects take more is not kept (a rerun reads it).
inline constexpr size_t kMaxUnitRejectsBytes = size_t{1} << 20;

struct UnitRejects {
  struct Counts {
    std::string entity;
    int64_t read = 0;
    int64_t valid = 0;
  };
  // The file the unit's entries came from, as the run was given it: a rerun that names it
  // otherwise reads the unit (its reject lines name the file).
  std::string file;
  std::vector<Counts> entities;
  std::vector<std::pair<std::string, Reject>> rejects;  // (user, reject), in the order met
};

std::string EncodeUnitRejects(const UnitRejects& kept);
// InvalidArgument when `body` is not one EncodeUnitRejects wrote.
Result<UnitRejects> DecodeUnitRejects(std::string_view body);

}  // namespace ferry
