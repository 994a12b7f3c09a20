#include "extractors/common/private_copies.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <system_error>

namespace ferry {

namespace {

constexpr int kSlots = 64;
constexpr size_t kPathBytes = 4096;

struct Slot {
  std::atomic<bool> used{false};   // the path is complete and may be removed
  std::atomic<bool> taken{false};  // claimed by a Register call
  char path[kPathBytes];
};

std::array<Slot, kSlots> g_slots;

// Removes the files of the flat folder `path`, then the folder; async-signal-safe.
void RemoveFlatFolder(const char* path) {
  int dir = ::open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir < 0) {
    return;
  }
  alignas(8) char buffer[4096];
  while (true) {
    long got = ::syscall(SYS_getdents64, dir, buffer, sizeof buffer);
    if (got <= 0) {
      break;
    }
    for (long at = 0; at < got;) {
      // struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, char name[].
      unsigned short length;
      std::memcpy(&length, buffer + at + 16, sizeof length);
      const char* name = buffer + at + 19;
      if (!(name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))) {
        ::unlinkat(dir, name, 0);
      }
      at += length;
    }
  }
  ::close(dir);
  ::rmdir(path);
}

void OnEndingSignal(int signal) {
  RemoveRegisteredCopiesNow();
  struct sigaction fallback {};
  fallback.sa_handler = SIG_DFL;
  ::sigemptyset(&fallback.sa_mask);
  ::sigaction(signal, &fallback, nullptr);
  ::raise(signal);  // delivered when this handler returns: ends the process as before
}

bool ProcessGone(long pid) {
  return pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

// The pid in a copy folder's name "ferry-<tag>-<pid>-XXXXXX", or -1.
long PidOfCopyName(const std::string& name) {
  for (const char* tag : {"ferry-chromium-", "ferry-firefox-"}) {
    size_t prefix = std::strlen(tag);
    if (name.compare(0, prefix, tag) != 0) {
      continue;
    }
    size_t dash = name.find('-', prefix);
    if (dash == std::string::npos || dash == prefix || name.size() - dash != 7) {
      return -1;
    }
    long pid = 0;
    for (size_t i = prefix; i < dash; ++i) {
      if (name[i] < '0' || name[i] > '9' || pid > 100000000) {
        return -1;
      }
      pid = pid * 10 + (name[i] - '0');
    }
    return pid;
  }
  return -1;
}

}  // namespace

int RegisterPrivateCopy(const std::string& path) {
  if (path.size() >= kPathBytes) {
    return -1;
  }
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (g_slots[i].taken.compare_exchange_strong(expected, true)) {
      std::memcpy(g_slots[i].path, path.c_str(), path.size() + 1);
      g_slots[i].used.store(true);
      return i;
    }
  }
  return -1;
}

void UnregisterPrivateCopy(int slot) {
  if (slot < 0 || slot >= kSlots) {
    return;
  }
  g_slots[slot].used.store(false);
  g_slots[slot].taken.store(false);
}

void RemoveRegisteredCopiesNow() {
  for (Slot& slot : g_slots) {
    if (slot.used.exchange(false)) {
      RemoveFlatFolder(slot.path);
    }
  }
}

void RemovePrivateCopiesOnSignals() {
  for (int signal : {SIGPIPE, SIGHUP, SIGQUIT, SIGINT, SIGTERM}) {
    struct sigaction current {};
    if (::sigaction(signal, nullptr, &current) != 0 || current.sa_handler != SIG_DFL) {
      continue;  // ignored or handled elsewhere: leave it be
    }
    struct sigaction handler {};
    handler.sa_handler = &OnEndingSignal;
    ::sigemptyset(&handler.sa_mask);
    ::sigaction(signal, &handler, nullptr);
  }
}

std::string CopyFolderPrefix(const std::string& tag) {
  return fmt::format("ferry-{}-{}-", tag, static_cast<long>(::getpid()));
}

int RemoveStaleCopies(const std::string& temp_base) {
  std::unique_ptr<DIR, int (*)(DIR*)> folder(::opendir(temp_base.c_str()), &::closedir);
  if (folder == nullptr) {
    return 0;
  }
  int removed = 0;
  while (const dirent* entry = ::readdir(folder.get())) {
    std::string name = entry->d_name;
    long pid = PidOfCopyName(name);
    if (pid < 0 || !ProcessGone(pid)) {
      continue;
    }
    std::string path = temp_base + "/" + name;
    struct stat info;
    if (::lstat(path.c_str(), &info) != 0 || !S_ISDIR(info.st_mode) || info.st_uid != ::geteuid()) {
      continue;  // only this user's own folders, never through a link
    }
    std::error_code ignored;
    if (std::filesystem::remove_all(path, ignored) > 0) {
      ++removed;
    }
  }
  return removed;
}

}  // namespace ferry
