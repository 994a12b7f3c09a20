#!/usr/bin/env bash
# From a fresh Debian 12 machine (as root) to a migrated database: installs the dependencies,
# builds ferry (Release, build/ferry), then migrates the bundled real Chromium localStorage
# store (examples/chromium-taskapp/, a profile written by Chromium 156: a LevelDB folder under
# Default/Local Storage/leveldb) into SQLite (ferry.db in the repository root) twice: a dry
# run, then for real; shows the way back (the backup listed, verified and restored, the run
# rolled back) and migrates again. ferry reads a private copy of the store, never the store
# itself. Run from any folder.
#
# The example holds 9 invalid records on purpose, so ferry exits 3 ("done, some records
# rejected", written to ferry-rejects-*.ndjson); 0 and 3 are success here, anything else fails.
#
#   --no-build   skip the dependencies and the build: use build/ferry as it is (the test of this
#                script, tests/tools/quickstart_test.cc, runs it so on a copy of the example)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=1
if [[ ${1:-} == --no-build ]]; then
  build=0
elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--no-build]" >&2
  exit 2
fi

example=examples/chromium-taskapp
target=sqlite:ferry.db

step() {
  echo
  echo "=== $*"
}

# Runs ferry with the given arguments; fails the script unless it exits 0 or 3.
migrate() {
  echo "\$ build/ferry migrate $*"
  local status=0
  # Standard input is not the terminal, so the first run makes a backup key file and says where,
  # instead of asking for a passphrase (README "The way back").
  build/ferry migrate "$@" </dev/null || status=$?
  case $status in
    0) echo "=== ferry exited 0: every record migrated" ;;
    3) echo "=== ferry exited 3: done, with rejected records (expected: the example has 9)" ;;
    *)
      echo "=== ferry exited $status: migration failed" >&2
      exit "$status"
      ;;
  esac
}

if [[ $build == 1 ]]; then
  step "dependencies"
  tools/install_deps.sh

  step "build (Release, build/)"
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DFERRY_BUILD_TESTS=OFF -DFERRY_SANITIZE=OFF
  cmake --build build -j2
fi

step "dry run: what would be written to $target"
migrate "$example" --user-id demo --target "$target" --dry-run --continue-on-error

step "migrate into $target"
migrate "$example" --user-id demo --target "$target" --continue-on-error

step "the way back: the run's backup of its sources, verified and restored"
archive=$(build/ferry backup list | sort | tail -n 1 | awk '{print $1}')
echo "\$ build/ferry backup list"
build/ferry backup list | sort | tail -n 1
echo "\$ build/ferry backup verify $archive"
build/ferry backup verify "$archive"
restored=$(mktemp -d)
trap 'rm -rf "$restored"' EXIT
echo "\$ build/ferry backup restore $archive --to $restored"
build/ferry backup restore "$archive" --to "$restored" | tail -n 1
diff -r "$example" "$restored/$(basename "$example")" && echo "=== restored byte for byte"

step "the way back: the run rolled back with its pre-images, then migrated again"
run=$(build/ferry backup list | sort | tail -n 1 | awk '{print $3}')
echo "\$ build/ferry rollback --target $target --run $run --dry-run"
build/ferry rollback --target "$target" --run "$run" --dry-run
echo "\$ build/ferry rollback --target $target --run $run"
build/ferry rollback --target "$target" --run "$run"
migrate "$example" --user-id demo --target "$target" --continue-on-error

echo
echo "Done: the data is in ferry.db (try: sqlite3 ferry.db .tables)."
