// ScratchMount: a small tmpfs mounted for one test (a disk that fills up, a file system that
// is read-only), unmounted when it goes. Mounting needs root (CAP_SYS_ADMIN): where it is not
// permitted, Make() says why and the test skips with that message (docs/reliability.md).
//
// Header-only: the e2e helpers listed in tests/CMakeLists.txt stay as they are.
#pragma once

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace ferry::e2e {

class ScratchMount {
 public:
  // Mounts a tmpfs of `bytes` (rounded up to pages by the kernel) on `dir`, created when
  // missing; null with *why set when the kernel refuses.
  static std::unique_ptr<ScratchMount> Make(const std::filesystem::path& dir, size_t bytes,
                                            std::string* why) {
    std::filesystem::create_directories(dir);
    std::string options = "size=" + std::to_string(bytes) + ",mode=0755";
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      *why = "mount -t tmpfs on " + dir.string() + ": " + std::strerror(errno);
      return nullptr;
    }
    return std::unique_ptr<ScratchMount>(new ScratchMount(dir));
  }

  // A read-only bind of `source` on `dir` (created when missing); null with *why when refused.
  static std::unique_ptr<ScratchMount> ReadOnlyBind(const std::filesystem::path& source,
                                                    const std::filesystem::path& dir,
                                                    std::string* why) {
    std::filesystem::create_directories(dir);
    if (::mount(source.c_str(), dir.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      *why = "mount --bind on " + dir.string() + ": " + std::strerror(errno);
      return nullptr;
    }
    std::unique_ptr<ScratchMount> mount(new ScratchMount(dir));
    if (::mount(nullptr, dir.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) != 0) {
      *why = "mount -o remount,bind,ro on " + dir.string() + ": " + std::strerror(errno);
      return nullptr;
    }
    return mount;
  }

  ~ScratchMount() { ::umount2(dir_.c_str(), MNT_DETACH); }
  ScratchMount(const ScratchMount&) = delete;
  ScratchMount& operator=(const ScratchMount&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  std::string operator/(const std::string& name) const { return (dir_ / name).string(); }

  // Gives the tmpfs a new size (the disk is "freed"); false when the kernel refuses.
  bool Resize(size_t bytes) {
    std::string options = "size=" + std::to_string(bytes);
    return ::mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT, options.c_str()) == 0;
  }

  // Fills what is left of the tmpfs with a file named `name` (the disk is then full).
  void Fill(const std::string& name) {
    std::ofstream out(dir_ / name, std::ios::binary);
    std::string block(4096, 'x');
    while (out.write(block.data(), static_cast<std::streamsize>(block.size()))) {
    }
  }

 private:
  explicit ScratchMount(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
};

}  // namespace ferry::e2e
