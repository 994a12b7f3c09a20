// The `chromium` source kind: the localStorage of Chromium-based browsers (Chromium, Chrome,
// Edge, Brave), a LevelDB folder (docs/formats/chromium-localstorage.md).
//
// The source is a "Local Storage/leveldb" folder, a profile folder holding one, or a whole
// user-data folder (every profile in it, in name order); each profile is one unit
// (Entry::unit is the profile folder). Each store is copied to a private folder first and
// the copy read (extractors/common/store_copy.h, leveldb_reader.h), one store at a time; the
// original is never written, locked or opened by LevelDB.
//
// Entries come in key order: by origin, then by encoded key. Damage that leaves the rest
// readable is reported (torn log tail, bad block, missing table, ...). A string that is not
// well-formed UTF-16 is decoded with U+FFFD and the entry marked lossy (not reported: it is
// not damage), with Entry::lossy_detail saying what was wrong and Entry::exact_*_json
// keeping every code unit for `ferry export`. A store that cannot be read at all (no MANIFEST) ends
// the iteration with Corruption when it is the only one; among several profiles it is reported and
// skipped.
#pragma once

#include <memory>

#include "extractors/extractor.h"

namespace ferry {

// An extractor over the Chromium store(s) at spec.path; errors surface from Open().
std::unique_ptr<Extractor> MakeChromiumExtractor(const SourceSpec& spec);

}  // namespace ferry
