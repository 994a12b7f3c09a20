// Helpers for the lock and run-history tests of both targets: a pid that no process has, and
// the checks both targets must pass alike. Header-only: only *_test.cc files are
// built into the test binary.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "loaders/loader.h"
#include "loaders/process_identity.h"

namespace ferry::lock_testing {

// The pid of a child that has exited and been reaped: no process has it (until the kernel
// hands it out again, which takes a wrap-around of the pid space).
inline int64_t DeadPid() {
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(ProcessGone(child));
  return child;
}

// Both targets alike: `first` takes user u1's lock (again: fine), `second` is then refused
// (Locked, exit 4) by a message naming the user, the target (`target_text`), the holder's run
// RUN_A, this host and pid, since when, and the way out.
inline void CheckSecondLoaderLocked(Loader& first, Loader& second, const std::string& target_text) {
  REQUIRE(first.LockUser("u1").ok());
  CHECK(first.LockUser("u1").ok());  // held already by this loader: fine

  Status refused = second.LockUser("u1");
  INFO(refused.ToString());
  REQUIRE(refused.IsLocked());
  CHECK(ExitCodeFor(refused) == 4);
  CHECK_THAT(refused.message(),
             Catch::Contains("user u1") && Catch::Contains(target_text) &&
                 Catch::Contains("run RUN_A") && Catch::Contains("host " + ThisHost()) &&
                 Catch::Contains("pid " + std::to_string(ThisPid())) &&
                 Catch::Contains("since 20") && Catch::Contains("ferry unlock --force"));
}

// Both targets alike: user u1's checkpoint of entity "tasks" in unit "dump.json" is run
// `run_id`'s at `position`, read alone and listed as the run's only one; no other unit's is.
// Returns the listed record (for the target's own checks).
inline CheckpointRecord CheckOneCheckpoint(Loader& loader, const std::string& run_id,
                                           int64_t position) {
  std::optional<StoredCheckpoint> stored;
  REQUIRE(loader.ReadCheckpoint("u1", "tasks", "dump.json", &stored).ok());
  REQUIRE(stored.has_value());
  CHECK(stored->run_id == run_id);
  CHECK(stored->position == position);
  REQUIRE(loader.ReadCheckpoint("u1", "tasks", "other.json", &stored).ok());
  CHECK_FALSE(stored.has_value());

  std::vector<CheckpointRecord> checkpoints;
  REQUIRE(loader.ListCheckpoints(run_id, &checkpoints).ok());
  REQUIRE(checkpoints.size() == 1);
  CHECK(checkpoints[0].user_id == "u1");
  CHECK(checkpoints[0].entity == "tasks");
  CHECK(checkpoints[0].unit == "dump.json");
  CHECK(checkpoints[0].position == position);
  CHECK_FALSE(checkpoints[0].updated_at.empty());
  return checkpoints[0];
}

}  // namespace ferry::lock_testing
