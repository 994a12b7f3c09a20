#include "loaders/core/bookkeeping_history.h"

#include <string>

namespace ferry {

Status CheckBookkeepingHistory(const std::vector<HistoryRow>& rows,
                               const ExpectedBookkeeping& expected, bool* recorded,
                               std::vector<bool>* steps) {
  *recorded = false;
  steps->assign(expected.steps.size(), false);
  for (const HistoryRow& row : rows) {
    const std::string version = std::to_string(row.version);
    if (row.version == expected.version) {
      if (row.checksum != expected.checksum) {
        return Status::Corruption(expected.history_table + ": version " + version +
                                  " has checksum " + row.checksum + ", expected " +
                                  expected.checksum + expected.version_changed_hint);
      }
      *recorded = true;
      continue;
    }
    if (CreatedTableName(row.description)) {
      continue;  // a mapping table's migration
    }
    bool known_step = false;
    for (size_t i = 0; i < expected.steps.size() && !known_step; ++i) {
      const ExpectedBookkeeping::Step& step = expected.steps[i];
      if (row.description != step.description) continue;
      if (row.checksum != step.checksum) {
        return Status::Corruption(expected.history_table + ": migration " + version + " (" +
                                  row.description + ") has checksum " + row.checksum +
                                  ", expected " + step.checksum + expected.step_changed_hint);
      }
      (*steps)[i] = true;
      known_step = true;
    }
    if (!known_step && row.version > expected.version) {
      return Status::InvalidArgument("the target's ferry tables are of version " + version +
                                     ", newer than this ferry understands (" +
                                     std::to_string(expected.version) + "): upgrade ferry");
    }
  }
  return Status::OK();
}

}  // namespace ferry
