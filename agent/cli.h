// The command line: `ferry <command> ...`, each command registered from its own file.
#pragma once

namespace ferry {

// Parses argv, runs the command and returns the process exit code (PRODUCT.md: 0 done,
// 1 failed, 2 usage or configuration error, 3 done with rejects, 4 locked).
int RunFerry(int argc, char** argv);

}  // namespace ferry
