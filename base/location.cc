#include "base/location.h"

#include <fmt/format.h>

namespace ferry {

std::string Location::ToString() const {
  std::string out = file;
  if (line >= 0) {
    out += fmt::format(":{}", line);
    if (column >= 0) {
      out += fmt::format(":{}", column);
    }
  } else if (offset >= 0) {
    out += fmt::format(" (byte {})", offset);
  }
  auto add = [&out](const std::string& part) {
    if (!out.empty()) {
      out += ' ';
    }
    out += part;
  };
  if (!origin.empty()) {
    add("origin=" + origin);
  }
  if (!key.empty() || index >= 0) {
    add("key=" + key);
  }
  if (index >= 0) {
    add(fmt::format("index={}", index));
  }
  if (!pointer.empty()) {
    add("field=" + pointer);
  }
  return out;
}

}  // namespace ferry
