// Whether a name or a value looks like a secret, and why: the proposed mapping leaves such
// keys out and drops such fields, with the reason written beside them.
//
// Pure functions, thread-safe. A hint, not a proof: the user reviews the proposal.
#pragma once

#include <string>
#include <string_view>

namespace ferry::propose {

// Why `name` (a key or a field name) looks like it holds a secret ("its name contains
// \"token\""), or empty.
std::string SecretNameReason(std::string_view name);

// Why `value` looks like a credential (a JWT, a GitHub or Slack token, an AWS key id, a
// bearer header), or empty.
std::string SecretValueReason(std::string_view value);

}  // namespace ferry::propose
