#include "extractors/common/origin_filter.h"

namespace ferry {

bool OriginSelected(const std::vector<std::string>& filters, std::string_view origin) {
  if (filters.empty()) {
    return true;
  }
  std::string_view without_scheme = origin;
  if (size_t scheme_end = origin.find("://"); scheme_end != std::string_view::npos) {
    without_scheme = origin.substr(scheme_end + 3);
  }
  for (std::string_view filter : filters) {
    if (filter.size() > 1 && filter.back() == '/') {
      filter.remove_suffix(1);
    }
    if (filter == origin || filter == without_scheme) {
      return true;
    }
  }
  return false;
}

}  // namespace ferry
