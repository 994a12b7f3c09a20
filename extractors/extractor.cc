#include "extractors/extractor.h"

#include <spdlog/spdlog.h>

namespace ferry {

void Extractor::Report(const Location& where, const Status& problem) const {
  if (reporter_) {
    reporter_(where, problem);
  } else {
    spdlog::warn("{}: {}", where.ToString(), problem.ToString());
  }
}

}  // namespace ferry
