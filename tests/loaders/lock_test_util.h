// Helpers for the lock and run-history tests of both targets: a pid that no process has, and
// this machine's identity as the loaders record it. Header-only: only *_test.cc files are
// built into the test binary.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdint>

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

}  // namespace ferry::lock_testing
