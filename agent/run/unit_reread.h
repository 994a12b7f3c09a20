// Reading one unit of a file source again, on its own, away from the run's reading thread: the
// unit whose entries were yielded without their values (UnitEntries::Reload), and the unit
// yielded as a placeholder (UnitEntries::SetEntriesReader), whose keys the worker that takes
// it reads (docs/reliability.md, "Rerun over an unchanged source").
//
// Thread safety: each call makes its own extractor; any thread.
#pragma once

#include <functional>
#include <string>

#include "agent/run/unit_entries.h"
#include "base/location.h"
#include "base/result.h"
#include "base/status.h"
#include "extractors/extractor.h"

namespace ferry {

// The unit that is the file `file` of a source made from `spec`, read again with its values
// (UnitEntries::Reload, which checks that its bytes are those its keys were read from). The
// damage it holds was reported when its keys were read: not twice.
Result<UnitEntries> ReadUnitAgain(SourceSpec spec, const std::string& file);

// Gives `unit`, the file `file` of a source made from `spec` as the reading thread or a worker
// begins it, what its extractor says of its bytes: their digest, and the readers of what was
// deferred (its values: ReadUnitAgain; its entries, for a placeholder: ReadUnitKeys).
void SetUnitBytes(const SourceSpec& spec, const std::string& file,
                  const Extractor::UnitBytes& bytes, UnitEntries* unit);

// The unit that is the file `file` of a source made from `spec`, its keys read without values
// (a unit its digest may find unchanged: UnitEntries::values_deferred, reloaded whole by
// ReadUnitAgain). The damage its file holds goes to `report`, whose first failure (a stop on
// the reject rate) is returned. A file that is damaged whole (not a dump: Corruption) is
// reported so too and gives no entries, as the reading thread reports such a file of a folder
// and passes over it; any other failure (unreadable) is returned.
Result<UnitEntries> ReadUnitKeys(SourceSpec spec, const std::string& file,
                                 const UnitEntries::ProblemRecorder& report);

}  // namespace ferry
