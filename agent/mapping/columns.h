// Builds one column of a mapping (entities.<e>.columns.<name>) and checks the rules that
// span its keys: the column type, `from` and its specials ($user, $ulid, ...), `const`,
// `default` against the type, `map`, `format`, `drop`, `references` and `on_missing`.
// Rules that span columns or entities are mapping_builder.cc's.
//
// Thread safety: pure function.
#pragma once

#include <string>

#include "agent/mapping/document.h"
#include "base/result.h"
#include "transformers/mapping.h"

namespace ferry {

// The column `name` whose spec is at `pointer` in `doc` (it passed CheckMappingStructure).
// `has_key_prefix`: the entity's source is a key prefix ($key_suffix is available).
Result<ColumnMapping> BuildColumn(const MappingDocument& doc, const std::string& pointer,
                                  const std::string& name, bool has_key_prefix);

}  // namespace ferry
