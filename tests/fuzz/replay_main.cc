// fuzz_replay: runs every file of a fuzz target's corpus through the target, once, in name
// order, so that the normal suite (any compiler, with or without sanitizers) proves on every
// run that no saved input crashes. `fuzz_replay <target> <file or folder>...`; with no
// arguments it lists the targets. Exit status: 0 when every input ran, 2 on a usage error.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_target.h"

namespace ferry::fuzz {
namespace {

std::map<std::string, FuzzFunction>& Targets() {
  static std::map<std::string, FuzzFunction> targets;
  return targets;
}

// The files named by `argument`: itself, or a folder's regular files (recursively) by name.
std::vector<std::filesystem::path> InputsOf(const std::filesystem::path& argument) {
  std::vector<std::filesystem::path> files;
  if (!std::filesystem::is_directory(argument)) {
    files.push_back(argument);
    return files;
  }
  for (const auto& item : std::filesystem::recursive_directory_iterator(argument)) {
    if (item.is_regular_file() && item.path().filename() != "README.md") {
      files.push_back(item.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

bool RegisterFuzzTarget(const char* name, FuzzFunction function) {
  Targets()[name] = function;
  return true;
}

}  // namespace ferry::fuzz

int main(int argc, char** argv) {
  using ferry::fuzz::Targets;
  if (argc < 2) {
    for (const auto& [name, function] : Targets()) std::printf("%s\n", name.c_str());
    return 0;
  }
  auto target = Targets().find(argv[1]);
  if (target == Targets().end()) {
    std::fprintf(stderr, "fuzz_replay: no target %s (run without arguments for the list)\n",
                 argv[1]);
    return 2;
  }
  size_t count = 0;
  for (int i = 2; i < argc; ++i) {
    if (!std::filesystem::exists(argv[i])) {
      std::fprintf(stderr, "fuzz_replay: %s does not exist\n", argv[i]);
      return 2;
    }
    for (const auto& file : ferry::fuzz::InputsOf(argv[i])) {
      std::ifstream in(file, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::fprintf(stderr, "fuzz_replay %s: %s\n", argv[1], file.c_str());
      target->second(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      ++count;
    }
  }
  std::printf("fuzz_replay %s: %zu inputs ran\n", argv[1], count);
  return count > 0 ? 0 : 2;
}
