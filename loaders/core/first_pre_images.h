// FirstPreImages: the PreImageStream of a run's pre-image records (loader.h), in memory bounded
// whatever the run's size (issue 17: a rollback held about 1.3 KiB per row).
//
// A run records a pre-image each time a batch writes a row; the first one of each address is
// the row as it was before the run. Each ForEach reads the records afresh from its source,
// keeps the first of each address in a SpillingKeyIndex (base/spilling_key_index.h: memory up
// to its budget, sorted runs in an unnamed temporary file past it) and gives them in the
// index's order. What goes to that file is sealed (XChaCha20-Poly1305) under a key made for the
// one call and held only in memory, and addressed by a keyed hash: no row, key or id of the
// run's data is on disk in the clear, even while the process lives. So are the fallback images
// (AddFallback) it holds between calls.
//
// Thread safety: one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "base/spilling_key_index.h"
#include "base/status.h"
#include "loaders/core/pre_image.h"
#include "loaders/loader.h"

namespace ferry {

class FirstPreImages final : public PreImageStream {
 public:
  // Takes each record's bytes (pre_image.h), in the order the run wrote them.
  using RecordSink = std::function<Status(std::string_view record)>;
  // Calls the sink with every record of the run, oldest first; fails as the records' store
  // does. Called once per ForEach.
  using RecordSource = std::function<Status(const RecordSink&)>;

  explicit FirstPreImages(RecordSource source, uint64_t memory_budget = kKeyIndexMemoryBudget);

  ~FirstPreImages() override;

  // PreImageStream. Corruption for a record that does not decode; IOError when a temporary
  // file fails. The fallback images go to an unnamed temporary file past 1 MiB, sealed under a
  // key made for this object (FallbackSpool): a killed run's id map may hold millions.
  Status ForEach(const std::function<Status(const PreImage&)>& visit) override;
  Status AddFallback(const PreImage& image) override;
  void ClearFallback() override;

  // How many sorted runs the last ForEach wrote to its temporary file (0: all in memory).
  size_t spilled_runs() const { return spilled_runs_; }
  // The bytes of fallback images in their temporary file (0: none, or all in memory).
  uint64_t fallback_file_bytes() const;

 private:
  RecordSource source_;
  uint64_t memory_budget_;
  class FallbackSpool;
  std::unique_ptr<FallbackSpool> fallback_;  // null: none
  size_t spilled_runs_ = 0;
};

// A FirstPreImages over `images`, held in memory (tests, small callers).
std::unique_ptr<FirstPreImages> PreImagesInMemory(std::vector<PreImage> images);

}  // namespace ferry
