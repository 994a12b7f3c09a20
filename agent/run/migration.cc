#include "agent/run/migration.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <functional>
#include <optional>
#include <thread>

#include "agent/mapping/for_sources.h"
#include "agent/mapping/loader.h"
#include "agent/run/default_jobs.h"
#include "agent/run/field_key.h"
#include "agent/run/first_write_backup.h"
#include "agent/run/match_check.h"
#include "agent/run/memory_trim.h"
#include "agent/run/output_paths.h"
#include "agent/run/peak_memory.h"
#include "agent/run/progress.h"
#include "agent/run/reject_rollback.h"
#include "agent/run/reject_sink.h"
#include "agent/run/resume_decision.h"
#include "agent/run/retrying_loader.h"
#include "agent/run/run_arguments.h"
#include "agent/run/source_fingerprint.h"
#include "agent/run/sources_backup.h"
#include "agent/run/stop_signal.h"
#include "agent/run/unit_marks.h"
#include "agent/run/unit_pool.h"
#include "agent/run/unit_processor.h"
#include "agent/run/unit_reread.h"
#include "agent/run/user_units.h"
#include "extractors/registry.h"
#include "loaders/redact_url.h"
#include "loaders/registry.h"
#include "loaders/unit_mark.h"
#include "transformers/datetime.h"
#include "transformers/ulid.h"

namespace ferry {

namespace {

struct OpenSource {
  std::string argument;
  std::unique_ptr<Extractor> extractor;
  // Damage reported while the source was opened, before the run could take it as rejects.
  std::shared_ptr<std::vector<std::pair<Location, Status>>> early_problems;
  std::string kind;  // SourceSpec::kind
  SourceSpec spec;   // as the extractor was made, to read one of its units again
};

Status Fail(RunReport* report, const Status& status) {
  report->status = status.IsRejected() ? "stopped" : "failed";
  report->error = status.ToString();
  report->exit_code = status.IsRejected() ? 1 : ExitCodeFor(status);
  return status;
}

std::vector<const TableDef*> TablesOf(const Mapping& mapping) {
  std::vector<const TableDef*> tables;
  for (const EntityMapping& entity : mapping.entities) tables.push_back(&entity.table);
  return tables;
}

RetryPolicy RetryPolicyOf(const MigrateOptions& options) {
  RetryPolicy policy;
  policy.retries = options.retries;
  policy.max_wait =
      std::chrono::milliseconds(static_cast<int64_t>(options.retry_max_wait_s * 1000));
  policy.first_wait = std::min(policy.first_wait, policy.max_wait);
  return policy;
}

// A checked loader for `target`, retrying transient failures, with the mapping's tables ensured.
Result<std::unique_ptr<Loader>> OpenLoader(const MigrateOptions& options, const TargetSpec& target,
                                           const std::vector<const TableDef*>& tables) {
  FERRY_ASSIGN_OR_RETURN(std::unique_ptr<Loader> inner, MakeLoader(target));
  std::unique_ptr<Loader> loader = MakeRetryingLoader(std::move(inner), RetryPolicyOf(options));
  FERRY_RETURN_IF_ERROR(loader->Check(options.dry_run));
  FERRY_RETURN_IF_ERROR(loader->EnsureSchema(tables));
  return loader;
}

// Bind and init: everything that can be checked before the first record is read.
Status Prepare(const MigrateOptions& options, RunReport* report, Mapping* mapping,
               std::vector<OpenSource>* sources, TargetSpec* target,
               std::unique_ptr<Loader>* loader, RunInfo* run_out,
               std::unique_ptr<FirstWriteBackup>* backup) {
  if (options.sources.empty()) {
    return Status::InvalidArgument("no source given: ferry migrate SOURCE...");
  }
  if (options.batch_size < 1 || options.batch_size > 1000000) {
    return Status::InvalidArgument(
        fmt::format("--batch-size {}: expected 1 to 1000000", options.batch_size));
  }
  if (options.max_reject_rate < 0 || options.max_reject_rate > 1) {
    return Status::InvalidArgument("--max-reject-rate: expected a fraction from 0 to 1");
  }
  if (options.jobs < 0 || options.jobs > 64) {
    return Status::InvalidArgument(
        fmt::format("--jobs {}: expected 1 to 64 (0: chosen by the run)", options.jobs));
  }
  if (options.retries < 0 || options.retry_max_wait_s < 0.001) {
    return Status::InvalidArgument("--retries must be 0 or more, --retry-max-wait above 0");
  }
  Result<Mapping> loaded = LoadMappingFor(options.mapping_file, options.sources);
  if (!loaded.ok()) return loaded.status();
  *mapping = std::move(loaded).value();
  report->mapping = mapping->file;
  for (const EntityMapping& entity : mapping->entities) {
    if (entity.ulid_column >= 0 && entity.time_field.empty()) {
      report->timed_by_run.push_back(entity.name);
    }
  }
  FERRY_RETURN_IF_ERROR(AttachFieldKey(mapping));  // refused here, before anything is written
  for (const auto* list : {&options.include, &options.exclude}) {
    for (const std::string& name : *list) {
      if (!mapping->Find(name)) {
        return Status::InvalidArgument(fmt::format(
            "--include/--exclude: the mapping {} has no entity \"{}\"", mapping->file, name));
      }
    }
  }
  std::vector<SourceSpec> specs;
  std::vector<std::string> paths;          // what the backup holds
  std::vector<std::string> fingerprinted;  // what resume's fingerprint takes
  for (const std::string& argument : options.sources) {
    FERRY_ASSIGN_OR_RETURN(SourceSpec spec, ResolveSource(argument));
    spec.origins = options.origins;
    spec.max_value_bytes = options.max_value_bytes;
    specs.push_back(spec);
    FERRY_ASSIGN_OR_RETURN(std::unique_ptr<Extractor> extractor, MakeExtractor(spec));
    auto early = std::make_shared<std::vector<std::pair<Location, Status>>>();
    extractor->SetReporter([early](const Location& where, const Status& problem) {
      early->emplace_back(where, problem);
    });
    FERRY_RETURN_IF_ERROR(extractor->Open());
    fingerprinted.push_back(FingerprintInput(spec, *extractor));
    // A database source is never written, so its backup holds none of it (sources_backup.h).
    paths.push_back(spec.kind == "postgresql" ? "" : spec.path);
    std::string shown = spec.kind == "postgresql" ? RedactUrl(argument) : argument;
    report->sources.push_back(shown);
    sources->push_back(OpenSource{shown, std::move(extractor), early, spec.kind, spec});
  }
  std::vector<std::pair<std::string, SourceUnits>> units;
  for (const OpenSource& source : *sources) {
    units.emplace_back(source.argument, source.extractor->Units());
  }
  FERRY_RETURN_IF_ERROR(CheckUserUnits(options, units));
  FERRY_ASSIGN_OR_RETURN(*target, ResolveTarget(options.target));
  report->target = RedactUrl(target->url);
  RunInfo run;
  run.run_id = report->run_id;
  run.arguments = RunArguments(options, specs, *target);
  run.dry_run = options.dry_run;
  FERRY_ASSIGN_OR_RETURN(run.fingerprint, SourceFingerprint(fingerprinted));
  FERRY_ASSIGN_OR_RETURN(*loader, OpenLoader(options, *target, TablesOf(*mapping)));
  FERRY_RETURN_IF_ERROR(DecideResume(options, &run, loader->get(), report));
  run.run_id = report->run_id;
  // The way back: its key had before the run is begun (a prompt, a new key file); its archive
  // made at the run's first write, before it: each loader's writes wait for it
  // (agent/run/first_write_backup.h).
  std::unique_ptr<SourcesBackupPlan> plan;
  FERRY_RETURN_IF_ERROR(PrepareSourcesBackup(options, report, &plan));
  if (plan) {
    *backup = std::make_unique<FirstWriteBackup>(std::move(plan), paths, report);
    *loader = GateWritesOnBackup(std::move(*loader), backup->get());
  }
  run.pre_images = backup->get();
  *run_out = run;
  return (*loader)->BeginRun(run);
}

// Reads every unit of every source, one unit in memory at a time.
// `load` takes each unit: processes it (one worker) or queues it (--jobs, to `pool`, whose
// workers' counts progress shows as they go); `processor` takes the damage the extractors
// report.
Status Scan(const MigrateOptions& options, std::vector<OpenSource>& sources,
            UnitProcessor& processor, const std::function<Status(UnitEntries)>& load,
            RunReport* report, UnitPool* pool = nullptr) {
  SizeHint total;
  for (const OpenSource& source : sources) {
    SizeHint hint = source.extractor->ExpectedSize();
    total.bytes += hint.bytes;
    total.units += hint.units;
  }
  std::unique_ptr<Progress> progress =
      MakeProgress(options.progress, total.bytes, total.units, options.jobs);
  uint64_t bytes_done = 0;
  auto records = [&]() -> uint64_t {
    return report->TotalRead() + (pool ? pool->LiveRecords() : 0);
  };
  auto units = [&]() -> uint64_t { return pool ? pool->UnitsDone() : report->units; };
  if (pool) {
    pool->SetTick([&] { progress->Update(bytes_done, records(), units()); });
  } else {  // the processor reads on this thread: progress within a unit too
    processor.SetProgressHook([&](uint64_t unit_bytes_done) {
      progress->Update(bytes_done + unit_bytes_done, records(), report->units - 1);
    });
  }
  for (OpenSource& source : sources) {
    Extractor& extractor = *source.extractor;
    Status problem_status = Status::OK();
    for (const auto& [where, problem] : *source.early_problems) {
      Status s = processor.RecordProblem(where, problem);
      if (problem_status.ok()) problem_status = s;
    }
    extractor.SetReporter([&](const Location& where, const Status& problem) {
      Status s = processor.RecordProblem(where, problem);
      if (problem_status.ok()) problem_status = s;
    });
    // A rerun reads only the keys of a unit whose digest is its bytes' while the units before it
    // were found unchanged (MigrateOptions::keys_suffice): the one that is not reads again.
    if (options.keys_suffice) {
      std::shared_ptr<std::atomic<bool>> keys_suffice = options.keys_suffice;
      extractor.SetDeferValues([keys_suffice] { return keys_suffice->load(); });
      // With workers, not even its keys: the worker that takes the unit reads them (its file's
      // hash and index were this thread's, the resume's critical path while the workers waited
      // on it). On one thread the unit is read here either way.
      if (pool) extractor.SetDeferEntries([keys_suffice] { return keys_suffice->load(); });
    }
    // One unit at a time, spilled to its temporary file past its memory budget (the bound:
    // docs/design.md, "Memory").
    UnitEntries unit;
    auto flush = [&]() -> Status {
      if (unit.empty()) return Status::OK();
      FERRY_RETURN_IF_ERROR(CheckStop());  // Ctrl-C / SIGTERM: no further unit starts
      uint64_t unit_bytes = unit.value_bytes();
      Status s = load(std::move(unit));
      bytes_done += unit_bytes;
      unit = UnitEntries();
      progress->Update(bytes_done, records(), units());
      return s;
    };
    for (; extractor.Valid(); extractor.Next()) {
      FERRY_RETURN_IF_ERROR(problem_status);
      const Entry& entry = extractor.entry();
      if (!unit.empty() && unit.unit() != entry.unit) {
        FERRY_RETURN_IF_ERROR(flush());
      }
      if (unit.empty()) {
        if (std::optional<Extractor::UnitBytes> bytes = extractor.CurrentUnitBytes()) {
          SetUnitBytes(source.spec, entry.unit, *bytes, &unit);
        }
      }
      FERRY_RETURN_IF_ERROR(unit.Add(entry));
    }
    FERRY_RETURN_IF_ERROR(problem_status);
    FERRY_RETURN_IF_ERROR(extractor.status());
    FERRY_RETURN_IF_ERROR(flush());
  }
  if (pool) pool->Drain();  // the last units are still loading
  progress->Finish(records(), units());
  return Status::OK();
}

std::string NowRfc3339() {
  auto now = std::chrono::system_clock::now();
  return FormatTimestampMillis(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
}

// The units the sources expect to yield, when they tell (0: unknown).
uint64_t ExpectedUnits(const std::vector<OpenSource>& sources) {
  uint64_t units = 0;
  for (const OpenSource& source : sources) units += source.extractor->ExpectedSize().units;
  return units;
}

// Loads every unit: on this thread, or with --jobs on a pool of workers.
Status LoadUnits(const MigrateOptions& told, const Mapping& mapping, const TargetSpec& target,
                 const RunInfo& run, std::vector<OpenSource>& sources, Loader* loader,
                 FirstWriteBackup* backup, RejectSink* rejects, RunReport* report) {
  MigrateOptions options = told;
  // A database's tables are units of one user: on PostgreSQL the run holds the user's lock and
  // its workers load the tables the foreign keys let go together (unit_pool.h). SQLite keeps
  // one writer, and a dry run keeps a user's units on one worker (its parents).
  bool databases = !sources.empty();
  for (const OpenSource& source : sources) {
    databases = databases && (source.kind == "sqlite" || source.kind == "postgresql");
  }
  const bool share = databases && target.kind == "postgresql" && !options.dry_run;
  if (options.jobs == 0) {
    FERRY_ASSIGN_OR_RETURN(options.jobs,
                           DefaultJobs(target, ExpectedUnits(sources), loader, share));
  }
  report->jobs = options.jobs;
  options.resuming_run = report->resumed_from;
  // Keys alone serve a unit a rerun finds unchanged by its bytes' digest: only where a unit may
  // be skipped, and its user id needs no value.
  if (!options.dry_run && !options.rescan && options.user_id_from.rfind("key:", 0) != 0) {
    options.keys_suffice = std::make_shared<std::atomic<bool>>(false);
  }
  // The marks of the sources' units, a chunk read at once, where a unit may be skipped.
  if (!options.dry_run && !options.rescan) {
    std::vector<std::string> names;
    for (const OpenSource& source : sources) {
      std::vector<std::string> units = source.extractor->Units().names;
      names.insert(names.end(), std::make_move_iterator(units.begin()),
                   std::make_move_iterator(units.end()));
    }
    options.unit_marks = std::make_shared<UnitMarks>(std::move(names));
  }
  UnitProcessor processor(options, mapping, loader, rejects, report);
  if (options.jobs == 1) {
    FERRY_RETURN_IF_ERROR(Scan(
        options, sources, processor,
        [&processor](UnitEntries unit) {
          Status status = processor.Process(unit);
          unit = UnitEntries();  // freed before the trim
          TrimIfResidentAbove();
          return status;
        },
        report));
    return CheckSomethingMatched(options, mapping, report->held);
  }
  for (const EntityMapping& entity : mapping.entities) report->Entity(entity.name);
  UnitPool pool(options, mapping, rejects);
  FERRY_RETURN_IF_ERROR(pool.Start(
      [&]() -> Result<std::unique_ptr<Loader>> {
        FERRY_ASSIGN_OR_RETURN(std::unique_ptr<Loader> worker,
                               OpenLoader(options, target, TablesOf(mapping)));
        if (backup != nullptr) worker = GateWritesOnBackup(std::move(worker), backup);
        RunInfo attach = run;
        attach.attach = true;
        FERRY_RETURN_IF_ERROR(worker->BeginRun(attach));
        return worker;
      },
      share));
  Status status = Scan(
      options, sources, processor,
      [&pool](UnitEntries unit) { return pool.Submit(std::move(unit)); }, report, &pool);
  Status stopped = pool.Finish(report);
  if (status.ok()) status = stopped;
  if (status.ok() && !pool.LostLocks().empty()) {
    std::string users;
    for (const std::string& user : pool.LostLocks()) users += (users.empty() ? "" : ", ") + user;
    return Status::Unavailable(fmt::format(
        "the run lost the lock of user {} that its workers shared (the session holding it "
        "ended); {} of {} units failed (listed above), the others were loaded. Run the same "
        "command again: it loads what is left and writes nothing twice",
        users, report->failed_units.size(), report->units));
  }
  if (status.ok() && !report->failed_units.empty()) {
    std::string message = fmt::format(
        "{} of {} users failed (listed above); the others were loaded. Fix what their messages "
        "name, then run the same command again: it loads the failed users and writes nothing "
        "twice for the others",
        report->failed_units.size(), report->units);
    // Users stopped by their own bad data are a stop on rejects, not an outage; users whose
    // locks other runs hold end the run Locked (exit 4), as on one thread the first one does.
    if (pool.AllFailuresRejects()) return Status::Rejected(message);
    return pool.AllFailuresLocked() ? Status::Locked(message) : Status::Unavailable(message);
  }
  if (status.ok()) status = CheckSomethingMatched(options, mapping, report->held);
  return status;
}

}  // namespace

RunReport RunMigration(const MigrateOptions& options) {
  RunReport report;
  auto started = std::chrono::steady_clock::now();
  report.dry_run = options.dry_run;
  report.started_at = NowRfc3339();
  UlidGenerator run_ids;
  report.run_id = EncodeUlid(*run_ids.Generate(UlidGenerator::NowMillis()));

  Mapping mapping;
  std::vector<OpenSource> sources;
  TargetSpec target;
  std::unique_ptr<Loader> loader;
  RunInfo run;
  std::unique_ptr<FirstWriteBackup> backup;  // the run's backup, made at its first write
  std::string rejects_path = options.rejects_file;
  if (rejects_path.empty() && !options.dry_run) {
    rejects_path = fmt::format("ferry-rejects-{}.ndjson", report.run_id);
  }
  // Output files first: a folder that is missing is found before anything is read or written.
  Status status = CheckOutputFile("--report", options.report_file);
  if (status.ok()) {
    status = CheckOutputFile(options.rejects_file.empty()
                                 ? "the default reject file (--rejects FILE moves it)"
                                 : "--rejects",
                             rejects_path);
  }
  if (status.ok())
    status = Prepare(options, &report, &mapping, &sources, &target, &loader, &run, &backup);
  // BeginRun recorded the run (not a dry run): its end is recorded too, and until then the same
  // command resumes it.
  const bool begun = status.ok() && !options.dry_run;
  if (options.rejects_file.empty() && !report.resumed_from.empty()) {
    // A resumed run keeps its id, and its default reject file: each reject is in it once, the
    // earlier sessions' too (agent/run/entity_pass.h). Checked above in the same folder.
    rejects_path = fmt::format("ferry-rejects-{}.ndjson", report.run_id);
  }
  RejectSink rejects(rejects_path, report.run_id);
  if (status.ok() && !report.resumed_from.empty()) status = rejects.SkipEarlierSessions();
  if (status.ok()) {
    status = LoadUnits(options, mapping, target, run, sources, loader.get(), backup.get(), &rejects,
                       &report);
  }
  Status closed = rejects.Close();
  if (status.ok()) status = closed;
  if (backup) {
    // Before the run's end is recorded: a completed run's archive is always finished.
    Status finished_archive = backup->Close();
    if (status.ok()) status = finished_archive;
    if (!backup->made()) report.backup = "none (nothing written)";
  }
  report.rejects_file = rejects.written_path();
  report.duration_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  report.peak_rss_kb = PeakRssKb();
  if (!status.ok() && StopSignal() != 0) {
    // Ctrl-C / SIGTERM: the run stopped at a batch boundary. It stays recorded as running, so
    // that once this process has ended it is interrupted and the same command resumes it.
    report.status = "interrupted";
    report.error =
        fmt::format("stopped by {} at a batch boundary: every batch committed so far is kept",
                    StopSignalName(StopSignal()));
    report.exit_code = 128 + StopSignal();
    report.resumable = begun;
    return report;
  }
  if (!status.ok()) {
    Fail(&report, status);
    report.resumable = begun && status.IsUnavailable();  // gave up after its retries
  } else if (report.TotalRejected() > 0) {
    report.status = "completed_with_rejects";
    report.exit_code = 3;
  }
  if (loader && begun && !options.dry_run) {
    RunTotals totals{report.status, report.TotalRead(), 0, 0, 0, report.TotalRejected()};
    totals.error = RedactUrl(report.error);  // for `ferry status -v`; loaders scrub the rest
    for (const auto& [name, c] : report.entities) {
      totals.inserted += c.inserted;
      totals.updated += c.updated + c.merged;
      totals.skipped += c.skipped;
      totals.unchanged += c.unchanged;
    }
    Status finished = Status::OK();
    if (backup && !backup->made()) {
      // What lets `ferry rollback` mark this run rolled back without an archive.
      finished = loader->RecordArchive("");
    }
    if (finished.ok()) finished = loader->FinishRun(totals);
    if (!finished.ok()) {
      spdlog::error("{}", finished.ToString());
      if (report.exit_code == 0 || report.exit_code == 3) {
        Fail(&report, finished);
      }
    } else if (StoppedByRejectRate(options, status)) {
      // PRODUCT.md: the run stops and rolls back; nothing half-written stays.
      Status undone = RollBackStoppedRun(options, run, loader.get(), &report);
      if (!undone.ok()) spdlog::error("automatic rollback: {}", undone.ToString());
      report.resumable = false;
    }
  }
  return report;
}

}  // namespace ferry
