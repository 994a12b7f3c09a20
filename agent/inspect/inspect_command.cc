#include "agent/inspect/inspect_command.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "agent/exit_codes_help.h"
#include "agent/inspect/inspect_print.h"
#include "agent/mapping/loader.h"
#include "agent/max_value_option.h"
#include "agent/propose/propose_command.h"
#include "agent/run/match_check.h"

namespace ferry {

namespace {

constexpr int kExitDamaged = 3;

}  // namespace

int RunInspect(const InspectOptions& options, std::ostream& out, std::ostream& err) {
  if (!options.propose_file.empty()) {
    return RunProposeMapping(options, options.propose_file, out, err);
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
    out << InspectJson(report) << "\n";
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
      "would pass validation. Exit 0 done, 3 done but damage skipped, 1 failed, 2 usage");
  SetExitCodesHelp(
      cmd,
      "0 done; 1 failed (a source unreadable); 2 usage or configuration error; 3 done, but "
      "damage skipped (listed with its place)");
  cmd->add_option("sources", options->sources,
                  "Stores or dumps (kind detected, or prefixed: chromium:, dump:, json:, "
                  "ndjson:); only read")
      ->required();
  cmd->add_flag("--json", options->json, "One JSON document instead of the table");
  cmd->add_option("--mapping", options->mapping_file,
                  "Mapping file (YAML); default: the bundled taskapp mapping");
  cmd->add_option("--origin", options->origins,
                  "Only this origin (repeatable); one that matches nothing is exit 2, listing "
                  "the sources' origins");
  cmd->add_option("--propose-mapping", options->propose_file,
                  "Write a mapping for these sources to FILE (- for standard output) instead of "
                  "the table: keys grouped by pattern into entities, record shapes and JSON "
                  "Schemas inferred from the values, secret-looking keys and fields left out "
                  "with the reason; `migrate --mapping FILE` takes it as it is. Review it first")
      ->excludes("--mapping")
      ->excludes("--json");
  AddMaxValueBytesOption(cmd, &options->max_value_bytes);
  cmd->callback(
      [options, exit_code]() { *exit_code = RunInspect(*options, std::cout, std::cerr); });
}

}  // namespace ferry
