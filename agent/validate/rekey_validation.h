// `ferry validate` of a rekey run (docs/rekey.md, "Validating a rekey"): the run's tables,
// read with the run's plan, checked as the rekey verifies them at its end (VerifyRekey, and
// VerifyIdMap for hybrid): every row has a well-formed ULID, unique in its table, whose time is
// its creation time; each <fk>_ulid is its parent's ULID; no reference is orphaned; (hybrid)
// the id map holds exactly the table's old keys with their ULIDs. After a switch the same, with
// the ULIDs in the key and reference columns and the old values in the legacy_ ones (a row
// inserted by ULID since, without old values, must reference its parent by ULID). Each kind of
// problem is named with the first rows: table, column, key and value. Reads only.
//
// Thread safety: pure but for the target it reads; owned by the command's thread.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "agent/rekey/ulid_fill.h"
#include "base/result.h"
#include "loaders/loader.h"

namespace ferry {

struct RekeyValidation {
  std::string run_id;
  std::string strategy;  // as the run recorded it
  std::string plan;      // the plan file read
  std::vector<std::string> tables;
  std::vector<std::string> from_catalog;  // foreign keys the catalog added to the plan
  std::vector<std::string> switched;      // (switch) tables whose keys are switched
  RekeyVerification verification;

  // 0 when nothing is wrong, 3 otherwise (a problem, or an orphaned reference).
  int ExitCode() const {
    return verification.problems.empty() && verification.orphans == 0 ? 0 : 3;
  }
};

// Validates rekey run `run` (REQUIRES: its arguments are a rekey's) on the target of
// `target_flag` (--target; empty: DATABASE_URL, else sqlite:ferry.db). InvalidArgument (exit 2)
// when the run's plan file is gone or does not fit the database (a switch run's group half
// switched, by hand, included).
Status ValidateRekeyRun(const std::string& target_flag, const RunRecord& run, RekeyValidation* out);

// The tables checked, then each problem with its rows, each orphan, then the verdict.
void PrintRekeyValidation(const RekeyValidation& validation, std::ostream& out);

// The same as one JSON document (`ferry validate --report FILE`).
std::string RekeyValidationJson(const RekeyValidation& validation);

}  // namespace ferry
