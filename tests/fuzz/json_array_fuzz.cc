// The `json` source kind: a file holding one JSON array of records. The input is the file.
#include "extractors/json/json_extractor.h"
#include "tests/fuzz/drain.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/scratch_dir.h"

FERRY_FUZZ_TARGET(json_array) {
  static const ferry::fuzz::ScratchDir dir;
  std::string path = dir.Write("tasks.json", ferry::fuzz::AsText(data, size));
  ferry::fuzz::Drain(ferry::MakeJsonExtractor(ferry::SourceSpec{"json", path, {}}));
  return 0;
}
