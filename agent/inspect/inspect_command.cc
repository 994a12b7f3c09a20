#include "agent/inspect/inspect_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "agent/exit_codes_help.h"
#include "agent/inspect/db_inspect_print.h"
#include "agent/inspect/inspect_print.h"
#include "agent/mapping/for_sources.h"
#include "agent/mapping/loader.h"
#include "agent/max_value_option.h"
#include "agent/propose/proposal_file.h"
#include "agent/propose/propose_command.h"
#include "agent/run/match_check.h"
#include "extractors/registry.h"

namespace ferry {

namespace {

constexpr int kExitDamaged = 3;

// True when a source is a database (sqlite:, postgresql://): its catalog is inspected instead of
// its entries.
bool IsDatabaseSource(const std::string& argument) {
  Result<SourceSpec> spec = ResolveSource(argument);
  return spec.ok() && IsDatabaseKind(spec->kind);
}

// The mapping proposed for the database `source`, after checking that ferry loads it as it
// is; written by the stores' writer (agent/propose/proposal_file.h).
Status WriteProposedMapping(const std::string& source, const std::string& path, std::ostream& out) {
  FERRY_RETURN_IF_ERROR(CheckProposalFile(path));
  FERRY_ASSIGN_OR_RETURN(std::string yaml, ProposeMappingForDatabase(source));
  FERRY_RETURN_IF_ERROR(LoadMappingText(yaml, path == "-" ? "<proposed>" : path, "").status());
  return WriteProposalFile(path, yaml, out);
}

// `ferry inspect sqlite:app.db`: one database, its tables and foreign keys (db_inspect.h).
int RunDatabaseInspect(const InspectOptions& options, std::ostream& out, std::ostream& err) {
  Status usage;
  if (options.sources.size() != 1) {
    usage = Status::InvalidArgument("a database is inspected alone: give one source");
  } else if (!options.origins.empty() || !options.mapping_file.empty()) {
    usage = Status::InvalidArgument("--origin and --mapping do not apply to a database");
  }
  Result<SourceSpec> spec = ResolveSource(options.sources.front());
  Result<DbInspectReport> report =
      usage.ok() ? InspectDatabase(*spec) : Result<DbInspectReport>(usage);
  if (report.ok() && !options.propose_mapping.empty()) {
    Status written = WriteProposedMapping(options.sources.front(), options.propose_mapping, out);
    if (!written.ok()) report = written;
  }
  if (!report.ok()) {
    err << "ferry inspect: " << report.status().ToString() << "\n";
    return ExitCodeFor(report.status());
  }
  if (options.propose_mapping == "-") return 0;  // standard output holds the mapping alone
  if (options.json) {
    out << DatabaseJson(*report) << "\n";
  } else {
    PrintDatabaseTable(*report, out);
  }
  out.flush();
  return 0;
}

}  // namespace

int RunInspect(const InspectOptions& options, std::ostream& out, std::ostream& err) {
  for (const std::string& source : options.sources) {
    if (IsDatabaseSource(source)) {
      return RunDatabaseInspect(options, out, err);
    }
  }
  if (!options.propose_mapping.empty()) {
    return RunProposeMapping(options, options.propose_mapping, out, err);
  }
  Result<Mapping> mapping =
      options.mapping_file.empty() ? LoadDefaultMapping() : LoadMappingFile(options.mapping_file);
  if (!mapping.ok()) {
    err << "ferry inspect: " << mapping.status().ToString() << "\n";
    return ExitCodeFor(mapping.status());
  }
  InspectReport report;
  report.keys_as_json = options.json;
  Status status = InspectSources(options, *mapping, &report);
  if (status.ok() && !options.origins.empty() && report.entries == 0) {
    // A typo, not an empty store: say what the sources hold, as migrate and export do.
    status = Status::InvalidArgument("--origin matches no origin of the sources; " +
                                     OriginsHeld(options.sources));
  }
  if (!status.ok()) {
    err << "ferry inspect: " << status.ToString() << "\n";
    return ExitCodeFor(status);
  }
  if (options.json) {
    Status written = WriteInspectJson(report, out);
    if (!written.ok()) {
      err << "ferry inspect: " << written.ToString() << "\n";
      return ExitCodeFor(written);
    }
    out << "\n";
  } else {
    PrintInspectTable(report, out);
  }
  out.flush();
  return report.problems > 0 ? kExitDamaged : 0;
}

void AddInspectCommand(CLI::App& root, int* exit_code) {
  auto options = std::make_shared<InspectOptions>();
  CLI::App* cmd = root.add_subcommand(
      "inspect",
      "Show what sources hold, writing nothing: origins, keys, value sizes, the entity each "
      "key maps to, the id types per entity (integer, uuid, ulid, other) and how many records "
      "would pass validation; on a database (sqlite:PATH, postgresql://...) its tables, row "
      "counts, key types, "
      "foreign keys with their orphaned references, and tables without a creation column. "
      "Exit 0 done, 3 done but damage skipped, 1 failed, 2 usage");
  SetExitCodesHelp(
      cmd,
      "0 done; 1 failed (a source unreadable); 2 usage or configuration error; 3 done, but "
      "damage skipped (listed with its place)");
  cmd->add_option("sources", options->sources,
                  "Stores, dumps or one database (kind detected, or prefixed: chromium:, "
                  "dump:, json:, ndjson:, sqlite:; a database also as its postgresql:// URL); "
                  "only read")
      ->required();
  cmd->add_flag("--json", options->json, "One JSON document instead of the table");
  cmd->add_option("--mapping", options->mapping_file,
                  "Mapping file (YAML); default: the bundled taskapp mapping");
  cmd->add_option("--origin", options->origins,
                  "Only this origin (repeatable); one that matches nothing is exit 2, listing "
                  "the sources' origins");
  cmd->add_option("--propose-mapping", options->propose_mapping,
                  "Write a mapping for these sources to FILE (0600, written whole, never over an "
                  "existing file; - for standard output) that `migrate --mapping FILE` takes "
                  "as it is; review it first. For stores and dumps (instead of the table): "
                  "keys grouped by pattern into entities, record shapes and JSON Schemas "
                  "inferred from the values, secret-looking keys and fields left out with the "
                  "reason (docs/unknown-store.md). For a database: from its catalog "
                  "(docs/database-sources.md)")
      ->excludes("--mapping");
  AddMaxValueBytesOption(cmd, &options->max_value_bytes);
  cmd->callback(
      [options, exit_code]() { *exit_code = RunInspect(*options, std::cout, std::cerr); });
}

}  // namespace ferry
