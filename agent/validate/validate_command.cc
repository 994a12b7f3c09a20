#include "agent/validate/validate_command.h"

#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "agent/exit_codes_help.h"
#include "agent/mapping/for_sources.h"
#include "agent/mapping/loader.h"
#include "agent/run/migration.h"
#include "agent/status/admin_target.h"
#include "agent/validate/recorded_run.h"
#include "agent/validate/validation.h"

namespace ferry {

namespace {

bool Completed(const RunRecord& run) {
  return run.status == "completed" || run.status == "completed_with_rejects";
}

// The run to validate on `target`: `run_id`'s, else the newest completed one. A missing run is
// the user's to name again (InvalidArgument, exit 2).
Result<RunRecord> ChooseRun(const AdminTarget& target, const std::string& run_id) {
  std::vector<RunRecord> runs;
  FERRY_RETURN_IF_ERROR(target.loader->ListRuns(0, &runs));
  for (const RunRecord& run : runs) {
    if (run_id.empty() ? Completed(run) : run.run_id == run_id) {
      return run;
    }
  }
  return Status::InvalidArgument(run_id.empty()
                                     ? "the target " + target.display + " records no completed run"
                                     : "the target " + target.display + " records no run " +
                                           run_id + " (ferry status lists them)");
}

// How rows are compared: as merge writes them for a run that merged, else as overwrite
// does (skip keeps an existing row but writes a new one exactly as overwrite would).
ConflictPolicy ComparingPolicy(const MigrateOptions& recorded, const Mapping& mapping) {
  std::optional<ConflictPolicy> policy = recorded.conflict ? recorded.conflict : mapping.conflict;
  return policy == ConflictPolicy::kMerge ? ConflictPolicy::kMerge : ConflictPolicy::kOverwrite;
}

// The validation of `run` on `target`: the dry run's comparison, then the dangling references.
// A failure of the dry run itself comes back as its exit code in *exit_code.
Status Validate(const ValidateOptions& options, const AdminTarget& target, const RunRecord& run,
                Validation* validation, int* exit_code) {
  FERRY_ASSIGN_OR_RETURN(MigrateOptions dry_run, OptionsOfRecordedRun(run.arguments));
  FERRY_ASSIGN_OR_RETURN(Mapping mapping, LoadMappingFor(dry_run.mapping_file, dry_run.sources));
  ConflictPolicy policy = ComparingPolicy(dry_run, mapping);
  dry_run.target = options.target;
  dry_run.dry_run = true;
  dry_run.restart = true;  // never offers to resume an interrupted run: reads, never writes
  dry_run.progress = ProgressMode::kNone;
  dry_run.conflict = policy;
  // Every record is read and compared, as a run that went on through its rejects did.
  dry_run.continue_on_error = true;
  dry_run.max_reject_rate = 1.0;
  dry_run.command_line = "ferry validate";
  RunReport report = RunMigration(dry_run);
  if (report.exit_code != 0 && report.exit_code != 3) {
    *exit_code = report.exit_code;
    return Status::Internal(report.error.empty() ? report.status : report.error);
  }
  *validation = JudgeDryRun(report);
  validation->run_id = run.run_id;
  validation->compared = ConflictPolicyName(policy);
  std::set<std::string> loaded(report.entity_order.begin(), report.entity_order.end());
  return FindDangling(mapping, loaded, target.loader.get(), &validation->dangling);
}

}  // namespace

int RunValidate(const ValidateOptions& options, std::ostream& out, std::ostream& err) {
  Result<AdminTarget> target = OpenAdminTarget(options.target, /*read_only=*/true);
  Result<RunRecord> run =
      target.ok() ? ChooseRun(*target, options.run_id) : Result<RunRecord>(target.status());
  if (!run.ok()) {
    err << "ferry validate: " << run.status().message() << "\n";
    return ExitCodeFor(run.status());
  }
  Validation validation;
  int exit_code = 0;
  Status status = Validate(options, *target, *run, &validation, &exit_code);
  if (!status.ok()) {
    err << "ferry validate: run " << run->run_id << ": " << status.message() << "\n";
    return exit_code != 0 ? exit_code : ExitCodeFor(status);
  }
  PrintValidation(validation, out);
  out.flush();
  return validation.ExitCode();
}

void AddValidateCommand(CLI::App& root, int* exit_code) {
  auto options = std::make_shared<ValidateOptions>();
  CLI::App* cmd = root.add_subcommand(
      "validate",
      "Check that a run's rows are in the target as the run writes them: reads the run's "
      "sources again (its recorded arguments) and compares each valid record with its row, "
      "per entity: equal, missing, or differing (under merge, naming the fields); then lists the "
      "rows whose "
      "reference names no row of its parent table. Writes nothing");
  SetExitCodesHelp(
      cmd,
      "0 every valid record's row is there and equal, no reference dangles; 1 failed; 2 usage or "
      "configuration error (no such run, a source gone); 3 differences or "
      "dangling references, listed with examples; 4 a run holds a user's lock");
  cmd->add_option("--target", options->target,
                  "sqlite:PATH or postgresql://...; default: $DATABASE_URL, else sqlite:ferry.db. "
                  "A password goes in PGPASSWORD or ~/.pgpass, not here: other users see "
                  "command lines");
  cmd->add_option("--run", options->run_id,
                  "The run to validate (ferry status lists them); default: the newest completed "
                  "run");
  cmd->callback(
      [options, exit_code]() { *exit_code = RunValidate(*options, std::cout, std::cerr); });
}

}  // namespace ferry
