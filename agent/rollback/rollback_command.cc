#include "agent/rollback/rollback_command.h"

#include <iostream>
#include <memory>
#include <vector>

#include "agent/exit_codes_help.h"
#include "agent/rollback/run_rollback.h"
#include "agent/status/admin_target.h"
#include "backup/backup_store.h"
#include "base/terminal_text.h"

namespace ferry {

namespace {

constexpr char kExitCodes[] =
    "0 rolled back, or nothing to do (a run already rolled back); 1 failed; 2 usage or "
    "configuration error (no such run, no backup of it, a later run changed its rows again or "
    "loaded one of its users again, a rekey's columns written into since); "
    "4 a run holds a user's lock";

// "YYYY-MM-DDTHH:MM:SSZ" as the run history writes its times ("...SS.mmmZ"), so that the two
// compare as text; nullopt for anything else.
std::optional<std::string> NormalizedTime(const std::string& text) {
  if (text.size() == 20 && text[10] == 'T' && text[19] == 'Z') {
    return text.substr(0, 19) + ".000Z";
  }
  if (text.size() == 24 && text[10] == 'T' && text[19] == '.' && text[23] == 'Z') return text;
  return std::nullopt;
}

// The runs to roll back, newest first.
Result<std::vector<RunRecord>> ChooseRuns(const RollbackOptions& options, Loader* loader,
                                          const std::string& display) {
  if (options.run_id.empty() == options.before.empty()) {
    return Status::InvalidArgument("give --run ID or --before TIMESTAMP (one of them)");
  }
  std::vector<RunRecord> runs;  // newest first
  FERRY_RETURN_IF_ERROR(loader->ListRuns(0, &runs));
  std::vector<RunRecord> chosen;
  if (!options.run_id.empty()) {
    for (const RunRecord& run : runs) {
      if (run.run_id == options.run_id) chosen.push_back(run);
    }
    if (chosen.empty()) {
      return Status::InvalidArgument("the target " + display + " records no run " + options.run_id +
                                     " (ferry status lists them)");
    }
    return chosen;
  }
  std::optional<std::string> before = NormalizedTime(options.before);
  if (!before) {
    return Status::InvalidArgument("--before " + options.before +
                                   ": expected a UTC time as 2026-12-06T15:00:00Z");
  }
  for (const RunRecord& run : runs) {
    if (run.started_at >= *before) chosen.push_back(run);
  }
  return chosen;
}

}  // namespace

int RunRollback(const RollbackOptions& options, std::ostream& out, std::ostream& err) {
  Result<AdminTarget> target = OpenAdminTarget(options.target, /*read_only=*/options.dry_run);
  Result<std::vector<RunRecord>> runs =
      target.ok() ? ChooseRuns(options, target->loader.get(), target->display)
                  : Result<std::vector<RunRecord>>(target.status());
  if (!runs.ok()) {
    err << "ferry rollback: " << TerminalSafe(runs.status().message()) << "\n";
    return ExitCodeFor(runs.status());
  }
  if (runs->empty()) out << "no run began at or after " << TerminalSafe(options.before) << "\n";
  std::string dir = options.backup_dir.empty() ? backup::DefaultBackupDir() : options.backup_dir;
  for (const RunRecord& run : *runs) {
    Status status = RollBackRun(options, dir, run, target->loader.get(), out);
    if (!status.ok()) {
      err << "ferry rollback: run " << run.run_id << ": " << TerminalSafe(status.message()) << "\n";
      return ExitCodeFor(status);
    }
  }
  return 0;
}

void AddRollbackCommand(CLI::App& root, int* exit_code) {
  auto options = std::make_shared<RollbackOptions>();
  CLI::App* cmd = root.add_subcommand(
      "rollback",
      "Undo a run with the pre-images its backup holds: delete the rows it inserted, put back "
      "the rows it changed, its id-map rows and checkpoints, and record it as rolled_back. "
      "Refuses a run whose rows a later run changed again (or that loaded one of its users "
      "again) until that one is rolled back. "
      "Crash-safe: one transaction; run the same command again after a kill. A rekey run "
      "(docs/rekey.md) is undone by dropping the columns it added and its id-map rows");
  SetExitCodesHelp(cmd, kExitCodes);
  cmd->add_option("--target", options->target,
                  "sqlite:PATH or postgresql://...; default: $DATABASE_URL, else sqlite:ferry.db. "
                  "A password goes in PGPASSWORD or ~/.pgpass, not here: other users see "
                  "command lines");
  cmd->add_option("--run", options->run_id, "The run to roll back (ferry status lists them)");
  cmd->add_option("--before", options->before,
                  "Roll back every run begun at or after this UTC time "
                  "(2026-12-06T15:00:00Z), newest first");
  cmd->add_flag("--dry-run", options->dry_run, "Say what would be done; write nothing");
  cmd->add_option("--backup-dir", options->backup_dir,
                  "The folder of the archives; default: $XDG_DATA_HOME/ferry/backups, else "
                  "~/.local/share/ferry/backups");
  cmd->add_option("--key-file", options->key.key_file,
                  "The backup key file; default: $XDG_CONFIG_HOME/ferry/backup.key");
  cmd->add_option("--passphrase-file", options->key.passphrase_file,
                  "A file whose first line is the backup passphrase (or FERRY_BACKUP_PASSPHRASE)");
  cmd->callback(
      [options, exit_code]() { *exit_code = RunRollback(*options, std::cout, std::cerr); });
}

}  // namespace ferry
