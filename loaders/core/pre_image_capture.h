// Capturing a batch's pre-images (loaders/core/pre_image.h) before the batch is written: once,
// over LoaderBackend, for both targets.
//
// Thread safety: uses the backend of the calling loader's thread; the sink is shared.
#pragma once

#include "base/status.h"
#include "loaders/core/loader_backend.h"
#include "loaders/loader.h"

namespace ferry {

// Reads what `batch` is about to change (its rows by primary key, their id-map rows, its
// checkpoint), appends one record each to `sink`, and flushes the sink, so that the records
// are on disk before the batch's transaction can commit. Reads only; the batch is not written.
// With `flush` false the caller flushes the sink itself before the transaction (several
// batches written together: one sync for all of them).
// REQUIRES: batch.table non-null and created; the backend opened for writing.
Status CapturePreImages(LoaderBackend& backend, const WriteBatch& batch, PreImageSink& sink,
                        bool flush = true);

}  // namespace ferry
