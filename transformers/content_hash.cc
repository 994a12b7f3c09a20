#include "transformers/content_hash.h"

#include <sodium.h>

#include <cstring>

namespace ferry {

namespace {

void Feed(crypto_generichash_state* state, const void* data, size_t size) {
  crypto_generichash_update(state, static_cast<const unsigned char*>(data), size);
}

}  // namespace

std::string ContentHash(const Row& row) {
  crypto_generichash_state state;
  constexpr size_t kBytes = 16;
  crypto_generichash_init(&state, nullptr, 0, kBytes);
  for (const Cell& cell : row.cells) {
    // A tag per cell and a length per string keep ("ab","c") apart from ("a","bc").
    unsigned char tag = static_cast<unsigned char>(cell.index());
    Feed(&state, &tag, 1);
    if (const auto* text = std::get_if<std::string>(&cell)) {
      uint64_t size = text->size();
      Feed(&state, &size, sizeof size);
      Feed(&state, text->data(), text->size());
    } else if (const auto* integer = std::get_if<int64_t>(&cell)) {
      Feed(&state, integer, sizeof *integer);
    } else if (const auto* real = std::get_if<double>(&cell)) {
      Feed(&state, real, sizeof *real);
    } else if (const auto* boolean = std::get_if<bool>(&cell)) {
      unsigned char b = *boolean ? 1 : 0;
      Feed(&state, &b, 1);
    }
  }
  unsigned char digest[kBytes];
  crypto_generichash_final(&state, digest, kBytes);
  char hex[2 * kBytes + 1];
  sodium_bin2hex(hex, sizeof hex, digest, kBytes);
  return std::string(hex);
}

}  // namespace ferry
