// Builds a Mapping from a document that passed CheckMappingStructure, checking every rule
// that spans keys: names (mapping_names.h), columns (mapping_columns.h), sources, ids,
// primary and unique keys, references to unknown entities, reference cycles ("tasks →
// projects → tasks"); then orders entities parents first and compiles each JSON Schema.
//
// Thread safety: reentrant.
#pragma once

#include "agent/mapping/document.h"
#include "agent/mapping/files.h"
#include "base/result.h"
#include "transformers/mapping.h"

namespace ferry {

// REQUIRES: CheckMappingStructure(doc) is OK. Schema files are read through `files`.
Result<Mapping> BuildMapping(const MappingDocument& doc, const MappingFiles& files);

}  // namespace ferry
