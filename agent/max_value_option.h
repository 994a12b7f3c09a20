// --max-value-bytes: the cap on one value that every command reading sources takes
// (SourceSpec::max_value_bytes, docs/design.md "Memory").
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>

namespace ferry {

// Adds --max-value-bytes N to `command`, stored in *max_value_bytes (which holds the default).
void AddMaxValueBytesOption(CLI::App* command, uint64_t* max_value_bytes);

}  // namespace ferry
