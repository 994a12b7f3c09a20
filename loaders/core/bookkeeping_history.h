// Whether a target's schema history records ferry's bookkeeping as this ferry knows it: version
// 1 and the later steps each recorded as a row of its own (found by description), every one
// with the checksum this ferry renders. Both targets read their history rows and judge them
// here, so that both refuse the same things with the same words.
//
// Pure function, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "loaders/schema_history.h"  // HistoryRow

namespace ferry {

// The bookkeeping this ferry creates, as its target records it.
struct ExpectedBookkeeping {
  std::string history_table;  // as messages name it: "ferry.schema_history"
  int version = 1;            // the bookkeeping's own version row
  std::string checksum;       // of that version
  // The later steps (bookkeeping 2, 3...), each recorded at some version with its description.
  struct Step {
    std::string description;
    std::string checksum;
  };
  std::vector<Step> steps;
  // Appended to a checksum mismatch, saying what to do: of `version`, and of a step.
  std::string version_changed_hint;
  std::string step_changed_hint;
};

// Fails when `rows` say the bookkeeping is newer than `expected` (InvalidArgument: a row of
// neither a mapping table nor a known step, above the version) or was changed outside ferry
// (Corruption: a checksum differs). Sets *recorded when the version row is there and
// (*steps)[i] when step i is. Rows of mapping tables (loaders/schema_history.h) are skipped.
Status CheckBookkeepingHistory(const std::vector<HistoryRow>& rows,
                               const ExpectedBookkeeping& expected, bool* recorded,
                               std::vector<bool>* steps);

}  // namespace ferry
