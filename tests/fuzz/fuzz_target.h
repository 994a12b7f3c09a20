// FERRY_FUZZ_TARGET(name): one fuzz target, built two ways from the same source.
//
// With FERRY_FUZZ_ENGINE defined (tools/fuzz.sh: clang, -fsanitize=fuzzer) the body becomes
// LLVMFuzzerTestOneInput of its own binary <name>_fuzz. Otherwise (any compiler, the normal
// suite) it registers itself by name with replay_main.cc, whose one binary fuzz_replay replays
// a corpus through any target: `fuzz_replay <name> <file or folder>...`.
//
// A target returns 0 for every input; a crash, a sanitizer report or a hang is the finding.
//
// Thread safety: targets run one input at a time on one thread.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ferry::fuzz {

using FuzzFunction = int (*)(const uint8_t* data, size_t size);

// Adds `function` to the replay binary's table under `name`. Returns true (for a static).
bool RegisterFuzzTarget(const char* name, FuzzFunction function);

}  // namespace ferry::fuzz

#ifdef FERRY_FUZZ_ENGINE
#define FERRY_FUZZ_ENTRY_(name, function)                                   \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
    return function(data, size);                                            \
  }
#else
#define FERRY_FUZZ_ENTRY_(name, function)                \
  [[maybe_unused]] static const bool name##_registered = \
      ::ferry::fuzz::RegisterFuzzTarget(#name, &function);
#endif

#define FERRY_FUZZ_TARGET(name)                                \
  static int FuzzOne_##name(const uint8_t* data, size_t size); \
  FERRY_FUZZ_ENTRY_(name, FuzzOne_##name)                      \
  static int FuzzOne_##name(const uint8_t* data, size_t size)
