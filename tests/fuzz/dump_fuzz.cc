// The dump reader: one localStorage dump file ({key: string} or {origin: {key: string}},
// strings with unpaired surrogate escapes allowed). The input is the file's text.
#include <simdjson.h>

#include <string>
#include <vector>

#include "extractors/dump/dump_file.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/scratch_dir.h"

FERRY_FUZZ_TARGET(dump) {
  simdjson::padded_string text(reinterpret_cast<const char*>(data), size);
  std::vector<ferry::Entry> entries;
  std::vector<ferry::DumpProblem> problems;
  ferry::Status read = ferry::ReadDumpText("fuzz/user-1.json", text, {}, &entries, &problems);
  // An origin filter takes another path through the origin form.
  entries.clear();
  problems.clear();
  ferry::Status filtered =
      ferry::ReadDumpText("fuzz/user-1.json", text, {"http://127.0.0.1:8000"}, &entries, &problems);
  size_t bytes = read.ToString().size() + filtered.ToString().size();
  for (const ferry::Entry& entry : entries) bytes += entry.key.size() + entry.value.size();
  for (const ferry::DumpProblem& problem : problems) bytes += problem.problem.ToString().size();
  ferry::fuzz::Consume(bytes);
  return 0;
}
