// The mark of a unit loaded whole: a checkpoint of the pseudo-entity kUnitDoneEntity, its
// position the unit's digest (agent/run/unit_digest.h), written as an empty batch (no rows,
// only the checkpoint) once every entity of the unit committed. A rerun that computes the same
// digest skips the unit.
//
// No mapping entity can be named so: entity names hold no control character
// (agent/mapping/names.h). `schema down` forgets the marks with a table's id map, so that the
// units are loaded again.
#pragma once

namespace ferry {

inline constexpr char kUnitDoneEntity[] = "\x01unit";

}  // namespace ferry
