#include "extractors/common/mapped_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <mutex>

#include "base/fault_point.h"
#include "base/terminal_text.h"
#include "extractors/common/file_reader.h"
#include "extractors/common/scoped_fd.h"

namespace ferry {

namespace {

// As ReadJsonFile: JSON offsets are 32-bit in the readers that share the files' limits.
constexpr uint64_t kMaxMappedBytes = 0xFFFFFFFFull - 64;
constexpr size_t kReleaseStep = size_t{8} << 20;

size_t PageSize() {
  static const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  return page;
}

// The mappings the SIGBUS handler knows, read lock-free from the handler. A file cut short while
// mapped faults at the first page past its new end; without this the process would die without
// a word. More mappings at once than slots (never in ferry: a dump is mapped one at a time) keep
// the default action.
struct FaultSlot {
  std::atomic<uintptr_t> begin{0};
  std::atomic<uintptr_t> end{0};
  std::atomic<const std::string*> message{nullptr};
};
std::array<FaultSlot, 8> fault_slots;
std::mutex fault_slots_mutex;  // between Open and the destructor; the handler takes no lock

void OnBusError(int signal, siginfo_t* info, void*) {
  auto at = reinterpret_cast<uintptr_t>(info->si_addr);
  for (FaultSlot& slot : fault_slots) {
    const std::string* message = slot.message.load();
    if (message != nullptr && at >= slot.begin.load() && at < slot.end.load()) {
      ssize_t ignored = ::write(STDERR_FILENO, message->data(), message->size());
      (void)ignored;
      ::_exit(1);
    }
  }
  // Not one of ours: the default action, when the faulting access runs again.
  ::signal(signal, SIG_DFL);
}

int RegisterFault(char* data, size_t size, const std::string* message) {
  static std::once_flag installed;
  std::call_once(installed, [] {
    struct sigaction action {};
    action.sa_sigaction = OnBusError;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGBUS, &action, nullptr);
  });
  std::lock_guard<std::mutex> lock(fault_slots_mutex);
  for (size_t i = 0; i < fault_slots.size(); ++i) {
    if (fault_slots[i].message.load() == nullptr) {
      fault_slots[i].begin = reinterpret_cast<uintptr_t>(data);
      fault_slots[i].end = reinterpret_cast<uintptr_t>(data) + size;
      fault_slots[i].message = message;
      return static_cast<int>(i);
    }
  }
  return -1;
}

void UnregisterFault(int slot) {
  if (slot < 0) return;
  std::lock_guard<std::mutex> lock(fault_slots_mutex);
  fault_slots[static_cast<size_t>(slot)].message = nullptr;
}

}  // namespace

Result<std::unique_ptr<MappedFile>> MappedFile::Open(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not hang; it is refused below as not a regular file.
  ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) return FileError(path, "open", errno);
  struct stat info;
  if (::fstat(fd.get(), &info) != 0) return FileError(path, "stat", errno);
  if (!S_ISREG(info.st_mode)) {
    return Status::InvalidArgument(fmt::format("{}: not a regular file", path));
  }
  uint64_t size = static_cast<uint64_t>(info.st_size);
  if (size > kMaxMappedBytes) {
    return Status::InvalidArgument(fmt::format(
        "{}: {} bytes is more than a JSON document may hold (4 GiB); split it or use ndjson", path,
        size));
  }
  FaultPoint("source.read");  // a test changes the file here (docs/reliability.md)
  if (size == 0) {
    auto empty = std::make_unique<MappedFile>(Key{}, nullptr, 0, std::string());
    empty->path_ = path;
    empty->opened_ = info;
    empty->fd_ = std::move(fd);
    return empty;
  }
  // Private and writable so that a byte order mark can be rewritten in this process only.
  void* mapped =
      ::mmap(nullptr, static_cast<size_t>(size), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd.get(), 0);
  if (mapped == MAP_FAILED) return FileError(path, "map", errno);
  auto file = std::make_unique<MappedFile>(
      Key{}, static_cast<char*>(mapped), static_cast<size_t>(size),
      fmt::format("ferry: {}: file shrank while being read (a fault past its end, SIGBUS): what "
                  "was committed stays; the same command resumes once the file is whole\n",
                  TerminalSafe(path)));
  file->fault_slot_ = RegisterFault(file->data_, file->size_, &file->fault_message_);
  // A file cut before the mapping would fault past its new end: refuse it as a read would.
  if (::fstat(fd.get(), &info) != 0) return FileError(path, "stat", errno);
  if (static_cast<uint64_t>(info.st_size) < size) {
    return Status::IOError(
        fmt::format("{}: file shrank while being read ({} of {} bytes)", path, info.st_size, size));
  }
  file->path_ = path;
  file->opened_ = info;
  file->fd_ = std::move(fd);
  ::madvise(mapped, static_cast<size_t>(size), MADV_SEQUENTIAL);
  FaultPoint("source.mapped");  // a test cuts the file here (docs/reliability.md)
  char* data = file->data_;
  if (size >= 3 && static_cast<unsigned char>(data[0]) == 0xEF &&
      static_cast<unsigned char>(data[1]) == 0xBB && static_cast<unsigned char>(data[2]) == 0xBF) {
    data[0] = data[1] = data[2] = ' ';
    // The rewritten page is this process's own copy: releasing it would bring the mark back.
    file->floor_ = file->released_ = PageSize();
  }
  return file;
}

Status MappedFile::Unchanged() const {
  struct stat now;
  if (fd_.get() < 0) return Status::OK();
  if (::fstat(fd_.get(), &now) != 0) return FileError(path_, "stat", errno);
  auto same = [](const struct timespec& a, const struct timespec& b) {
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
  };
  if (now.st_size == opened_.st_size && same(now.st_mtim, opened_.st_mtim) &&
      same(now.st_ctim, opened_.st_ctim)) {
    return Status::OK();
  }
  return Status::IOError(fmt::format(
      "{}: file changed while being read (written to in place: its size or times moved since "
      "ferry opened it), so what was read of it is not one file; nothing of it is loaded, what "
      "was committed before stays, and the same command resumes once no one writes to it",
      path_));
}

MappedFile::~MappedFile() {
  UnregisterFault(fault_slot_);
  if (data_ != nullptr) ::munmap(data_, size_);
}

void MappedFile::ReleaseBefore(size_t offset) {
  size_t end = std::min(offset, size_) & ~(PageSize() - 1);
  if (end <= floor_ || (end >= released_ && end < released_ + kReleaseStep)) return;
  // From the floor, not from the last release: a reader may have touched earlier pages since
  // (a place located from the start); releasing pages not held costs next to nothing.
  ::madvise(data_ + floor_, end - floor_, MADV_DONTNEED);
  released_ = end;
}

}  // namespace ferry
