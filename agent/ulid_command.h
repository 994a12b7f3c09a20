// `ferry ulid`: generate, decode and validate ULIDs from the command line
// (`generate [--count N] [--time T] | decode ULID | validate ULID...`).
//
// The Run* functions hold the logic and write to the streams they are given, so tests need no
// binary; AddUlidCommand only wires them to CLI11. Exit codes follow PRODUCT.md: 0 done,
// 1 failed (or, for validate, some argument invalid), 2 usage error.
//
// Thread safety: the Run* functions share no state; AddUlidCommand is called once per App.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace CLI {
class App;
}

namespace ferry {

// Registers `ulid` and its three subcommands on `root`; each callback stores its exit code in
// *exit_code. REQUIRES: exit_code outlives root's parsing.
void AddUlidCommand(CLI::App& root, int* exit_code);

// A --time value: an RFC 3339 date-time or decimal epoch milliseconds, 0 to kUlidMaxTime.
Result<uint64_t> ParseUlidTime(std::string_view text);

// Prints `count` (decimal text) ULIDs, one a line, in increasing order. With `time`, all have
// that time; without, each has the current time, never earlier than the one before.
int RunUlidGenerate(std::string_view count, const std::optional<std::string>& time,
                    std::ostream& out, std::ostream& err);

// Prints "time_ms=<ms> time=<RFC 3339> random=<20 hex digits>" for one ULID; a bad ULID is
// named on `err` with the reason (the bad character), and returns 2.
int RunUlidDecode(std::string_view text, std::ostream& out, std::ostream& err);

// Prints "<ULID>: ok" or "<ULID>: invalid: <reason>" a line per argument; 0 when all are valid.
int RunUlidValidate(const std::vector<std::string>& texts, std::ostream& out);

}  // namespace ferry
