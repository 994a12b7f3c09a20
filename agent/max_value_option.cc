#include "agent/max_value_option.h"

namespace ferry {

void AddMaxValueBytesOption(CLI::App* command, uint64_t* max_value_bytes) {
  command
      ->add_option("--max-value-bytes", *max_value_bytes,
                   "A value longer than this many bytes is damage: reported with its file and "
                   "key, skipped, and the run ends with exit 3; bounds the memory one entry "
                   "takes")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

}  // namespace ferry
