#include "agent/run/migration.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>

#include "agent/mapping_loader.h"
#include "agent/run/peak_memory.h"
#include "agent/run/progress.h"
#include "agent/run/reject_sink.h"
#include "agent/run/unit_processor.h"
#include "extractors/registry.h"
#include "loaders/redact_url.h"
#include "loaders/registry.h"
#include "transformers/datetime.h"
#include "transformers/ulid.h"

namespace ferry {

namespace {

struct OpenSource {
  std::string argument;
  std::unique_ptr<Extractor> extractor;
  // Damage reported while the source was opened, before the run could take it as rejects.
  std::shared_ptr<std::vector<std::pair<Location, Status>>> early_problems;
};

Status Fail(RunReport* report, const Status& status) {
  report->status = status.IsRejected() ? "stopped" : "failed";
  report->error = status.ToString();
  report->exit_code = status.IsRejected() ? 1 : ExitCodeFor(status);
  return status;
}

// Bind and init: everything that can be checked before the first record is read.
Status Prepare(const MigrateOptions& options, RunReport* report, Mapping* mapping,
               std::vector<OpenSource>* sources, std::unique_ptr<Loader>* loader) {
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
  Result<Mapping> loaded =
      options.mapping_file.empty() ? LoadDefaultMapping() : LoadMappingFile(options.mapping_file);
  if (!loaded.ok()) return loaded.status();
  *mapping = std::move(loaded).value();
  report->mapping = mapping->file;
  for (const auto* list : {&options.include, &options.exclude}) {
    for (const std::string& name : *list) {
      if (!mapping->Find(name)) {
        return Status::InvalidArgument(fmt::format(
            "--include/--exclude: the mapping {} has no entity \"{}\"", mapping->file, name));
      }
    }
  }
  for (const std::string& argument : options.sources) {
    FERRY_ASSIGN_OR_RETURN(SourceSpec spec, ResolveSource(argument));
    spec.origins = options.origins;
    FERRY_ASSIGN_OR_RETURN(std::unique_ptr<Extractor> extractor, MakeExtractor(spec));
    auto early = std::make_shared<std::vector<std::pair<Location, Status>>>();
    extractor->SetReporter([early](const Location& where, const Status& problem) {
      early->emplace_back(where, problem);
    });
    FERRY_RETURN_IF_ERROR(extractor->Open());
    report->sources.push_back(argument);
    sources->push_back(OpenSource{argument, std::move(extractor), early});
  }
  FERRY_ASSIGN_OR_RETURN(TargetSpec target, ResolveTarget(options.target));
  report->target = RedactUrl(target.url);
  FERRY_ASSIGN_OR_RETURN(*loader, MakeLoader(target));
  FERRY_RETURN_IF_ERROR((*loader)->Check(options.dry_run));
  std::vector<const TableDef*> tables;
  for (const EntityMapping& entity : mapping->entities) tables.push_back(&entity.table);
  FERRY_RETURN_IF_ERROR((*loader)->EnsureSchema(tables));
  return (*loader)->BeginRun(RunInfo{report->run_id, options.command_line, options.dry_run, ""});
}

// Reads every unit of every source, one unit in memory at a time.
Status Scan(const MigrateOptions& options, std::vector<OpenSource>& sources,
            UnitProcessor& processor, RunReport* report) {
  SizeHint total;
  for (const OpenSource& source : sources) {
    SizeHint hint = source.extractor->ExpectedSize();
    total.bytes += hint.bytes;
    total.units += hint.units;
  }
  std::unique_ptr<Progress> progress = MakeProgress(options.progress, total.bytes, total.units);
  uint64_t bytes_done = 0;
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
    std::vector<Entry> unit;
    auto flush = [&]() -> Status {
      if (unit.empty()) return Status::OK();
      for (const Entry& e : unit) bytes_done += e.value.size();
      Status s = processor.Process(unit);
      unit.clear();
      progress->Update(bytes_done, report->TotalRead(), report->units);
      return s;
    };
    for (; extractor.Valid(); extractor.Next()) {
      FERRY_RETURN_IF_ERROR(problem_status);
      const Entry& entry = extractor.entry();
      if (!unit.empty() && unit.front().unit != entry.unit) {
        FERRY_RETURN_IF_ERROR(flush());
      }
      unit.push_back(entry);
    }
    FERRY_RETURN_IF_ERROR(problem_status);
    FERRY_RETURN_IF_ERROR(extractor.status());
    FERRY_RETURN_IF_ERROR(flush());
  }
  progress->Finish(report->TotalRead(), report->units);
  return Status::OK();
}

std::string NowRfc3339() {
  auto now = std::chrono::system_clock::now();
  return FormatTimestampMillis(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
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
  std::unique_ptr<Loader> loader;
  Status status = Prepare(options, &report, &mapping, &sources, &loader);
  std::string rejects_path = options.rejects_file;
  if (rejects_path.empty() && !options.dry_run) {
    rejects_path = fmt::format("ferry-rejects-{}.ndjson", report.run_id);
  }
  RejectSink rejects(rejects_path, report.run_id);
  if (status.ok()) {
    UnitProcessor processor(options, mapping, loader.get(), &rejects, &report);
    status = Scan(options, sources, processor, &report);
  }
  Status closed = rejects.Close();
  if (status.ok()) status = closed;
  report.rejects_file = rejects.written_path();
  report.duration_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  report.peak_rss_kb = PeakRssKb();
  if (!status.ok()) {
    Fail(&report, status);
  } else if (report.TotalRejected() > 0) {
    report.status = "completed_with_rejects";
    report.exit_code = 3;
  }
  if (loader && !options.dry_run && status.code() != Status::Code::kInvalidArgument) {
    RunTotals totals{report.status, report.TotalRead(), 0, 0, 0, report.TotalRejected()};
    for (const auto& [name, c] : report.entities) {
      totals.inserted += c.inserted;
      totals.updated += c.updated + c.merged;
      totals.skipped += c.skipped + c.unchanged;
    }
    Status finished = loader->FinishRun(totals);
    if (!finished.ok()) {
      spdlog::error("{}", finished.ToString());
      if (report.exit_code == 0 || report.exit_code == 3) {
        Fail(&report, finished);
      }
    }
  }
  return report;
}

}  // namespace ferry
