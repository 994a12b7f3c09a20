// Checks a mapping document against schemas/mapping.schema.json (its embedded copy) with
// valijson: unknown keys, missing keys, wrong types and values outside an enum, each named
// with its line, column and path. The rules that span keys are mapping_builder.h's.
//
// Thread safety: reentrant (the meta-schema is parsed once, thread-safely, and then shared).
#pragma once

#include "agent/mapping/document.h"
#include "base/status.h"

namespace ferry {

// OK when `doc` has the structure of a mapping; else InvalidArgument naming the first
// problem ("mapping.yaml:12:5: entities.tasks.columns.title: unknown key 'form'").
Status CheckMappingStructure(const MappingDocument& doc);

}  // namespace ferry
