// Drains an extractor as `ferry migrate` does (Open, then every entry), for the fuzz targets
// of the file-based source kinds. Damage reports are taken and dropped.
#pragma once

#include <memory>

#include "extractors/extractor.h"

namespace ferry::fuzz {

// Opens `extractor` and reads it to its end; returns how many entries it gave.
inline size_t Drain(std::unique_ptr<Extractor> extractor) {
  size_t entries = 0;
  size_t bytes = 0;
  extractor->SetReporter([&](const Location& where, const Status& problem) {
    bytes += where.ToString().size() + problem.ToString().size();
  });
  if (!extractor->Open().ok()) return 0;
  for (; extractor->Valid(); extractor->Next()) {
    const Entry& entry = extractor->entry();
    bytes += entry.key.size() + entry.value.size() + entry.where.ToString().size();
    ++entries;
  }
  bytes += extractor->status().ToString().size();
  return entries;
}

}  // namespace ferry::fuzz
