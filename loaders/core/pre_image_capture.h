// Capturing a batch's pre-images (loaders/core/pre_image.h) before the batch is written: once,
// over LoaderBackend, for both targets.
//
// Thread safety: uses the backend of the calling loader's thread; the sink is shared.
#pragma once

#include "base/status.h"
#include "loaders/core/checkpoints_before.h"
#include "loaders/core/loader_backend.h"
#include "loaders/loader.h"

namespace ferry {

// Reads what `batch` of run `run_id` is about to change (its rows by primary key, their id-map
// rows, its checkpoint) and appends one record each to `sink`, but none for what the run
// wrote itself (an id-map row or checkpoint whose run is `run_id`, and that id-map row's
// row): the run's first record of it came earlier. Nor for a row it inserts plainly (its
// identity new to the id map, not adopted) keyed by what that identity's id-map row holds (its
// ULID; or its user and legacy id, as `user_preferences` and `form_data` are:
// KeyFromIdentity, loaders/core/rollback.h), nor for the id-map row the batch writes with it:
// every rollback derives both deletes from that id-map row, which names the run
// (DeriveLostPreImages), and learns that a later run changed it from the checkpoints that run
// left on the same user (CheckNoLaterLoad). Reads only; the batch is not written.
//
// Flushes the sink (the records on disk before the batch's transaction can commit) when a
// record holds something the batch changes, or an insert a rollback could not find without
// it. A batch that only inserts rows keyed by their id-map row, new id-map rows and a new
// checkpoint is not flushed: everything it writes carries `run_id` in the id map or the
// checkpoints, whence a rollback derives the deletes that a killed session's unflushed
// records would have said (loaders/core/rollback.h, DeriveLostPreImages).
// With `flush_needed` non-null nothing is flushed here: *flush_needed becomes true when this
// batch needs the flush, and the caller flushes once before the transaction that writes it
// with other batches (a small user's batches written together).
// With `before` (the loader's, kept over the run) the batch's checkpoint is found there, its
// user's read once; without, it is read for the batch.
// REQUIRES: batch.table non-null and created; the backend opened for writing.
Status CapturePreImages(LoaderBackend& backend, const WriteBatch& batch, const std::string& run_id,
                        PreImageSink& sink, bool* flush_needed = nullptr,
                        CheckpointsBefore* before = nullptr);

}  // namespace ferry
