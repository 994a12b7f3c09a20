#include "base/terminal_caps.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>

namespace ferry {

int TerminalColumns(int fd) {
  if (::isatty(fd) == 0) return 0;
  struct winsize size {};
  if (::ioctl(fd, TIOCGWINSZ, &size) != 0) return 0;
  return size.ws_col;
}

bool ColorWanted(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return ::isatty(fd) != 0;
}

}  // namespace ferry
