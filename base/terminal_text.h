// Text from the data (origins, keys, values, file names, user ids) made safe to print on a
// terminal: a hostile store must not move the cursor, clear the screen, write the clipboard
// (OSC 52), hide text behind a carriage return or reorder it with a bidi override.
//
// TerminalSafe is the one escaping function. Everything ferry prints to stdout and stderr goes
// through it: InstallTerminalSafeOutput wraps std::cout and std::cerr in a TerminalSafeBuffer,
// and the log's pattern escapes each message the same way. Newline and tab are kept; every
// other control character (C0, DEL, C1), each bidi control and line/paragraph separator, and
// each byte that is not valid UTF-8 is written as an escape: \x1b, \x0d, \u202e, \xff. Valid
// JSON stays valid JSON ("\u202e" is the same string), so --json output is escaped alike.
// `ferry export`'s dump on stdout is data, written exactly (UnfilteredBuffer).
//
// Thread safety: TerminalSafe is pure; a TerminalSafeBuffer is used as std::ostream is (the
// standard streams are not meant for unsynchronised writes from several threads).
#pragma once

#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>

namespace ferry {

// `text` with every character that could drive a terminal escaped (see above).
std::string TerminalSafe(std::string_view text);

// A stream buffer that escapes with TerminalSafe what it passes on to `target`, a line (or a
// flush) at a time so that a UTF-8 sequence is never split.
class TerminalSafeBuffer final : public std::streambuf {
 public:
  explicit TerminalSafeBuffer(std::streambuf* target) : target_(target) {}
  std::streambuf* target() const { return target_; }

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* text, std::streamsize count) override;
  int sync() override;

 private:
  // Escapes and passes on the pending text up to its last newline (all of it when `all`).
  bool Pass(bool all);

  std::streambuf* target_;
  std::string pending_;
};

// Wraps std::cout and std::cerr in TerminalSafeBuffers for the rest of the process.
void InstallTerminalSafeOutput();

// The buffer beneath `stream`'s TerminalSafeBuffer, or its own buffer when it has none: for
// output that is data, not text for a person (`ferry export`'s dump on stdout).
std::streambuf* UnfilteredBuffer(std::ostream& stream);

}  // namespace ferry
