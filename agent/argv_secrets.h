// Hiding passwords in the process's own command line.
//
// Every local user can read /proc/PID/cmdline (and `ps` shows it) while ferry runs, so a
// password given in --target ("postgresql://user:PASSWORD@host/db", "password=..." in a
// connection string) is overwritten in argv before anything else happens; ferry parses a
// private copy. Better still is not to put it there: PGPASSWORD, ~/.pgpass or DATABASE_URL
// (docs/security.md).
//
// Thread safety: call once, at start, before other threads exist.
#pragma once

#include <string>
#include <vector>

namespace ferry {

// Copies argv, then overwrites with 'x' every password in argv's own strings (the same length,
// so that what ps shows keeps its shape). Returns the copy, with the passwords, to parse.
std::vector<std::string> TakeArgumentsHidingPasswords(int argc, char** argv);

}  // namespace ferry
