// The LevelDB MANIFEST reader (a log of version edits) and the live-file finder above it, as
// the chromium extractor reads a folder: the input is MANIFEST-000001, which CURRENT names.
#include <string>

#include "extractors/chromium/live_files.h"
#include "extractors/chromium/manifest.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/scratch_dir.h"

FERRY_FUZZ_TARGET(chromium_manifest) {
  static const ferry::fuzz::ScratchDir dir;
  dir.Write("CURRENT", "MANIFEST-000001\n");
  std::string path = dir.Write("MANIFEST-000001", ferry::fuzz::AsText(data, size));
  size_t reports = 0;
  ferry::CorruptionReporter reporter = [&](const ferry::Location& where,
                                           const ferry::Status& problem) {
    reports += where.ToString().size() + problem.ToString().size();
  };
  auto state = ferry::chromium::ReadManifest(path, "fuzz/MANIFEST-000001", reporter);
  auto live = ferry::chromium::FindLiveFiles(dir.path(), "fuzz", reporter);
  if (live.ok()) reports += live->tables.size() + live->logs.size();
  return 0;
}
