#include "loaders/postgresql_module.h"

#include <dlfcn.h>
#include <fmt/format.h>
#include <unistd.h>

#include <climits>

// Defined by the PostgreSQL code when it is linked into this binary (-DFERRY_PG_MODULE=OFF,
// ferry_tests); a weak reference, null when it is not, and then the module is loaded. The
// module's own definition never fills this reference: the binary's references are bound at
// its start, before any dlopen.
extern "C" const ferry::PostgresqlModuleApi* ferry_postgresql_module(const char* abi)
    __attribute__((weak));

namespace ferry {

namespace {

using Entry = const PostgresqlModuleApi* (*)(const char*);

Result<const PostgresqlModuleApi*> Load() {
  if (&ferry_postgresql_module != nullptr) {
    return ferry_postgresql_module(kPostgresqlModuleAbi);
  }
  std::string path = PostgresqlModulePath();
  auto refuse = [&](const std::string& why) {
    return Status::InvalidArgument(fmt::format(
        "the PostgreSQL module {} cannot be loaded: {}; a postgresql:// source or target needs "
        "it beside the ferry binary, from the same build (docs/design.md, \"The PostgreSQL "
        "module\")",
        path, why));
  };
  // RTLD_LOCAL: nothing of the module's (libpq's) names joins the binary's scope; the
  // module's references to ferry's code resolve against the binary, which exports them.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* error = ::dlerror();
    return refuse(error != nullptr ? error : "dlopen failed");
  }
  // Never dlclosed: its loaders and extractors live as long as the process.
  auto entry = reinterpret_cast<Entry>(::dlsym(handle, "ferry_postgresql_module"));
  if (entry == nullptr) {
    const char* error = ::dlerror();
    return refuse(error != nullptr ? error : "no ferry_postgresql_module");
  }
  const PostgresqlModuleApi* api = entry(kPostgresqlModuleAbi);
  if (api == nullptr) {
    return refuse(fmt::format("it is not of this ferry ({})", kPostgresqlModuleAbi));
  }
  return api;
}

}  // namespace

std::string PostgresqlModulePath() {
  char buffer[PATH_MAX];
  ssize_t length = ::readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
  std::string exe = length > 0 ? std::string(buffer, static_cast<size_t>(length)) : "";
  size_t slash = exe.rfind('/');
  std::string folder = slash == std::string::npos ? "." : exe.substr(0, slash);
  return folder + "/" + kPostgresqlModuleFile;
}

Result<const PostgresqlModuleApi*> PostgresqlModule() {
  // Loaded once; a failure is kept too, so that every caller gets the same message.
  static const Result<const PostgresqlModuleApi*> loaded = Load();
  return loaded;
}

}  // namespace ferry
