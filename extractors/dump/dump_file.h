// Reading one localStorage dump file into entries (the dump source kind's parser).
//
// A dump is one JSON object, either {key: string} (what JSON.stringify(localStorage) gives for
// one origin; entries get origin "") or {origin: {key: string}} (what `ferry export` writes).
// The form is that of the first member whose value is a string (flat) or an object (origin
// form); a member of the other form later on makes the file Corruption, since it is then
// neither. A value that is neither a string nor an object of strings is one bad value: it is
// a problem, not a failure, and the other keys are read.
//
// Strings are decoded by DecodeJsonString, so unpaired UTF-16 surrogates (which simdjson
// refuses) become U+FFFD with Entry::lossy set, on keys and values alike; such an entry's
// exact_*_json keep the escapes, so that `ferry export` of a dump gives the dump back.
//
// Thread safety: a free function; give each thread its own parser.
#pragma once

#include <simdjson.h>

#include <string>
#include <vector>

#include "base/location.h"
#include "base/status.h"
#include "extractors/entry.h"

namespace ferry {

struct DumpProblem {
  Location where;
  Status problem;
};

// Reads the dump held in `text` (the contents of `path`) and appends its entries, in file
// order, to *entries, and its bad values to *problems. Entries get unit = path and
// user_hint = the file's stem. `origins` keeps only those origins of an origin-form dump
// (empty keeps all; a flat dump has no origin and is kept whole). On failure (not JSON, not
// an object, a mix of forms, a key with a bad escape) returns Corruption naming the place;
// *entries and *problems are then unspecified.
Status ReadDumpText(const std::string& path, const simdjson::padded_string& text,
                    const std::vector<std::string>& origins, simdjson::ondemand::parser* parser,
                    std::vector<Entry>* entries, std::vector<DumpProblem>* problems);

}  // namespace ferry
