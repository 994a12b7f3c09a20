// Matching localStorage origins against --origin filters.
//
// Thread safety: a free function, safe to call from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ferry {

// True when `filters` is empty or one of them names `origin`: exactly
// ("http://127.0.0.1:8000"), or without its scheme ("127.0.0.1:8000"), ignoring a trailing
// slash on the filter.
bool OriginSelected(const std::vector<std::string>& filters, std::string_view origin);

}  // namespace ferry
