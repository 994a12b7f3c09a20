// The clear header of a backup archive and the keys derived for it: the header names how the
// key was made (never the key), and its MAC, keyed with a subkey of the archive key, proves
// both that the key is right and that the header was not altered.
//
// Thread safety: values and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "backup/backup_format.h"
#include "backup/secret.h"
#include "base/result.h"

namespace ferry::backup {

struct ArchiveHeader {
  KeyKind key_kind = KeyKind::kRawKey;
  uint32_t chunk_bytes = kDefaultChunkBytes;  // raw bytes per data chunk, at most
  uint64_t opslimit = 0;                      // Argon2id parameters; 0 for a raw key
  uint64_t memlimit = 0;
  std::array<uint8_t, kSaltBytes> salt{};
  std::array<uint8_t, kArchiveIdBytes> archive_id{};  // random: binds frames to this archive
  uint64_t created_unix = 0;
  std::string run_id;  // the migrate run this archive belongs to; empty for `backup create`
  std::array<uint8_t, kMacBytes> mac{};
};

// The two subkeys of an archive: one for the header and summary MACs, one for the streams.
struct ArchiveKeys {
  SecretBytes mac_key;
  SecretBytes stream_key;
};

// The header's bytes up to (not including) its MAC.
std::string EncodeHeaderBody(const ArchiveHeader& header);

// Parses a header from the start of `bytes`; *consumed is its length with the MAC. Fails with
// Corruption naming the header when the magic, version or a bound is wrong; NotFound-like
// "too short" is Corruption too (a cut header).
Result<ArchiveHeader> ParseHeader(std::string_view bytes, size_t* consumed);

// Argon2id parameters for a new passphrase archive: MODERATE, or the minimum when
// FERRY_BACKUP_KDF=min (for tests; the archive records which were used).
void DefaultKdfParameters(uint64_t* opslimit, uint64_t* memlimit);

// Derives the subkeys from `key` per the header's KDF parameters. Fails with InvalidArgument
// when the key's kind is not the one the archive was sealed with.
Result<ArchiveKeys> DeriveArchiveKeys(const KeyMaterial& key, const ArchiveHeader& header);

// BLAKE2b-256 of `message` keyed with `mac_key`.
std::array<uint8_t, kMacBytes> ComputeMac(const SecretBytes& mac_key, std::string_view message);

// True when `mac` is the MAC of `message` (constant time).
bool MacMatches(const SecretBytes& mac_key, std::string_view message,
                const std::array<uint8_t, kMacBytes>& mac);

}  // namespace ferry::backup
