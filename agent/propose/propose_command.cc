#include "agent/propose/propose_command.h"

#include <fmt/format.h>

#include <iostream>

#include "agent/exit_codes_help.h"
#include "agent/mapping/loader.h"
#include "agent/outside_sources.h"
#include "agent/propose/key_groups.h"
#include "agent/propose/mapping_writer.h"
#include "agent/propose/proposal_file.h"
#include "base/terminal_text.h"
#include "extractors/registry.h"

namespace ferry {

namespace {

constexpr int kExitDamaged = 3;

struct Scan {
  propose::KeyGroups groups;
  int64_t keys = 0;
  int64_t problems = 0;
};

Status ScanSource(const SourceSpec& spec, Scan* scan, std::ostream& err) {
  FERRY_ASSIGN_OR_RETURN(std::unique_ptr<Extractor> extractor, MakeExtractor(spec));
  extractor->SetReporter([scan, &err](const Location& where, const Status& problem) {
    ++scan->problems;
    err << "ferry inspect: damage skipped: " << TerminalSafe(where.ToString()) << ": "
        << TerminalSafe(problem.ToString()) << "\n";
  });
  FERRY_RETURN_IF_ERROR(extractor->Open());
  for (; extractor->Valid(); extractor->Next()) {
    FERRY_RETURN_IF_ERROR(scan->groups.Add(extractor->entry()));
    ++scan->keys;
  }
  return extractor->status();
}

Status Propose(const InspectOptions& options, const std::string& file, Scan* scan,
               std::string* yaml) {
  std::vector<SourceSpec> specs;
  for (const std::string& argument : options.sources) {
    FERRY_ASSIGN_OR_RETURN(SourceSpec spec, ResolveSource(argument));
    spec.origins = options.origins;
    spec.max_value_bytes = options.max_value_bytes;
    specs.push_back(std::move(spec));
  }
  if (file != "-") FERRY_RETURN_IF_ERROR(CheckOutsideSources("--propose-mapping", file, specs));
  FERRY_RETURN_IF_ERROR(CheckProposalFile(file));
  for (const SourceSpec& spec : specs) FERRY_RETURN_IF_ERROR(ScanSource(spec, scan, std::cerr));
  if (scan->keys == 0) {
    return Status::InvalidArgument("the sources hold no key: there is nothing to propose");
  }
  propose::ProposeOptions propose_options;
  propose_options.sources = options.sources;
  propose_options.several_origins = scan->groups.origins() > 1;
  *yaml = propose::ProposeMappingYaml(scan->groups.Finish(), propose_options);
  // What is proposed must load: a proposal ferry itself refuses is a bug, never a file.
  Result<Mapping> loaded = LoadMappingText(*yaml, file == "-" ? "<proposed>" : file, ".");
  if (!loaded.ok()) {
    return Status::Internal("the proposed mapping does not load (a bug in ferry): " +
                            loaded.status().message());
  }
  return Status::OK();
}

}  // namespace

int RunProposeMapping(const InspectOptions& options, const std::string& file, std::ostream& out,
                      std::ostream& err) {
  Scan scan;
  std::string yaml;
  Status status = Propose(options, file, &scan, &yaml);
  if (status.ok()) status = WriteProposalFile(file, yaml, out);
  if (!status.ok()) {
    err << "ferry inspect: " << TerminalSafe(status.ToString()) << "\n";
    return ExitCodeFor(status);
  }
  if (file != "-") {
    err << fmt::format(
        "ferry inspect: proposed a mapping for {} key(s) in {}\n"
        "  review it, then: ferry inspect SOURCE --mapping {}   and   ferry migrate SOURCE "
        "--mapping {} --dry-run\n",
        scan.keys, TerminalSafe(file), TerminalSafe(file), TerminalSafe(file));
  }
  out.flush();
  return scan.problems > 0 ? kExitDamaged : 0;
}

}  // namespace ferry
