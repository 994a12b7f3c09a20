#include "agent/run/interactive_conflicts.h"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>

#include "agent/run/conflict_values.h"
#include "agent/run/stop_signal.h"
#include "base/terminal_text.h"

namespace ferry {

namespace {

// The terminal's width, read now (a resize shows at the next view); 80 when unknown.
int PromptColumns() {
  struct winsize size = {};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  if (::ioctl(STDIN_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

// Raw mode on standard input while it lives: one key, no echo.
class RawInput {
 public:
  RawInput() {
    ok_ = ::tcgetattr(STDIN_FILENO, &saved_) == 0;
    if (!ok_) return;
    struct termios raw = saved_;
    raw.c_lflag &= ~(ICANON | ECHO);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    ::tcsetattr(STDIN_FILENO, TCSANOW, &raw);
  }
  ~RawInput() {
    if (ok_) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
  }
  RawInput(const RawInput&) = delete;
  RawInput& operator=(const RawInput&) = delete;

 private:
  struct termios saved_ = {};
  bool ok_ = false;
};

// `text` cut or padded to `width` display cells (ASCII-safe: multibyte text counts bytes, so
// a cut never splits a character).
std::string Fit(const std::string& text, size_t width) {
  if (text.size() <= width) return text + std::string(width - text.size(), ' ');
  size_t end = width > 1 ? width - 1 : 0;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  std::string cut = text.substr(0, end) + "~";
  return cut + std::string(width > cut.size() ? width - cut.size() : 0, ' ');
}

void Write(const std::string& text) {
  size_t at = 0;
  while (at < text.size()) {
    ssize_t n = ::write(STDERR_FILENO, text.data() + at, text.size() - at);
    if (n <= 0) return;
    at += static_cast<size_t>(n);
  }
}

}  // namespace

bool StdinIsTerminal() { return ::isatty(STDIN_FILENO) == 1; }

std::string ConflictDecider::View(const EntityMapping& entity, const std::string& legacy_id,
                                  const Row& existing, const Row& incoming, int columns) {
  columns = std::max(columns, 40);
  size_t name_width = 6;
  for (const ColumnMapping& column : entity.columns) {
    name_width = std::max(name_width, column.def.name.size());
  }
  name_width = std::min<size_t>(name_width, static_cast<size_t>(columns) / 4);
  // "* name  current | incoming": two value columns share what is left.
  size_t value_width = (static_cast<size_t>(columns) - name_width - 7) / 2;
  std::string view = std::string(static_cast<size_t>(columns), '-') + "\n";
  view += TerminalSafe(fmt::format("{} {}: the target holds this row\n", entity.name, legacy_id));
  view += "  " + Fit("field", name_width) + "  " + Fit("current (target)", value_width) + " | " +
          "incoming (source)\n";
  std::vector<std::string> changed = DifferingColumns(entity.table, existing, incoming);
  ConflictRows rows{&existing, &incoming, &incoming};
  for (const ColumnMapping& column : entity.columns) {
    const std::string& name = column.def.name;
    bool differs = std::find(changed.begin(), changed.end(), name) != changed.end();
    ConflictValues values = ValuesAt(entity, name, rows);
    std::string before = values.withheld ? "(withheld: sensitive)" : values.before;
    std::string after = values.withheld ? "(withheld: sensitive)" : values.after;
    std::string incoming_cell = Fit(after, value_width);
    while (!incoming_cell.empty() && incoming_cell.back() == ' ') incoming_cell.pop_back();
    view += TerminalSafe((differs ? "* " : "  ") + Fit(name, name_width) + "  " +
                         Fit(before, value_width) + " | " + incoming_cell) +
            "\n";
  }
  view += fmt::format("{} field(s) differ (*). ", changed.size());
  view +=
      "s skip  o overwrite  m merge  S/O/M: all of " + TerminalSafe(entity.name) + "  q stop > ";
  return view;
}

Result<ConflictPolicy> ConflictDecider::Decide(const EntityMapping& entity,
                                               const std::string& legacy_id, const Row& existing,
                                               const Row& incoming) {
  auto all = for_entity_.find(entity.name);
  last_asked_ = all == for_entity_.end();
  if (!last_asked_) return all->second;
  Write(View(entity, legacy_id, existing, incoming, PromptColumns()));
  while (true) {
    char key = 0;
    ssize_t n = 0;
    {
      RawInput raw;
      n = ::read(STDIN_FILENO, &key, 1);
    }
    if (n <= 0 || key == 'q' || key == 4 /* Ctrl-D */) {
      Write(n <= 0 ? "(end of input)\n" : "q\n");
      RequestStop();
      return CheckStop();
    }
    std::optional<ConflictPolicy> policy;
    switch (key) {
      case 's':
      case 'S':
        policy = ConflictPolicy::kSkip;
        break;
      case 'o':
      case 'O':
        policy = ConflictPolicy::kOverwrite;
        break;
      case 'm':
      case 'M':
        policy = ConflictPolicy::kMerge;
        break;
      default:
        continue;  // another key: ask again
    }
    Write(fmt::format("{}\n", key));
    if (key >= 'A' && key <= 'Z') for_entity_[entity.name] = *policy;
    return *policy;
  }
}

}  // namespace ferry
