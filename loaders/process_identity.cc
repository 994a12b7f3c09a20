#include "loaders/process_identity.h"

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <random>

namespace ferry {

std::string ThisHost() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') {
    return "unknown";
  }
  return name;
}

std::string ThisOsUser() {
  const char* user = std::getenv("USER");
  if (user != nullptr && *user != '\0') {
    return user;
  }
  struct passwd entry;
  struct passwd* found = nullptr;
  char buffer[1024];
  if (getpwuid_r(getuid(), &entry, buffer, sizeof(buffer), &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return "uid " + std::to_string(getuid());
}

int64_t ThisPid() { return static_cast<int64_t>(getpid()); }

bool ProcessGone(int64_t pid) {
  // 0 and negative values would signal process groups; no holder ever recorded one.
  if (pid <= 0 || pid > INT_MAX) {
    return true;
  }
  return kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

const std::string& ProcessToken() {
  static const std::string token = [] {
    static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    std::random_device device;  // the OS's entropy source (getrandom / /dev/urandom)
    std::string text;
    // 26 characters of 5 bits hold 130 bits: the first carries 3 random bits, as a ULID's.
    for (int i = 0; i < 26; ++i) {
      unsigned bits = device() & (i == 0 ? 0x7u : 0x1fu);
      text += kAlphabet[bits];
    }
    return text;
  }();
  return token;
}

}  // namespace ferry
