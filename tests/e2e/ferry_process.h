// FerryProcess: the real ferry binary started in the background, for tests that act on a run
// while it goes (kill -9 it, stop and continue it, cut its connection, restart its server).
// Its stdout and stderr go to files, read when it has ended.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "tests/e2e/e2e_util.h"

namespace ferry::e2e {

class FerryProcess {
 public:
  // Starts `ferry ARGS...` with the test's environment plus `env` (which overrides it).
  explicit FerryProcess(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& env = {});
  // Kills (SIGKILL) and reaps a process still running.
  ~FerryProcess();
  FerryProcess(const FerryProcess&) = delete;
  FerryProcess& operator=(const FerryProcess&) = delete;

  pid_t pid() const { return pid_; }

  // True while the process has not ended (reaps it when it has).
  bool Running();

  // Sends `signal` to the process (nothing when it has ended).
  void Signal(int signal);

  // Waits until the process is stopped (SIGSTOP, or FERRY_FAULT_SIGNAL=STOP at a fault point:
  // base/fault_point.h); false when it ended first or 60 s passed.
  bool WaitStopped();

  // Waits for the end: its exit code, or 128 + the signal that ended it, and its output.
  CommandResult Wait();

  // The signal that ended it, 0 when it exited. REQUIRES: Wait() or Running() saw the end.
  int end_signal() const { return end_signal_; }

  // Time from the start to the end seen by Wait() or Running().
  std::chrono::duration<double> elapsed() const { return ended_ - started_; }

 private:
  void Reaped(int status);

  TempDir scratch_;
  pid_t pid_ = -1;
  bool ended_flag_ = false;
  int exit_code_ = -1;
  int end_signal_ = 0;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point ended_;
};

// A run's exit code, stdout and stderr, for a test's failure message.
std::string Describe(const CommandResult& run);

// Runs ferry to its end (FerryProcess, then Wait).
CommandResult RunFerryToEnd(const std::vector<std::string>& args,
                            const std::map<std::string, std::string>& env = {});

}  // namespace ferry::e2e
