// Interactive conflicts (--conflict interactive): for each record whose row the target holds,
// the person at the terminal sees the row's fields side by side (current -> incoming, changed
// fields marked, sensitive fields withheld: agent/run/conflict_values.h) and presses one key:
//   s skip, o overwrite, m merge; S, O, M the same for this and every remaining conflict of the
//   entity; q stop: nothing of the current batch is written and the run is resumable (as after
//   Ctrl-C: agent/run/stop_signal.h).
// The view is laid out for the terminal's width when it is drawn, so a resize between two
// conflicts takes effect at the next one. The keys are read from standard input in raw mode
// (restored after each key); the view goes to standard error.
//
// Thread safety: one run thread (interactive runs use one worker).
#pragma once

#include <map>
#include <string>

#include "agent/run/conflict_decision.h"
#include "base/result.h"
#include "base/row.h"
#include "loaders/loader.h"
#include "transformers/mapping.h"

namespace ferry {

// True when standard input is a terminal: --conflict interactive is refused otherwise.
bool StdinIsTerminal();

class ConflictDecider : public ConflictChooser {
 public:
  ConflictDecider() = default;
  ConflictDecider(const ConflictDecider&) = delete;
  ConflictDecider& operator=(const ConflictDecider&) = delete;

  // What becomes of `legacy_id`'s record of `entity`: its row `existing` against `incoming`.
  // Asks, unless an S/O/M answer covers the entity. The stop status (IsStop) after q; a failed
  // read of the terminal (end of input) is a stop too.
  Result<ConflictPolicy> Decide(const EntityMapping& entity, const std::string& legacy_id,
                                const Row& existing, const Row& incoming) override;
  bool LastAsked() const override { return last_asked_; }
  bool Records() const override { return true; }

  // The view of one conflict laid out in `columns` (for tests; Decide draws it).
  static std::string View(const EntityMapping& entity, const std::string& legacy_id,
                          const Row& existing, const Row& incoming, int columns);

 private:
  std::map<std::string, ConflictPolicy> for_entity_;  // S/O/M answers
  bool last_asked_ = false;
};

}  // namespace ferry
