// The `ndjson` source kind: one JSON record per line. The input is the file.
#include "extractors/ndjson/ndjson_extractor.h"
#include "tests/fuzz/drain.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/scratch_dir.h"

FERRY_FUZZ_TARGET(ndjson) {
  static const ferry::fuzz::ScratchDir dir;
  std::string path = dir.Write("tasks.ndjson", ferry::fuzz::AsText(data, size));
  ferry::fuzz::Drain(ferry::MakeNdjsonExtractor(ferry::SourceSpec{"ndjson", path, {}}));
  return 0;
}
