// The `firefox` source kind: Firefox's localStorage (docs/formats/firefox-localstorage.md).
//
// The source is a profile folder, a folder holding profiles.ini (every profile in it, in name
// order), an origin folder or its `ls` folder, a data.sqlite, a webappsstore.sqlite or an
// ls-archive.sqlite (detection.h). Each profile is one unit (Entry::unit is the profile folder).
// Every database is copied aside with its -wal/-journal and only the copy is opened by SQLite
// (sqlite_db.h); the original is never written, locked or opened by SQLite.
//
// Within a profile, origins come in origin order, each origin's keys together in key order
// (code point order). An origin is read from one store only, the newest that holds it:
// storage/default/<origin>/ls/data.sqlite, else storage/ls-archive.sqlite (rows Firefox has
// not moved yet), else webappsstore.sqlite (the old store, which Firefox no longer writes by
// default: read with a warning that it may be stale when the newer stores sit beside it).
//
// Damage that leaves the rest readable is reported with the file, origin and key (a bad
// snappy value, an unknown compression or conversion type, a NULL key, a truncated file, rows
// lost to a damaged page: after one, the rest of that table is read in storage order). Text that is
// not well-formed is decoded with U+FFFD, the entry marked lossy (with its exact JSON) and
// reported. A database that cannot be read at all (empty, not SQLite, no `data` table) ends the
// iteration with Corruption when it is the source's only store; among several it is reported and
// skipped.
#pragma once

#include <memory>

#include "extractors/extractor.h"

namespace ferry {

// An extractor over the Firefox store(s) at spec.path; errors surface from Open().
std::unique_ptr<Extractor> MakeFirefoxExtractor(const SourceSpec& spec);

}  // namespace ferry
