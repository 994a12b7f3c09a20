// UnitProcessor: a unit yielded as a placeholder (UnitEntries::entries_deferred) is read by the
// worker that takes it, so that the files of a resume's or rerun's units found unchanged are
// hashed and indexed by the workers together rather than by the one reading thread
// (Extractor::SetDeferEntries; docs/benchmarks.md, "Twelfth session: resume (h-resume3)").
#include <spdlog/spdlog.h>

#include "agent/run/unit_processor.h"

namespace ferry {

Status UnitProcessor::Process(const UnitEntries& entries) {
  if (!entries.entries_deferred()) return ProcessRead(entries);
  spdlog::debug("{}: read by its worker (passed on unread by the reading thread)", entries.unit());
  FERRY_ASSIGN_OR_RETURN(UnitEntries read, entries.entries_reader()([this](const Location& where,
                                                                           const Status& problem) {
    return RecordProblem(where, problem);
  }));
  if (read.empty()) return Status::OK();  // no entries: no unit, as when read in order
  return ProcessRead(read);
}

}  // namespace ferry
