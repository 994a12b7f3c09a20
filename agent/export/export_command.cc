#include "agent/export/export_command.h"

#include <fmt/format.h>
#include <malloc.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>

#include "agent/exit_codes_help.h"
#include "agent/export/atomic_file.h"
#include "agent/export/dump_writer.h"
#include "agent/max_value_option.h"
#include "agent/outside_sources.h"
#include "agent/run/match_check.h"
#include "base/terminal_text.h"
#include "extractors/registry.h"

namespace ferry {

namespace {

constexpr int kExitDamaged = 3;

// Whether the dump cannot hold `entry` exactly: its text held bytes that no JSON string can
// (invalid UTF-8, a dangling odd UTF-16 byte), written as U+FFFD. An unpaired surrogate is kept
// exactly (as a \uXXXX escape) and is not such a loss. The extractors name the two cases in
// lossy_detail (extractors/firefox/text_codec.h, extractors/common/utf16.h).
bool LostInDump(const Entry& entry) {
  return entry.lossy && (entry.lossy_detail.find("UTF-8") != std::string::npos ||
                         entry.lossy_detail.find("odd byte") != std::string::npos);
}

// Streams every entry of every source into `writer`; counts reported damage in *damaged, and
// entries the dump cannot hold exactly (LostInDump) as damage too: bytes only damage leaves.
// An --origin that selected no entry is InvalidArgument listing the origins held (no dump of
// nothing is written).
Status ExportSources(const std::vector<SourceSpec>& specs, DumpWriter* writer, std::ostream& err,
                     int64_t* damaged) {
  int64_t exported = 0;
  for (const SourceSpec& spec : specs) {
    FERRY_ASSIGN_OR_RETURN(std::unique_ptr<Extractor> extractor, MakeExtractor(spec));
    extractor->SetReporter([&err, damaged](const Location& where, const Status& problem) {
      ++*damaged;
      err << "ferry export: " << where.ToString() << ": " << problem.ToString() << "\n";
    });
    FERRY_RETURN_IF_ERROR(extractor->Open());
    for (; extractor->Valid(); extractor->Next()) {
      const Entry& entry = extractor->entry();
      if (LostInDump(entry)) {
        ++*damaged;
        err << "ferry export: " << entry.where.ToString() << ": " << entry.lossy_detail
            << "; written with U+FFFD in place of what was not well-formed\n";
      }
      Status added = writer->Add(entry);
      if (added.IsRejected()) {  // a key twice in an origin: damage, the first one kept
        ++*damaged;
        err << "ferry export: " << added.message() << "\n";
        continue;
      }
      FERRY_RETURN_IF_ERROR(added);
      ++exported;
    }
    FERRY_RETURN_IF_ERROR(extractor->status());
  }
  if (exported == 0 && !specs.empty() && !specs.front().origins.empty()) {
    std::vector<std::string> sources;
    for (const SourceSpec& spec : specs) sources.push_back(spec.kind + ":" + spec.path);
    return Status::InvalidArgument(
        fmt::format("--origin matches no origin of the sources; {}", OriginsHeld(sources)));
  }
  return writer->Finish();
}

Status Export(const ExportOptions& options, std::ostream& out, std::ostream& err,
              int64_t* damaged) {
  if (options.sources.empty()) {
    return Status::InvalidArgument("no source given: ferry export SOURCE...");
  }
  std::vector<SourceSpec> specs;
  for (const std::string& argument : options.sources) {
    FERRY_ASSIGN_OR_RETURN(SourceSpec spec, ResolveSource(argument));
    spec.origins = options.origins;
    spec.max_value_bytes = options.max_value_bytes;
    specs.push_back(std::move(spec));
  }
  if (options.out_file.empty()) {
    // The dump is data, written exactly: not escaped for the terminal like the rest.
    std::ostream raw(UnfilteredBuffer(out));
    DumpWriter writer(&raw);
    return ExportSources(specs, &writer, err, damaged);
  }
  FERRY_RETURN_IF_ERROR(CheckOutsideSources("--out", options.out_file, specs));
  FERRY_ASSIGN_OR_RETURN(std::unique_ptr<AtomicFile> file, AtomicFile::Create(options.out_file));
  DumpWriter writer(&file->stream());
  FERRY_RETURN_IF_ERROR(ExportSources(specs, &writer, err, damaged));
  return file->Commit();
}

}  // namespace

int RunExport(const ExportOptions& options, std::ostream& out, std::ostream& err) {
  // Blocks and values of a MiB and more are allocated and freed one after another; from mmap,
  // each costs its pages' faults again (4,600 faults, a third of the CPU, for the 3.9 MB large
  // fixture). From the heap, and not trimmed, they reuse the same pages: the peak is the same.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
  int64_t damaged = 0;
  Status status = Export(options, out, err, &damaged);
  if (!status.ok()) {
    err << "ferry export: " << status.ToString() << "\n";
    return ExitCodeFor(status);
  }
  if (damaged > 0) {
    err << fmt::format(
        "ferry export: done, but {} damaged part(s) were skipped or written with U+FFFD "
        "(above): the dump lacks what they held\n",
        damaged);
    return kExitDamaged;
  }
  return 0;
}

void AddExportCommand(CLI::App& root, int* exit_code) {
  auto options = std::make_shared<ExportOptions>();
  CLI::App* cmd = root.add_subcommand(
      "export",
      "Write what stores hold as a {origin: {key: value}} JSON dump (the format the dump "
      "source reads), values exactly as held: an unpaired UTF-16 surrogate as a \\uXXXX "
      "escape. Exit 0 done, 3 done but damage skipped or written as U+FFFD (listed on "
      "stderr), 1 failed, 2 usage");
  SetExitCodesHelp(
      cmd,
      "0 done; 1 failed (a source unreadable); 2 usage or configuration error; 3 done, but "
      "damage skipped, or text no JSON string can hold (invalid UTF-8) written as U+FFFD "
      "(listed with its place)");
  cmd->add_option("sources", options->sources,
                  "Stores or dumps (kind detected, or prefixed: chromium:, dump:, ...); only "
                  "read, never written")
      ->required();
  cmd->add_option("--origin", options->origins,
                  "Only this origin (repeatable); one that matches nothing is exit 2, listing "
                  "the sources' origins");
  AddMaxValueBytesOption(cmd, &options->max_value_bytes);
  cmd->add_option("--out", options->out_file,
                  "Write the dump to FILE (whole or not at all: a temporary file beside it is "
                  "renamed at the end; created 0600, never inside a source); default: stdout");
  cmd->callback([options, exit_code]() { *exit_code = RunExport(*options, std::cout, std::cerr); });
}

}  // namespace ferry
