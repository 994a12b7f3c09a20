#include "loaders/sqlite/lock_holder.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

namespace ferry::sqlite {

namespace {

// In WAL mode the writer holds the byte at this offset of the -shm file (SQLite's
// WAL_WRITE_LOCK: slot 0 of the locks that start at byte 120).
constexpr uint64_t kWalWriteLockOffset = 120;

// The file's identity as /proc/locks prints it ("MAJOR:MINOR:INODE", hex, hex, decimal), or
// "" when it cannot be stat'ed.
std::string LockId(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return "";
  char id[64];
  std::snprintf(id, sizeof(id), "%02x:%02x:%" PRIu64, ::major(info.st_dev), ::minor(info.st_dev),
                static_cast<uint64_t>(info.st_ino));
  return id;
}

// The pids holding a WRITE lock on the file `id`; only a lock starting at `offset` when one is
// given.
std::vector<long> WriteLockPids(const std::string& id, const uint64_t* offset) {
  std::vector<long> pids;
  if (id.empty()) return pids;
  std::ifstream locks("/proc/locks");
  std::string line;
  while (std::getline(locks, line)) {
    // "1: POSIX  ADVISORY  WRITE 4242 08:01:1234 1073741824 1073741825"; a waiter's line has
    // "->" after the number and is skipped.
    std::istringstream fields(line);
    std::string number, type, mode, access, file, start;
    long pid = 0;
    if (!(fields >> number >> type >> mode >> access >> pid >> file >> start)) continue;
    if (access != "WRITE" || file != id || pid <= 0) continue;
    if (offset != nullptr && start != std::to_string(*offset)) continue;
    pids.push_back(pid);
  }
  return pids;
}

std::string ProcessName(long pid) {
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  std::getline(comm, name);
  return name;
}

}  // namespace

std::string DescribeWriteLockHolder(const std::string& path) {
  std::vector<long> pids = WriteLockPids(LockId(path), nullptr);
  if (pids.empty()) pids = WriteLockPids(LockId(path + "-shm"), &kWalWriteLockOffset);
  if (pids.empty()) return "";
  long self = static_cast<long>(::getpid());
  for (long pid : pids) {
    if (pid == self) continue;
    std::string name = ProcessName(pid);
    return "another process (pid " + std::to_string(pid) + (name.empty() ? "" : ", " + name) + ")";
  }
  return "another connection of this process";
}

}  // namespace ferry::sqlite
