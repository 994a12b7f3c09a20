// `ferry export SOURCE... [--origin O]... [--out FILE]`: what a store holds, as a
// {origin: {key: value}} JSON dump (agent/export/dump_writer.h), to stdout or FILE.
//
// Entries are written as the extractors yield them, so memory stays about one value. --out
// writes a temporary file beside FILE and renames it at the end (agent/export/atomic_file.h):
// a failed export leaves no half file. The sources are only read; an --out that is a source or
// inside one is refused. Damage an extractor skips over is printed to stderr with its place, and
// so is an entry whose text held bytes no JSON string can (invalid UTF-8: written as U+FFFD).
// Exit codes: 0 done; 3 done, but damage was skipped or written as U+FFFD (the dump lacks what
// it held); 1 failed (the damage leaves the store unknowable, or the output failed); 2 usage.
//
// Thread safety: RunExport shares no state; AddExportCommand is called once per App.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "extractors/extractor.h"

namespace CLI {
class App;
}

namespace ferry {

struct ExportOptions {
  std::vector<std::string> sources;  // as given: "chromium:PATH", "PATH", ...
  std::vector<std::string> origins;  // --origin, repeatable; empty: every origin
  // --max-value-bytes: a longer value is damage (docs/design.md, "Memory")
  uint64_t max_value_bytes = kDefaultMaxValueBytes;
  std::string out_file;  // --out; empty: `out`
};

// Registers `export` on `root`; its callback stores the exit code in *exit_code.
void AddExportCommand(CLI::App& root, int* exit_code);

// Runs an export: the dump to `out` (or options.out_file), messages to `err`; the exit code.
int RunExport(const ExportOptions& options, std::ostream& out, std::ostream& err);

}  // namespace ferry
