// The parts of a rollback both targets share (Loader::RollBack): whether a later run stands in
// the way, what the archive does not hold (the rows the run inserted keyed by their id-map rows,
// and what a killed session left out), and what the rollback does, counted.
//
// A run records a pre-image each time a batch writes a row, but for a row it inserts keyed by
// what its id-map row holds (derived here instead: KeyFromIdentity); the first one of each row
// is the row as it was before the run (first_pre_images.h keeps it). Putting back the first of
// each address (PreImage::Address) in one transaction is exact whatever state a killed earlier
// attempt left: each one sets its row to a fixed value, so rerunning the same rollback ends in
// the same target.
//
// Each function reads the images in one pass (PreImageStream::ForEach) and keeps at most a
// chunk of them, whatever the run's size.
//
// Thread safety: the functions are pure but for the backend and stream they read.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "loaders/core/loader_backend.h"
#include "loaders/core/pre_image.h"
#include "loaders/loader.h"

namespace ferry {

// InvalidArgument naming the later run when an id-map row the run `run_id` wrote is now
// neither as the run left it (written by `run_id`) nor as it was before the run (the image):
// that later run must be rolled back first. Reads only.
Status CheckNoLaterChange(LoaderBackend& backend, const std::string& run_id,
                          PreImageStream& images);

// InvalidArgument naming the run when a run of `later_runs` (the runs begun after `run_id`
// and not rolled back) holds a checkpoint of one of `users` (the users of run_id's images): it
// wrote a batch of that user after run_id did, so it may have changed an id-map row run_id
// inserted. The archive holds no record of such an id-map row (the capture derives it), and the
// row now names the later run, so neither the id map nor CheckNoLaterChange sees it: the
// checkpoint does, since every batch writes its user's checkpoint in its own transaction.
// Coarser than CheckNoLaterChange (a later run that only added rows of the user counts too):
// the price of not recording a million id-map rows. Reads only.
Status CheckNoLaterLoad(LoaderBackend& backend, const std::string& run_id,
                        const std::vector<std::string>& users,
                        const std::vector<std::string>& later_runs);

// Whether a rollback finds a row of `table` by the id map: its primary key is one ULID column,
// which holds the ULID of the row's id-map row (the mapping's `$ulid`). The capture records
// no pre-image of a row it inserts into such a table (loaders/core/pre_image_capture.h).
bool RowsKeyedByUlid(const TableDef& table);

// The primary key of the row of `table` that the id-map row (user, legacy id, ULID) names, when
// the table is RowsKeyedByUlid or its key is made of those parts (TableDef::key_from_identity:
// `user_preferences` by its `$user`, `form_data` by `$user` and the `$key_suffix` that is its
// legacy id). False when the key holds anything else: the archive must then hold the row's
// record. The capture records no pre-image of a row it inserts plainly under this key
// (loaders/core/pre_image_capture.h); every rollback derives its delete (DeriveLostPreImages).
bool KeyFromIdentity(const TableDef& table, const std::string& user_id,
                     const std::string& legacy_id, const std::string& ulid, Row* key);

// Adds to the fallback of `images` (after clearing it) what the run's archives do not hold but
// the target's bookkeeping says: an absent image of each id-map row the run `run_id` wrote last
// and of its row (in the table of its entity, `tables`, under KeyFromIdentity: its ULID, or its
// user and legacy id). The capture records no image of a row the run inserted into such a
// table, nor of its id-map row, so every rollback derives them; a row or id-map row the run changed
// has its recorded image, which wins over the fallback (PreImageStream::AddFallback).
//
// With `unfinished` (a killed session left an archive without its last records: the capture
// flushes a batch that only inserts with the next one), also an absent image of every
// checkpoint the run wrote last; each was inserted by the run and is deleted, unless the
// archive has an image of it. Those id-map rows of an entity whose table has no
// KeyFromIdentity then go to *unkeyed instead: their rows cannot be found, so the archive must
// have them (CheckUnkeyedRecorded). Without `unfinished` *unkeyed stays empty: a finished
// archive holds every other record. Memory: a page of the id map (the fallback is held out of
// memory), the run's checkpoints, and *unkeyed. Reads only.
Status DeriveLostPreImages(LoaderBackend& backend, const std::string& run_id,
                           const std::vector<const TableDef*>& tables, bool unfinished,
                           PreImageStream* images, std::vector<PreImage>* unkeyed);

// InvalidArgument naming the entity when an image of `unkeyed` has no record among `images`
// (whose fallback, from DeriveLostPreImages, holds none of them). One pass.
Status CheckUnkeyedRecorded(PreImageStream& images, const std::string& run_id,
                            const std::vector<PreImage>& unkeyed);

// What putting back `images` does, and whose users they are.
Status CountRollback(PreImageStream& images, RollbackOutcome* outcome);

// One line for the audit log and the report: "N row(s) deleted, M restored, ...".
std::string DescribeRollback(const RollbackOutcome& outcome);

}  // namespace ferry
