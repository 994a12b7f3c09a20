// Whether this test binary (and the ferry binary beside it) runs under AddressSanitizer.
//
// Tests that size their input for time, not for the property they check, take a smaller one
// there, where every step costs 5-30 times as much (docs/testing.md, "The sanitizer phase").
// The assertion must hold at both sizes; only its input shrinks.
#pragma once

namespace ferry::testing {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kUnderAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kUnderAddressSanitizer = true;
#else
inline constexpr bool kUnderAddressSanitizer = false;
#endif
#else
inline constexpr bool kUnderAddressSanitizer = false;
#endif

// `plain` without the sanitizer, `sanitized` under it.
template <typename T>
constexpr T PlainOrSanitized(T plain, T sanitized) {
  return kUnderAddressSanitizer ? sanitized : plain;
}

}  // namespace ferry::testing
