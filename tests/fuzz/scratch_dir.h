// ScratchDir: a private temporary folder for fuzz targets whose decoder reads a file. Each
// run overwrites the same file names; the folder is removed when the process ends.
//
// Thread safety: one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ferry::fuzz {

class ScratchDir {
 public:
  ScratchDir();  // aborts when no temporary folder can be made (the target cannot run)
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir();

  const std::string& path() const { return path_; }

  // Replaces the file `name` in the folder with `bytes`; returns its path. Aborts on failure.
  std::string Write(const std::string& name, std::string_view bytes) const;
  // Removes the file `name` when it exists.
  void Remove(const std::string& name) const;

 private:
  std::string path_;
};

// The input of a run as text (no copy).
inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Where Consume() stores; volatile, so that the sums stored are computed.
inline volatile size_t consumed_sink = 0;

// Keeps `value` (a sum over what a decoder returned) so that reading it is not optimised away.
inline void Consume(size_t value) { consumed_sink = value; }

}  // namespace ferry::fuzz
