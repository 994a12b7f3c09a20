// What a terminal can show: its width, and whether colour is wanted there. Output that does not
// go to a terminal (a log, a pipe) gets neither: no colour, no width to fit.
//
// Thread safety: free functions; they read the environment and ask the terminal (ioctl).
#pragma once

namespace ferry {

// The columns of the terminal on `fd` (asked each time: the window may have been resized), or
// 0 when `fd` is not a terminal or the terminal does not say.
int TerminalColumns(int fd);

// True when output to `fd` may be coloured: `fd` is a terminal and NO_COLOR is unset or empty
// (https://no-color.org).
bool ColorWanted(int fd);

}  // namespace ferry
