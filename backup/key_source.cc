#include "backup/key_source.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "backup/file_io.h"
#include "base/private_file.h"
#include "extractors/common/scoped_fd.h"

namespace ferry::backup {

namespace {

constexpr size_t kKeyBytes = 32;

const char* Env(const KeyEnvironment& env, const char* name) {
  const char* value = env.get_env ? env.get_env(name) : std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

Result<KeyMaterial> KeyFromHex(std::string_view hex, std::string_view what) {
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r')) hex.remove_suffix(1);
  KeyMaterial key{KeyMaterial::Kind::kRawKey, SecretBytes(kKeyBytes)};
  size_t length = 0;
  if (hex.size() != 2 * kKeyBytes ||
      sodium_hex2bin(key.secret.data(), kKeyBytes, hex.data(), hex.size(), nullptr, &length,
                     nullptr) != 0 ||
      length != kKeyBytes) {
    return Status::InvalidArgument(std::string(what) + " is not a key: 64 hex digits expected");
  }
  return key;
}

Result<SecretBytes> ReadSecretFile(const std::string& path, std::string_view what) {
  ScopedFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    return errno == ENOENT ? Status::NotFound(std::string(what) + " " + path + " does not exist")
                           : ErrnoStatus(path);
  }
  std::string bytes;
  FERRY_RETURN_IF_ERROR(ReadUpTo(fd.get(), 64 * 1024, &bytes, path));
  SecretBytes secret(bytes);
  sodium_memzero(bytes.data(), bytes.size());
  return secret;
}

Result<KeyMaterial> PassphraseFrom(std::string_view text, std::string_view what) {
  size_t end = text.find('\n');
  text = text.substr(0, end);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (text.empty()) {
    return Status::InvalidArgument(std::string(what) + " is empty");
  }
  return KeyMaterial{KeyMaterial::Kind::kPassphrase, SecretBytes(text)};
}

Result<KeyMaterial> PassphraseFile(const std::string& path) {
  FERRY_ASSIGN_OR_RETURN(SecretBytes bytes, ReadSecretFile(path, "--passphrase-file"));
  return PassphraseFrom(bytes.view(), "the passphrase file " + path);
}

Result<SecretBytes> TerminalPrompt(const std::string& prompt) {
  ScopedFd tty(::open("/dev/tty", O_RDWR | O_CLOEXEC));
  if (tty.get() < 0) {
    return ErrnoStatus("/dev/tty");
  }
  termios saved{};
  if (::tcgetattr(tty.get(), &saved) != 0) {
    return ErrnoStatus("/dev/tty");
  }
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  quiet.c_lflag |= ECHONL;
  FERRY_RETURN_IF_ERROR(WriteAll(tty.get(), prompt, "/dev/tty"));
  ::tcsetattr(tty.get(), TCSAFLUSH, &quiet);
  SecretBytes line(1024);
  size_t length = 0;
  char c = 0;
  while (length < line.size() && ::read(tty.get(), &c, 1) == 1 && c != '\n') {
    line.data()[length++] = static_cast<uint8_t>(c);
  }
  ::tcsetattr(tty.get(), TCSAFLUSH, &saved);
  SecretBytes result(line.view().substr(0, length));
  return result;
}

Result<KeyMaterial> Prompted(const KeyEnvironment& env, bool confirm) {
  auto prompt = env.prompt ? env.prompt : TerminalPrompt;
  FERRY_ASSIGN_OR_RETURN(SecretBytes first, prompt("ferry backup passphrase: "));
  if (confirm) {
    FERRY_ASSIGN_OR_RETURN(SecretBytes second, prompt("again, to be sure: "));
    if (first.view() != second.view()) {
      return Status::InvalidArgument("the two passphrases differ");
    }
  }
  return PassphraseFrom(first.view(), "the passphrase");
}

}  // namespace

KeyEnvironment KeyEnvironment::Process() {
  KeyEnvironment env;
  env.get_env = [](const char* name) { return std::getenv(name); };
  env.interactive = ::isatty(STDIN_FILENO) == 1;
  env.prompt = TerminalPrompt;
  env.default_key_file = DefaultKeyFilePath();
  return env;
}

std::string DefaultKeyFilePath() {
  const char* config = std::getenv("XDG_CONFIG_HOME");
  if (config != nullptr && config[0] == '/') {
    return std::string(config) + "/ferry/backup.key";
  }
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : ".") + "/.config/ferry/backup.key";
}

Result<KeyMaterial> ReadKeyFile(const std::string& path) {
  FERRY_ASSIGN_OR_RETURN(SecretBytes bytes, ReadSecretFile(path, "the key file"));
  if (bytes.size() == kKeyBytes) {
    return KeyMaterial{KeyMaterial::Kind::kRawKey, std::move(bytes)};
  }
  return KeyFromHex(bytes.view(), "the key file " + path);
}

Result<KeyMaterial> GenerateKeyFile(const std::string& path) {
  std::filesystem::path folder = std::filesystem::path(path).parent_path();
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) {
    return Status::IOError(folder.string() + ": " + ec.message());
  }
  ::chmod(folder.c_str(), 0700);
  KeyMaterial key{KeyMaterial::Kind::kRawKey, SecretBytes(kKeyBytes)};
  randombytes_buf(key.secret.data(), kKeyBytes);
  SecretBytes hex(2 * kKeyBytes + 1);
  sodium_bin2hex(reinterpret_cast<char*>(hex.data()), hex.size(), key.secret.data(), kKeyBytes);
  hex.data()[2 * kKeyBytes] = '\n';
  ScopedFd fd(
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, kPrivateFileMode));
  if (fd.get() < 0) {
    return ErrnoStatus(path);
  }
  ::fchmod(fd.get(), kPrivateFileMode);
  FERRY_RETURN_IF_ERROR(WriteAll(fd.get(), hex.view(), path));
  if (::fsync(fd.get()) != 0) {
    return ErrnoStatus(path);
  }
  return key;
}

Result<KeyMaterial> ResolveKeyForWriting(const KeyOptions& options, const KeyEnvironment& env,
                                         std::string* generated) {
  generated->clear();
  if (!options.key_file.empty() && !options.passphrase_file.empty()) {
    return Status::InvalidArgument("give --key-file or --passphrase-file, not both");
  }
  if (!options.key_file.empty()) return ReadKeyFile(options.key_file);
  if (!options.passphrase_file.empty()) return PassphraseFile(options.passphrase_file);
  const char* key = Env(env, "FERRY_BACKUP_KEY");
  const char* passphrase = Env(env, "FERRY_BACKUP_PASSPHRASE");
  if (key != nullptr && passphrase != nullptr) {
    return Status::InvalidArgument(
        "FERRY_BACKUP_KEY and FERRY_BACKUP_PASSPHRASE are both set: keep one");
  }
  if (key != nullptr) return KeyFromHex(key, "FERRY_BACKUP_KEY");
  if (passphrase != nullptr) return PassphraseFrom(passphrase, "FERRY_BACKUP_PASSPHRASE");
  struct stat st {};
  if (::stat(env.default_key_file.c_str(), &st) == 0) return ReadKeyFile(env.default_key_file);
  if (env.interactive) return Prompted(env, /*confirm=*/true);
  FERRY_ASSIGN_OR_RETURN(KeyMaterial made, GenerateKeyFile(env.default_key_file));
  *generated = env.default_key_file;
  return made;
}

Result<KeyMaterial> ResolveKeyForReading(KeyKind kind, const KeyOptions& options,
                                         const KeyEnvironment& env) {
  if (kind == KeyKind::kPassphrase) {
    if (!options.passphrase_file.empty()) return PassphraseFile(options.passphrase_file);
    if (const char* passphrase = Env(env, "FERRY_BACKUP_PASSPHRASE")) {
      return PassphraseFrom(passphrase, "FERRY_BACKUP_PASSPHRASE");
    }
    if (env.interactive) return Prompted(env, /*confirm=*/false);
    return Status::InvalidArgument(
        "this archive is sealed with a passphrase: set FERRY_BACKUP_PASSPHRASE, give "
        "--passphrase-file, or run on a terminal to be asked");
  }
  if (!options.key_file.empty()) return ReadKeyFile(options.key_file);
  if (const char* key = Env(env, "FERRY_BACKUP_KEY")) return KeyFromHex(key, "FERRY_BACKUP_KEY");
  struct stat st {};
  if (::stat(env.default_key_file.c_str(), &st) == 0) return ReadKeyFile(env.default_key_file);
  return Status::InvalidArgument(
      "this archive is sealed with a key, and none was found: set "
      "FERRY_BACKUP_KEY, give --key-file, or restore " +
      env.default_key_file);
}

}  // namespace ferry::backup
