#include "backup/archive_header.h"

#include <sodium.h>

#include <cstdlib>
#include <cstring>

#include "backup/bytes.h"

namespace ferry::backup {

namespace {

Status HeaderCorrupt(std::string_view why) {
  return Status::Corruption("header: " + std::string(why));
}

}  // namespace

std::string EncodeHeaderBody(const ArchiveHeader& header) {
  ByteWriter w;
  w.Bytes(kMagic);
  w.U8(kFormatVersion);
  w.U8(static_cast<uint8_t>(header.key_kind));
  w.U16(0);
  w.U32(header.chunk_bytes);
  w.U64(header.opslimit);
  w.U64(header.memlimit);
  w.Bytes(header.salt.data(), header.salt.size());
  w.Bytes(header.archive_id.data(), header.archive_id.size());
  w.U64(header.created_unix);
  w.Str16(header.run_id);
  return std::move(w.str());
}

Result<ArchiveHeader> ParseHeader(std::string_view bytes, size_t* consumed) {
  ByteReader r(bytes);
  std::string_view magic;
  if (!r.Bytes(kMagic.size(), &magic)) {
    return HeaderCorrupt("too short to be a ferry backup");
  }
  if (magic != kMagic) {
    return HeaderCorrupt("not a ferry backup (bad magic)");
  }
  ArchiveHeader h;
  uint8_t version = 0, kind = 0;
  uint16_t reserved = 0;
  r.U8(&version);
  r.U8(&kind);
  r.U16(&reserved);
  r.U32(&h.chunk_bytes);
  r.U64(&h.opslimit);
  r.U64(&h.memlimit);
  r.Bytes(h.salt.size(), h.salt.data());
  r.Bytes(h.archive_id.size(), h.archive_id.data());
  r.U64(&h.created_unix);
  r.Str16(&h.run_id);
  r.Bytes(h.mac.size(), h.mac.data());
  if (!r.ok()) {
    return HeaderCorrupt("cut short");
  }
  if (version != kFormatVersion) {
    return HeaderCorrupt("format version " + std::to_string(version) + " is not supported");
  }
  if (reserved != 0) {
    return HeaderCorrupt("reserved bytes are not zero");
  }
  if (h.chunk_bytes == 0 || h.chunk_bytes > kMaxChunkBytes) {
    return HeaderCorrupt("chunk bound " + std::to_string(h.chunk_bytes) + " out of range");
  }
  if (h.run_id.size() > kMaxRunIdBytes) {
    return HeaderCorrupt("run id too long");
  }
  h.key_kind = static_cast<KeyKind>(kind);
  if (h.key_kind == KeyKind::kPassphrase) {
    // Bounded before any work: a forged header must not make ferry allocate gigabytes.
    if (h.opslimit < crypto_pwhash_OPSLIMIT_MIN || h.opslimit > crypto_pwhash_OPSLIMIT_SENSITIVE ||
        h.memlimit < crypto_pwhash_MEMLIMIT_MIN || h.memlimit > crypto_pwhash_MEMLIMIT_SENSITIVE) {
      return HeaderCorrupt("KDF parameters out of bounds");
    }
  } else if (h.key_kind == KeyKind::kRawKey) {
    if (h.opslimit != 0 || h.memlimit != 0) {
      return HeaderCorrupt("KDF parameters set for a raw key");
    }
  } else {
    return HeaderCorrupt("unknown key kind " + std::to_string(kind));
  }
  *consumed = r.offset();
  return h;
}

void DefaultKdfParameters(uint64_t* opslimit, uint64_t* memlimit) {
  const char* kdf = std::getenv("FERRY_BACKUP_KDF");
  if (kdf != nullptr && std::strcmp(kdf, "min") == 0) {
    *opslimit = crypto_pwhash_OPSLIMIT_MIN;
    *memlimit = crypto_pwhash_MEMLIMIT_MIN;
    return;
  }
  *opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
  *memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
}

Result<ArchiveKeys> DeriveArchiveKeys(const KeyMaterial& key, const ArchiveHeader& header) {
  SecretBytes master(crypto_kdf_KEYBYTES);
  if (header.key_kind == KeyKind::kPassphrase) {
    if (key.kind != KeyMaterial::Kind::kPassphrase) {
      return Status::InvalidArgument(
          "this archive was sealed with a passphrase, not a key: give the passphrase "
          "(FERRY_BACKUP_PASSPHRASE, --passphrase-file, or the prompt)");
    }
    if (crypto_pwhash(master.data(), master.size(),
                      reinterpret_cast<const char*>(key.secret.data()), key.secret.size(),
                      header.salt.data(), header.opslimit, static_cast<size_t>(header.memlimit),
                      crypto_pwhash_ALG_ARGON2ID13) != 0) {
      return Status::IOError("Argon2id ran out of memory deriving the backup key");
    }
  } else {
    if (key.kind != KeyMaterial::Kind::kRawKey) {
      return Status::InvalidArgument(
          "this archive was sealed with a key, not a passphrase: give the key "
          "(FERRY_BACKUP_KEY, --key-file, or the default key file)");
    }
    if (key.secret.size() != crypto_kdf_KEYBYTES) {
      return Status::InvalidArgument("a backup key is 32 bytes");
    }
    std::memcpy(master.data(), key.secret.data(), master.size());
  }
  ArchiveKeys keys{SecretBytes(32), SecretBytes(crypto_secretstream_xchacha20poly1305_KEYBYTES)};
  crypto_kdf_derive_from_key(keys.mac_key.data(), keys.mac_key.size(), kHeaderMacSubkey,
                             kKdfContext, master.data());
  crypto_kdf_derive_from_key(keys.stream_key.data(), keys.stream_key.size(), kStreamSubkey,
                             kKdfContext, master.data());
  return keys;
}

std::array<uint8_t, kMacBytes> ComputeMac(const SecretBytes& mac_key, std::string_view message) {
  std::array<uint8_t, kMacBytes> mac{};
  crypto_generichash(mac.data(), mac.size(), reinterpret_cast<const uint8_t*>(message.data()),
                     message.size(), mac_key.data(), mac_key.size());
  return mac;
}

bool MacMatches(const SecretBytes& mac_key, std::string_view message,
                const std::array<uint8_t, kMacBytes>& mac) {
  std::array<uint8_t, kMacBytes> expected = ComputeMac(mac_key, message);
  return sodium_memcmp(expected.data(), mac.data(), mac.size()) == 0;
}

}  // namespace ferry::backup
