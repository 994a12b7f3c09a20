// Writes a simdjson DOM value back as compact JSON text, optionally without some members.
//
// Used for json/jsonb columns: `config` is stored without `githubToken`. The input was
// validated UTF-8 by simdjson, so only quotes, backslashes and control characters need
// escaping. Nesting is bounded by the parser's depth limit, so recursion is bounded too.
//
// Pure functions, thread-safe.
#pragma once

#include <simdjson.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry {

// Appends `value` as JSON to `out`, leaving out every member named by a dotted path in
// `drop` (paths are relative to `value`: "githubToken", "session.accessToken").
void AppendJson(simdjson::dom::element value, const std::vector<std::string>& drop,
                std::string* out);

// Seals the JSON text of a value at a `seal` path (relative, as given) into the text stored
// in its place, as a JSON string (sensitive: encrypt, transformers/field_seal.h).
using JsonSealer = std::function<std::string(std::string_view json, const std::string& path)>;

// As above, and each member named by a path in `seal` is replaced by the JSON string of
// `sealer` applied to its JSON text (itself written without the members `drop` names below
// it). REQUIRES: sealer when seal is not empty.
void AppendJson(simdjson::dom::element value, const std::vector<std::string>& drop,
                const std::vector<std::string>& seal, const JsonSealer& sealer, std::string* out);

// Appends `text` as a JSON string literal (with quotes) to `out`.
void AppendJsonString(std::string_view text, std::string* out);

}  // namespace ferry
