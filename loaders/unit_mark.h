// The mark of a unit loaded whole: a checkpoint of the pseudo-entity kUnitDoneEntity, written
// as an empty batch (no rows, only the checkpoint) once every entity of the unit committed. A
// rerun that computes the same digest (agent/run/unit_digest.h) finds what the mark says.
//
// Two kinds, told apart by the position:
// - the unit's digest: loaded whole, without a reject. A rerun skips the unit.
// - MarkPosition(digest, N), 1 <= N <= kMaxMarkedRejects: loaded whole but for N rejects, each
//   decided by the source and the settings alone (the digest covers both), none by the target.
//   A rerun reads and checks the unit again (its rejects go to that run's reject file) and,
//   when it meets the same N, passes every valid record over without a lookup or a write.
// The position of the second kind is the digest plus N steps of an odd constant (mod 2^64):
// from a digest, MarkedRejects reads N back; the mark of another digest reads back as a count
// outside [0, kMaxMarkedRejects] but for a chance of about kMaxMarkedRejects in 2^64, and even
// then the rerun loads the unit unless it meets exactly that many rejects.
//
// No mapping entity can be named so: entity names hold no control character
// (agent/mapping/names.h). `schema down` forgets the marks with a table's id map, so that the
// units are loaded again.
#pragma once

#include <cstdint>
#include <optional>

namespace ferry {

inline constexpr char kUnitDoneEntity[] = "\x01unit";

// The most rejects a mark of the second kind holds: the rerun that checks the unit holds its
// rejects until it has met them all (about 0.5 KiB each), so a unit with more is not marked.
inline constexpr int64_t kMaxMarkedRejects = 10000;

namespace unit_mark_internal {
inline constexpr uint64_t kStep = 0x9E3779B97F4A7C15ull;  // odd: invertible mod 2^64
constexpr uint64_t Inverse(uint64_t odd) {
  uint64_t x = odd;  // Newton's iteration doubles the correct low bits each step
  for (int i = 0; i < 6; ++i) x *= 2 - odd * x;
  return x;
}
inline constexpr uint64_t kStepInverse = Inverse(kStep);
static_assert(kStep * kStepInverse == 1);
}  // namespace unit_mark_internal

// The position of the mark of a unit of `digest` loaded whole but for `rejects` rejects (0: the
// digest itself).
constexpr int64_t MarkPosition(int64_t digest, int64_t rejects) {
  return static_cast<int64_t>(static_cast<uint64_t>(digest) +
                              static_cast<uint64_t>(rejects) * unit_mark_internal::kStep);
}

// The rejects the mark at `position` says a unit of `digest` had (0: none), or nullopt when it
// is not a mark of that digest.
constexpr std::optional<int64_t> MarkedRejects(int64_t digest, int64_t position) {
  uint64_t steps = (static_cast<uint64_t>(position) - static_cast<uint64_t>(digest)) *
                   unit_mark_internal::kStepInverse;
  if (steps > static_cast<uint64_t>(kMaxMarkedRejects)) return std::nullopt;
  return static_cast<int64_t>(steps);
}

}  // namespace ferry
