// RecordedDecisions: the conflict decisions an interactive run (--conflict interactive) wrote
// to the target's audit log (agent/run/conflict_decision.h), answering each conflict of
// `ferry validate`'s dry run as the run decided it: a record the run skipped is kept (not
// compared), one it merged is compared as merge writes it, one it overwrote as overwrite does.
// A record with no recorded decision (the run inserted its row, or the row already equalled
// the source) is compared as overwrite writes it.
//
// Thread safety: used by the validating run's one thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "agent/run/conflict_decision.h"
#include "base/result.h"
#include "loaders/loader.h"

namespace ferry {

class RecordedDecisions : public ConflictChooser {
 public:
  // The decisions of run `run_id` as `loader`'s audit log holds them (the newest for a record
  // decided twice). Corruption when an entry cannot be read.
  static Result<std::shared_ptr<RecordedDecisions>> Read(Loader* loader, const std::string& run_id);

  Result<ConflictPolicy> Decide(const EntityMapping& entity, const std::string& legacy_id,
                                const Row& existing, const Row& incoming) override;
  bool LastAsked() const override { return false; }
  bool Records() const override { return false; }

  size_t size() const { return decided_.size(); }

 private:
  std::map<std::pair<std::string, std::string>, ConflictPolicy> decided_;  // (entity, key)
};

}  // namespace ferry
