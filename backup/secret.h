// Secret bytes (a passphrase, a key) that are wiped when they go away and never printed.
//
// Thread safety: a value; distinct objects may be used from distinct threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace ferry::backup {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::string_view bytes);
  explicit SecretBytes(size_t size) : bytes_(size) {}
  ~SecretBytes();
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  uint8_t* data() { return bytes_.data(); }
  const uint8_t* data() const { return bytes_.data(); }
  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  std::string_view view() const {
    return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
  }

 private:
  void Wipe();
  std::vector<uint8_t> bytes_;
};

// What a backup is sealed with: a passphrase (stretched with Argon2id and the archive's salt)
// or a 32-byte key used as it is.
struct KeyMaterial {
  enum class Kind { kPassphrase, kRawKey };
  Kind kind = Kind::kRawKey;
  SecretBytes secret;
};

}  // namespace ferry::backup
