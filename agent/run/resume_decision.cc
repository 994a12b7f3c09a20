#include "agent/run/resume_decision.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <vector>

#include "loaders/unit_mark.h"

namespace ferry {

Status DecideResume(const MigrateOptions& options, RunInfo* run, Loader* loader,
                    RunReport* report) {
  std::optional<RunRecord> interrupted;
  FERRY_RETURN_IF_ERROR(loader->FindInterruptedRun(run->arguments, &interrupted));
  if (!interrupted || options.restart) {
    if (interrupted) {
      spdlog::warn("--restart: not resuming the interrupted run {}; it is recorded as abandoned",
                   interrupted->run_id);
      run->supersedes = interrupted->run_id;
    }
    return Status::OK();
  }
  if (interrupted->fingerprint != run->fingerprint) {
    return Status::InvalidArgument(fmt::format(
        "run {} with these arguments was interrupted (started {} on {}), and the sources "
        "changed since: its checkpoints no longer describe them. Run again with --restart to "
        "load them afresh; rows it loaded are matched through the id map, none is written "
        "twice",
        interrupted->run_id, interrupted->started_at, interrupted->host));
  }
  report->resumed_from = interrupted->run_id;
  report->run_id = interrupted->run_id;
  std::vector<CheckpointRecord> checkpoints;
  FERRY_RETURN_IF_ERROR(loader->ListCheckpoints(interrupted->run_id, &checkpoints));
  for (const CheckpointRecord& c : checkpoints) {
    if (c.entity != kUnitDoneEntity) report->resumed_committed[c.entity] += c.position;
  }
  spdlog::info("resuming the interrupted run {}", interrupted->run_id);
  return Status::OK();
}

}  // namespace ferry
