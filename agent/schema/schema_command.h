// `ferry schema status | up | down`: the target's versioned, checksummed schema migrations
// (docs/schema-migrations.md). `status` lists them and writes nothing; `up` applies the pending
// ones (creating, adopting or evolving tables); `down` reverts the newest migration of a mapping
// table, of one named table, or one numbered migration.
//
// RunSchemaCommand holds the logic and writes to the streams it is given; AddSchemaCommand only
// wires it to CLI11. Exit codes follow PRODUCT.md: 0 done; 1 failed, or (status) a migration
// changed or is missing; 2 usage or configuration error; 4 locked.
//
// Thread safety: RunSchemaCommand shares no state; AddSchemaCommand is called once per App.
#pragma once

#include <ostream>
#include <string>

namespace CLI {
class App;
}

namespace ferry {

struct SchemaCommandOptions {
  std::string action;        // "status", "up" or "down"
  std::string target;        // --target; empty: DATABASE_URL, else sqlite:ferry.db
  std::string mapping_file;  // --mapping; empty: the bundled taskapp mapping
  std::string which;         // down: a table of the mapping or a migration's version; "": newest
  bool force = false;        // --force (down): drop a table (or column) that holds rows
  bool json = false;         // --json: one JSON document on `out`
};

// Runs one action; returns the exit code.
int RunSchemaCommand(const SchemaCommandOptions& options, std::ostream& out, std::ostream& err);

// Registers `schema` and its three subcommands on `root`; each callback stores its exit code in
// *exit_code. REQUIRES: exit_code outlives root's parsing.
void AddSchemaCommand(CLI::App& root, int* exit_code);

}  // namespace ferry
