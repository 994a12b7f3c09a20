// A LevelDB table (.ldb: footer, index, snappy blocks, checksums) read as the chromium
// extractor reads one: the input is the file, both as its MANIFEST says and with another size.
#include <string>

#include "extractors/chromium/table_source.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/fuzz/scratch_dir.h"

FERRY_FUZZ_TARGET(chromium_table) {
  static const ferry::fuzz::ScratchDir dir;
  dir.Write("000005.ldb", ferry::fuzz::AsText(data, size));
  size_t reports = 0;
  ferry::CorruptionReporter reporter = [&](const ferry::Location& where,
                                           const ferry::Status& problem) {
    reports += where.ToString().size() + problem.ToString().size();
  };
  // As written; then a MANIFEST that remembers the file shorter (a grown file) or longer.
  for (uint64_t manifest_size : {uint64_t{size}, uint64_t{size / 2}, uint64_t{size} + 7}) {
    ferry::chromium::LiveTable table{"000005.ldb", size, manifest_size};
    auto source = ferry::chromium::OpenTable(dir.path(), "fuzz", table, reporter);
    if (source == nullptr) continue;
    size_t bytes = 0;
    for (; source->Valid(); source->Next()) {
      bytes += source->user_key().size() + source->value().size() + source->sequence();
      bytes += source->deletion() ? 1 : 0;
    }
    ferry::fuzz::Consume(bytes + reports);
  }
  return 0;
}
