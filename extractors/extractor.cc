#include "extractors/extractor.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace ferry {

void Extractor::Report(const Location& where, const Status& problem) const {
  if (reporter_) {
    reporter_(where, problem);
  } else {
    spdlog::warn("{}: {}", where.ToString(), problem.ToString());
  }
}

Status ValueTooLarge(uint64_t bytes, uint64_t cap) {
  return Status::Corruption(
      fmt::format("the value is {} bytes, over --max-value-bytes ({}); entry skipped (raise "
                  "--max-value-bytes to read it)",
                  bytes, cap));
}

}  // namespace ferry
