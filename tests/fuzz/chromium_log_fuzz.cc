// The LevelDB log reader (fragments, checksums, zeroed and torn space) and the write batches
// in its records, as the chromium extractor replays a .log file: the input is the file.
#include <string>

#include "extractors/chromium/log_source.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/scratch_dir.h"

FERRY_FUZZ_TARGET(chromium_log) {
  static const ferry::fuzz::ScratchDir dir;
  dir.Write("000003.log", ferry::fuzz::AsText(data, size));
  size_t reports = 0;
  auto source =
      ferry::chromium::ReadLogs(dir.path(), "fuzz", {"000003.log"},
                                [&](const ferry::Location& where, const ferry::Status& problem) {
                                  reports += where.ToString().size() + problem.ToString().size();
                                });
  if (!source.ok()) return 0;
  size_t bytes = 0;
  for (ferry::chromium::SortedSource& entries = **source; entries.Valid(); entries.Next()) {
    bytes += entries.user_key().size() + entries.value().size() + entries.where().ToString().size();
  }
  ferry::fuzz::Consume(bytes + reports);
  return 0;
}
