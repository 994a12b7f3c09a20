// ProposeMappingYaml: a mapping file for the key groups of some sources, which
// `ferry migrate --mapping FILE` takes as it is. Every key is mapped, or listed under
// `ignore` with the reason (a secret, the empty key); fields whose name or value looks
// secret are left out of the columns, dropped from JSON and marked `sensitive`, each with a
// comment saying why. A person reviews it before a real run: names, types and keys are
// guesses from the values seen.
//
// Pure function, thread-safe.
#pragma once

#include <string>
#include <vector>

#include "agent/propose/key_groups.h"

namespace ferry::propose {

struct ProposeOptions {
  std::vector<std::string> sources;  // as given, for the header comment
  bool several_origins = false;      // name each entity's origin in its source
};

std::string ProposeMappingYaml(const std::vector<KeyGroup>& groups, const ProposeOptions& options);

}  // namespace ferry::propose
