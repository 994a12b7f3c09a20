#include "agent/run/migrate_command.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <memory>

#include "agent/exit_codes_help.h"
#include "agent/max_value_option.h"
#include "agent/outside_sources.h"
#include "agent/report/html_report.h"
#include "agent/report/report_files.h"
#include "agent/run/interactive_conflicts.h"
#include "agent/run/migration.h"
#include "agent/run/output_paths.h"
#include "agent/run/stop_signal.h"
#include "base/terminal_caps.h"
#include "extractors/registry.h"
#include "loaders/registry.h"

namespace ferry {

namespace {

struct MigrateFlags {
  MigrateOptions options;
  std::string conflict;
  std::string progress = "auto";
  std::string include;
  std::string exclude;
  std::vector<std::string> reports;   // --report, repeatable: one JSON, one HTML
  CLI::Option* batch_size = nullptr;  // not given: the target's default
};

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// Every file migrate may write (the report, the reject file, a SQLite target) is outside every
// source: exit 2 before anything is written (docs/security.md).
Status CheckOutputsOutsideSources(const MigrateOptions& o) {
  std::vector<SourceSpec> specs;
  for (const std::string& source : o.sources) {
    if (Result<SourceSpec> spec = ResolveSource(source); spec.ok()) {
      specs.push_back(*std::move(spec));
    }
  }
  for (const std::string* report : {&o.report_file, &o.report_html_file}) {
    if (!report->empty()) FERRY_RETURN_IF_ERROR(CheckOutsideSources("--report", *report, specs));
  }
  // The default reject file goes to the current folder, which may be inside a source.
  FERRY_RETURN_IF_ERROR(CheckOutsideSources(
      o.rejects_file.empty() ? "the default reject file (in the current folder; give --rejects)"
                             : "--rejects",
      o.rejects_file.empty() ? "ferry-rejects-RUN.ndjson" : o.rejects_file, specs));
  if (Result<TargetSpec> target = ResolveTarget(o.target); target.ok() && !target->path.empty()) {
    FERRY_RETURN_IF_ERROR(CheckOutsideSources("the SQLite target", target->path, specs));
  }
  return Status::OK();
}

Status Finish(MigrateFlags& flags) {
  MigrateOptions& o = flags.options;
  if (flags.conflict == "interactive") {
    // Refused before anything is read: there is no one to ask.
    if (!StdinIsTerminal()) {
      return Status::InvalidArgument(
          "--conflict interactive needs a terminal on standard input to ask at; give skip, "
          "overwrite or merge");
    }
    if (o.jobs > 1) {
      return Status::InvalidArgument("--conflict interactive loads one user at a time: no --jobs");
    }
    o.interactive = true;
    o.jobs = 1;
    o.conflict = ConflictPolicy::kOverwrite;  // rows read whole; each conflict is asked
  } else if (!flags.conflict.empty()) {
    o.conflict = ParseConflictPolicy(flags.conflict);
    if (!o.conflict) {
      return Status::InvalidArgument(fmt::format(
          "--conflict {}: expected skip, overwrite, merge or interactive", flags.conflict));
    }
  }
  FERRY_ASSIGN_OR_RETURN(o.progress, ParseProgressMode(flags.progress));
  if (flags.batch_size != nullptr && flags.batch_size->count() == 0) {
    Result<TargetSpec> target = ResolveTarget(o.target);  // an error is reported later
    o.batch_size = DefaultBatchSize(target.ok() ? target->kind : "");
  }
  FERRY_ASSIGN_OR_RETURN(ReportFiles reports, SortReportFiles(flags.reports));
  o.report_file = reports.json;
  o.report_html_file = reports.html;
  // The JSON file is checked by the run, with the reject file; the page here, as early.
  FERRY_RETURN_IF_ERROR(CheckOutputFile("--report", o.report_html_file));
  o.include = SplitList(flags.include);
  o.exclude = SplitList(flags.exclude);
  if (!o.user_id.empty() && !o.user_id_from.empty()) {
    return Status::InvalidArgument("--user-id and --user-id-from exclude each other");
  }
  if (!o.user_id_from.empty() && o.user_id_from != "filename" &&
      o.user_id_from.rfind("key:", 0) != 0) {
    return Status::InvalidArgument(
        fmt::format("--user-id-from {}: expected filename or key:NAME", o.user_id_from));
  }
  if (o.user_id_from == "key:") {
    return Status::InvalidArgument("--user-id-from key:NAME needs a key name");
  }
  return CheckOutputsOutsideSources(o);
}

int Run(MigrateFlags& flags) {
  Status status = Finish(flags);
  if (!status.ok()) {
    std::cerr << "ferry migrate: " << status.message() << "\n";
    return ExitCodeFor(status);
  }
  ScopedStopSignals stop_at_batch_boundary;
  RunReport report = RunMigration(flags.options);
  report.PrintSummary(std::cout, TerminalColumns(STDOUT_FILENO));
  if (!report.error.empty()) {
    std::cerr << "ferry migrate: " << report.error << "\n";
  }
  if (report.resumable) {
    std::cerr << "ferry migrate: the same command resumes run " << report.run_id
              << ": batches already committed are not written again\n";
  }
  if (!flags.options.report_file.empty()) {
    // Whole or not at all, 0600 (agent/report/report_files.h): a full disk leaves no half
    // report, and the error names the file and the cause.
    Status written = WriteReportFile(flags.options.report_file, report.ToJson() + "\n");
    if (!written.ok()) {
      std::cerr << "ferry migrate: cannot write the report: " << written.message() << "\n";
      return report.exit_code == 0 ? 1 : report.exit_code;
    }
  }
  if (!flags.options.report_html_file.empty()) {
    Status written = WriteReportFile(flags.options.report_html_file, RenderHtmlReport(report));
    if (!written.ok()) {
      std::cerr << "ferry migrate: cannot write the HTML report: " << written.message() << "\n";
      return report.exit_code == 0 ? 1 : report.exit_code;
    }
  }
  return report.exit_code;
}

}  // namespace

void AddMigrateCommand(CLI::App& root, int* exit_code) {
  auto flags = std::make_shared<MigrateFlags>();
  MigrateOptions& o = flags->options;
  CLI::App* cmd = root.add_subcommand(
      "migrate", "Load sources into the target: validate, map, give ULIDs, upsert");
  SetExitCodesHelp(cmd,
                   "0 done; 1 failed or stopped (nothing half-written: the same command "
                   "resumes); 2 usage or configuration error, before anything is written; 3 "
                   "done with rejected records (a dry run too: it reads every record and counts "
                   "every reject); 4 another run holds a user's lock; 130/143 stopped by "
                   "SIGINT/SIGTERM, resumable");
  cmd->add_option("sources", o.sources,
                  "Stores, dumps, record files or an app's database (kind detected, or "
                  "prefixed: dump:, json:, ndjson:, sqlite:; a PostgreSQL database as its "
                  "postgresql:// URL, read-only); a folder of dumps is one source, one user per "
                  "file")
      ->required();
  cmd->add_option("--target", o.target,
                  "sqlite:PATH or postgresql://...; default: $DATABASE_URL, else sqlite:ferry.db. "
                  "A password goes in PGPASSWORD or ~/.pgpass, not here: other users see "
                  "command lines");
  cmd->add_option("--mapping", o.mapping_file,
                  "Mapping file (YAML); default: for a database source the mapping proposed "
                  "from its catalog (inspect --propose-mapping), else the bundled taskapp "
                  "mapping");
  cmd->add_option("--user-id", o.user_id,
                  "The user every record belongs to; refused (exit 2) over several whole "
                  "stores (a folder of dumps, two dumps, a browser's several profiles): use "
                  "--user-id-from there. Any number of json/ndjson record files is fine");
  cmd->add_option("--user-id-from", o.user_id_from,
                  "Where each unit's user id comes from: filename (user-17.json -> user-17; "
                  "two files naming one user are refused) or key:NAME (the value of key NAME; "
                  "a unit where it is missing, empty or null is refused, units naming one user "
                  "load as that user, one after the other)");
  cmd->add_option("--origin", o.origins,
                  "Only this origin (repeatable; with or without its scheme); one that matches "
                  "nothing is exit 2, listing the sources' origins");
  AddMaxValueBytesOption(cmd, &o.max_value_bytes);
  cmd->add_flag("--dry-run", o.dry_run,
                "Read the target and report what would be inserted, updated, skipped and "
                "rejected; write nothing");
  cmd->add_option("--conflict", flags->conflict,
                  "When a row exists: skip (keep it), overwrite (replace it), merge (newer "
                  "field wins) or interactive (asked at the terminal for each: s/o/m, S/O/M for "
                  "the rest of the entity, q stops resumable; each decision goes to the audit log "
                  "and the report, and validate checks each row by it); default: the mapping's, "
                  "else skip. "
                  "Decided against the row in "
                  "the target: one already equal is counted unchanged, a deleted one is written "
                  "again, one under a unique key of the mapping is adopted (docs/mapping.md)")
      ->type_name("skip|overwrite|merge|interactive");
  cmd->add_flag("--continue-on-error", o.continue_on_error,
                "Write rejects to the reject file and go on, until --max-reject-rate");
  cmd->add_option(
         "--max-reject-rate", o.max_reject_rate,
         "With --continue-on-error: stop when more than this fraction of the run's records "
         "(all users together under --jobs; once 100 are read) is rejected, and roll the run "
         "back with its backup's pre-images (the report says so)")
      ->default_val(0.1);
  flags->batch_size =
      cmd->add_option("--batch-size", o.batch_size,
                      "Rows per transaction; default: 5000 for PostgreSQL, 1000 for SQLite");
  cmd->add_option("--include", flags->include,
                  "Only these entities (comma-separated); leaving none the sources hold is "
                  "exit 2, listing theirs (so are sources whose keys the mapping leaves all "
                  "unmapped)");
  cmd->add_option("--exclude", flags->exclude, "Not these entities (comma-separated)");
  cmd->add_flag("--strict-unicode", o.strict_unicode,
                "Reject an entry whose key or value is not well-formed UTF-16 (an unpaired "
                "surrogate, decoded as U+FFFD), and a record with such a string inside a "
                "value; without it such an entry or record is loaded and listed in the report");
  cmd->add_option("--jobs", o.jobs,
                  "Units (users) loaded at once, each by a worker with its own connection and "
                  "lock; with more than 1, one user's failure does not stop the others, and "
                  "units of one user load one after the other, but for a database's tables "
                  "into PostgreSQL: those load together where their foreign keys allow, under "
                  "the user's lock the run holds on one more connection. Default (0): for "
                  "PostgreSQL and "
                  "several units, one per core (at most 8, and within the server's free "
                  "connections less one, the lock's connection counted); else 1. The report "
                  "says how many (docs/reliability.md)")
      ->default_val(0);
  cmd->add_flag("--restart", o.restart,
                "Do not resume an interrupted run with these arguments: load afresh (rows "
                "already loaded are matched through the id map, none is written twice)");
  cmd->add_flag("--rescan", o.rescan,
                "Read every unit again, even one whose source, mapping and settings are unchanged "
                "since a run loaded it whole under the policy skip (which is skipped by "
                "default): to put back rows deleted from the target since");
  cmd->add_option("--retries", o.retries,
                  "Retries after a transient failure (dropped connection, server restart, "
                  "deadlock, serialization failure, busy database); while the target stays "
                  "unreachable, every call shares one deadline: the retries' longest waits "
                  "added up (61.75 s by default)")
      ->default_val(8);
  cmd->add_option("--retry-max-wait", o.retry_max_wait_s,
                  "Longest wait between retries, in seconds (the waits double from 0.25 s, "
                  "with jitter)")
      ->default_val(30);
  cmd->add_option("--report", flags->reports,
                  "Also write the report to FILE: as JSON, or as one self-contained HTML page "
                  "when FILE ends in .html (bars per entity, rejects by reason, conflicts; it "
                  "loads nothing); may be given twice, once for each. Created 0600, never inside "
                  "a source; its folder is checked before anything is written: exit 2")
      ->allow_extra_args(false);
  cmd->add_option("--rejects", o.rejects_file,
                  "Reject file (NDJSON, created 0600, never inside a source); default: "
                  "ferry-rejects-<run>.ndjson, created only when something is rejected (a dry run "
                  "writes one only when asked); its folder is checked before anything is written "
                  "(exit 2)");
  cmd->add_flag("--no-backup", o.no_backup,
                "Make no backup of the sources before writing (the report says so). Without "
                "it, each run first writes an encrypted archive of its sources and verifies it "
                "(README \"The way back\"; ferry backup list/restore); the key is as for "
                "ferry backup: FERRY_BACKUP_KEY, FERRY_BACKUP_PASSPHRASE, the key file, a "
                "prompt on a terminal, else a new key file");
  cmd->add_option("--backup-dir", o.backup_dir,
                  "Where the backup goes; default: $XDG_DATA_HOME/ferry/backups, else "
                  "~/.local/share/ferry/backups");
  cmd->add_option(
         "--progress", flags->progress,
         "auto (a bar on a terminal, fitted to its width), bar (off a terminal: a plain line "
         "every 5 s), json (lines on stderr) or none. The log's colour follows NO_COLOR")
      ->type_name("auto|bar|json|none")
      ->default_val("auto");
  cmd->callback([flags, exit_code, &root]() {
    flags->options.command_line = "ferry migrate";  // the flags may hold secrets: not recorded
    (void)root;
    *exit_code = Run(*flags);
  });
}

}  // namespace ferry
