#!/usr/bin/env bash
# Installs the Debian 12 packages ferry needs to build, test and format-check. Idempotent: asks
# dpkg which packages are missing and touches apt only when some are. Run as root (the default on
# the project's machines); as another user it only says what to install.
#
# Note: libvalijson-dev *depends* (not recommends) on Qt 5, Poco, jsoncpp, picojson and RapidJSON
# dev packages, so --no-install-recommends cannot avoid them; it still skips ~100 recommended
# packages (X11 bits, documentation, sysstat, ...). ferry only uses valijson's headers and its
# CMake config, both of which the package itself ships.
set -euo pipefail

packages=(
  # build; ccache serves a rebuild or a fresh clone on the same machine (tools/test.sh uses it
  # when present: CI's two builds then take about a minute instead of a quarter of an hour)
  cmake g++ make pkg-config ccache
  # libraries (all used as Debian packages; nothing is vendored)
  libleveldb-dev libsnappy-dev libsqlite3-dev libpqxx-dev libsimdjson-dev libvalijson-dev
  nlohmann-json3-dev libsodium-dev libzstd-dev libcli11-dev libfmt-dev libspdlog-dev
  libyaml-cpp-dev libpcre2-dev
  # tests: Catch2, the throwaway PostgreSQL 15 server, sqlite3 CLI, fixture scripts
  catch2 postgresql-15 sqlite3 python3
  # tests: the Firefox reader checked against Python's sqlite3 + snappy (firefox_differential.py)
  python3-snappy
  # tests: the HTML report rendered in a real browser (tests/e2e/html_report_chromium.sh)
  chromium
  # tests: ferry man rendered by man(1) (tests/e2e/man_completion_test.cc)
  man-db
  # tests: ferry completion zsh|fish loaded in the real shells (tests/e2e/man_completion_test.cc)
  zsh fish
  # formatting check (tools/check_format.sh)
  clang-format
)

if ! command -v dpkg-query >/dev/null; then
  echo "install_deps: not a Debian system; install the equivalents of: ${packages[*]}" >&2
  exit 1
fi

# One dpkg-query for all packages; one not known to dpkg is simply absent from its output, and
# one removed but not purged shows as "config-files", so only "installed" counts.
declare -A installed=()
while read -r package status; do
  [[ $status == installed ]] && installed[$package]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${packages[@]}" 2>/dev/null || true)
missing=()
for package in "${packages[@]}"; do
  [[ -n ${installed[$package]:-} ]] || missing+=("$package")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install_deps: all ${#packages[@]} packages present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install_deps: missing Debian packages: ${missing[*]}" >&2
  echo "install_deps: run this script as root, or install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "install_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install_deps: done"
