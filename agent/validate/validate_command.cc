#include "agent/validate/validate_command.h"

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "agent/backup/archive_options.h"
#include "agent/exit_codes_help.h"
#include "agent/mapping/for_sources.h"
#include "agent/mapping/loader.h"
#include "agent/rekey/rekey_rollback.h"
#include "agent/report/report_files.h"
#include "agent/run/migration.h"
#include "agent/status/admin_target.h"
#include "agent/validate/archived_sources.h"
#include "agent/validate/recorded_decisions.h"
#include "agent/validate/recorded_run.h"
#include "agent/validate/rekey_validation.h"
#include "agent/validate/row_scan.h"
#include "agent/validate/validation.h"
#include "loaders/redact_url.h"
#include "loaders/rekey_lock.h"

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

// The target's rows of the run's users per entity, against the source's valid records, and
// their ULIDs (agent/validate/row_scan.h).
Status CheckRows(const Mapping& mapping, const std::set<std::string>& users, Loader* loader,
                 Validation* validation) {
  for (EntityValidation& entity : validation->entities) {
    const EntityMapping* mapped = mapping.Find(entity.entity);
    if (mapped == nullptr) continue;
    RowScan scan;
    FERRY_RETURN_IF_ERROR(ScanEntityRows(*mapped, users, loader, &scan));
    entity.target_rows = scan.rows;
    entity.extra =
        std::max<int64_t>(0, scan.rows - entity.equal - entity.differs - entity.not_compared);
    entity.ulids_checked = scan.ulids_checked;
    entity.bad_ulids = scan.bad_ulids;
    entity.ulid_times = scan.ulid_times;
    entity.ulid_examples = std::move(scan.examples);
    entity.ulids_unchecked = std::move(scan.unchecked);
  }
  return Status::OK();
}

// The validation of `run` on `target`: the dry run's comparison, the target's rows and ULIDs,
// then the dangling references. A failure of the dry run itself comes back as its exit code
// in *exit_code.
Status Validate(const ValidateOptions& options, const AdminTarget& target, const RunRecord& run,
                Validation* validation, int* exit_code) {
  FERRY_ASSIGN_OR_RETURN(MigrateOptions dry_run, OptionsOfRecordedRun(run.arguments));
  // A source gone or changed since the run: its records as the run read them, from its archive.
  ArchivedSources archived;
  if (SourcesChanged(dry_run.sources, run.fingerprint)) {
    FERRY_RETURN_IF_ERROR(archived
                              .Restore(run.run_id, options.backup_dir, options.key,
                                       backup::KeyEnvironment::Process(), &dry_run.sources)
                              .WithContext("a source has gone or changed since the run"));
  }
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
  if (dry_run.interactive) {
    // Decided record by record at a terminal: each conflict as the run's audit log says.
    FERRY_ASSIGN_OR_RETURN(dry_run.decisions,
                           RecordedDecisions::Read(target.loader.get(), run.run_id));
    dry_run.jobs = 1;
  }
  RunReport report = RunMigration(dry_run);
  if (report.exit_code != 0 && report.exit_code != 3) {
    *exit_code = report.exit_code;
    return Status::Internal(report.error.empty() ? report.status : report.error);
  }
  *validation = JudgeDryRun(report);
  validation->run_id = run.run_id;
  validation->compared = dry_run.interactive ? "interactive" : ConflictPolicyName(policy);
  if (!archived.archive_id().empty()) validation->read_from = "backup " + archived.archive_id();
  FERRY_RETURN_IF_ERROR(CheckRows(mapping, report.users, target.loader.get(), validation));
  std::set<std::string> loaded(report.entity_order.begin(), report.entity_order.end());
  return FindDangling(mapping, loaded, target.loader.get(), &validation->dangling);
}

// A rekey run (agent/validate/rekey_validation.h): refused while a rekey of the target runs
// (its columns are half filled: Locked, exit 4).
int RunValidateRekey(const ValidateOptions& options, const AdminTarget& target,
                     const RunRecord& run, std::ostream& out, std::ostream& err) {
  std::vector<LockHolder> holders;
  Status status = target.loader->ListLocks(&holders);
  for (const LockHolder& holder : holders) {
    if (status.ok() && holder.alive && holder.user_id == kRekeyLockUser) {
      status =
          Status::Locked("run " + holder.run_id + " is re-keying this target (host " + holder.host +
                         ", pid " + std::to_string(holder.pid) + "): validate once it is done");
    }
  }
  RekeyValidation validation;
  if (status.ok()) status = ValidateRekeyRun(options.target, run, &validation);
  if (status.ok()) {
    PrintRekeyValidation(validation, out);
    out.flush();
    if (!options.report.empty()) {
      status = WriteReportFile(options.report, RekeyValidationJson(validation));
    }
  }
  if (!status.ok()) {
    err << "ferry validate: run " << run.run_id << ": " << RedactUrl(status.message()) << "\n";
    return ExitCodeFor(status);
  }
  return validation.ExitCode();
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
  if (IsRekeyRun(*run)) return RunValidateRekey(options, *target, *run, out, err);
  Validation validation;
  int exit_code = 0;
  Status status = Validate(options, *target, *run, &validation, &exit_code);
  if (!status.ok()) {
    err << "ferry validate: run " << run->run_id << ": " << status.message() << "\n";
    return exit_code != 0 ? exit_code : ExitCodeFor(status);
  }
  PrintValidation(validation, out);
  out.flush();
  if (!options.report.empty()) {
    status = WriteReportFile(options.report, ValidationJson(validation));
    if (!status.ok()) {
      err << "ferry validate: " << status.message() << "\n";
      return ExitCodeFor(status);
    }
  }
  return validation.ExitCode();
}

void AddValidateCommand(CLI::App& root, int* exit_code) {
  auto options = std::make_shared<ValidateOptions>();
  CLI::App* cmd = root.add_subcommand(
      "validate",
      "Check that a run's rows are in the target as the run writes them: reads the run's "
      "sources again (its recorded arguments) and compares each valid record with its row, "
      "per entity: equal, missing, or differing (under merge, naming the fields). When a source "
      "has gone or changed since the run, reads it from the run's backup instead. Then counts "
      "the target's rows of the run's users against the source's valid records (extra rows are "
      "differences), checks every ULID is well-formed and holds its row's creation time, and "
      "lists the rows whose reference names no row of its parent table. A rekey run is checked "
      "with its plan as the rekey verifies (docs/rekey.md): every row's ULID well-formed, "
      "unique and timed by its creation, each foreign key's ULID its parent's, orphans, "
      "(hybrid) the id map; after a switch (the run's or a later one's) the same, the ULIDs in "
      "the key columns and the old keys in legacy_ ones. Writes nothing");
  SetExitCodesHelp(
      cmd,
      "0 every valid record's row is there and equal, no extra row, every ULID sound, no "
      "reference dangles; 1 failed (the run's backup damaged or the key wrong); 2 usage or "
      "configuration error (no such run; a source gone and no backup of the run found; a rekey "
      "run's plan file gone, its columns rolled back, or its keys half switched by hand); 3 "
      "differences (missing, differing or "
      "extra rows, bad ULIDs, dangling references; of a rekey run: a ULID missing, malformed, "
      "mistimed or shared, a foreign key's ULID not its parent's, an orphan, an id map that "
      "disagrees), listed with examples; 4 a run holds a user's lock, or a rekey of the target "
      "runs");
  cmd->add_option("--target", options->target,
                  "sqlite:PATH or postgresql://...; default: $DATABASE_URL, else sqlite:ferry.db. "
                  "A password goes in PGPASSWORD or ~/.pgpass, not here: other users see "
                  "command lines");
  cmd->add_option("--run", options->run_id,
                  "The run to validate (ferry status lists them); default: the newest completed "
                  "run");
  cmd->add_option("--report", options->report,
                  "Also write the validation as JSON to this file (0600): per entity the "
                  "counts, the ULIDs checked and the examples, names and keys only");
  // A source gone or changed since the run is read from the run's archive: found by run id in
  // the backup folder, opened with the key the archive asks for.
  AddArchiveOptions(cmd, &options->backup_dir, &options->key);
  cmd->callback(
      [options, exit_code]() { *exit_code = RunValidate(*options, std::cout, std::cerr); });
}

}  // namespace ferry
