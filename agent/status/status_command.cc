#include "agent/status/status_command.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>

#include "agent/exit_codes_help.h"
#include "agent/status/admin_target.h"
#include "agent/status/status_print.h"
#include "loaders/unit_mark.h"

namespace ferry {

namespace {

Status Gather(const StatusOptions& options, StatusSnapshot* snapshot) {
  FERRY_ASSIGN_OR_RETURN(AdminTarget target, OpenAdminTarget(options.target, /*read_only=*/true));
  snapshot->target = target.display;
  std::vector<RunRecord> runs;
  FERRY_RETURN_IF_ERROR(target.loader->ListRuns(options.limit, &runs));
  FERRY_RETURN_IF_ERROR(target.loader->ListLocks(&snapshot->locks));
  std::vector<CheckpointRecord> checkpoints;
  FERRY_RETURN_IF_ERROR(target.loader->ListCheckpoints("", &checkpoints));
  std::map<std::string, std::vector<CheckpointRecord>> by_run;
  for (CheckpointRecord& checkpoint : checkpoints) {
    // A unit's loaded-whole mark (loaders/unit_mark.h) is no position to resume from.
    if (checkpoint.entity == kUnitDoneEntity) continue;
    by_run[checkpoint.run_id].push_back(std::move(checkpoint));
  }
  for (RunRecord& run : runs) {
    RunStatusEntry entry;
    entry.checkpoints = std::move(by_run[run.run_id]);
    if (run.archive.empty()) {
      std::vector<std::string> said;
      FERRY_RETURN_IF_ERROR(target.loader->ListAuditDetails(run.run_id, kNoBackupAction, &said));
      entry.wrote_nothing = !said.empty();
    }
    entry.run = std::move(run);
    snapshot->runs.push_back(std::move(entry));
  }
  int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  DeriveProgress(snapshot, now_ms);
  return Status::OK();
}

}  // namespace

int RunStatus(const StatusOptions& options, std::ostream& out, std::ostream& err) {
  StatusSnapshot snapshot;
  Status status = Gather(options, &snapshot);
  if (!status.ok()) {
    err << "ferry status: " << status.ToString() << "\n";
    return ExitCodeFor(status);
  }
  if (options.json) {
    out << StatusJson(snapshot, options.verbose) << "\n";
  } else {
    PrintStatusText(snapshot, options.verbose, out);
  }
  out.flush();
  return 0;
}

void AddStatusCommand(CLI::App& root, int* exit_code) {
  auto options = std::make_shared<StatusOptions>();
  CLI::App* cmd = root.add_subcommand(
      "status",
      "Show the target's runs, newest first, one a line with its run ID first: state "
      "(running, completed, completed_with_rejects, failed, stopped, or interrupted: recorded "
      "as running but its process is gone; abandoned: an interrupted run --restart replaced), "
      "start and end, records committed so far (running "
      "and interrupted runs), counts (read, inserted, updated, skipped, rejected) and "
      "host:pid; then who holds the per-user locks. Reads only. Exit 0 done, 1 failed, "
      "2 usage");
  SetExitCodesHelp(cmd, "0 done; 1 failed; 2 usage or configuration error");
  cmd->add_option("--target", options->target,
                  "sqlite:PATH or postgresql://...; default: $DATABASE_URL, else sqlite:ferry.db. "
                  "A password goes in PGPASSWORD or ~/.pgpass, not here: other users see "
                  "command lines");
  cmd->add_flag("--verbose,-v", options->verbose,
                "Also each run's arguments, source fingerprint, why it failed or stopped "
                "(secrets removed), checkpoints per (user, entity, unit), and which run `ferry "
                "migrate` with the same arguments would resume");
  cmd->add_flag("--json", options->json,
                "One JSON document: {\"target\", \"runs\": [...], \"locks\": [...]}");
  cmd->add_option("--limit", options->limit, "Show the newest N runs; 0 shows all")
      ->default_val(20)
      ->check(CLI::NonNegativeNumber);
  cmd->callback([options, exit_code]() { *exit_code = RunStatus(*options, std::cout, std::cerr); });
}

}  // namespace ferry
