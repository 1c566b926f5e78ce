// Unpacking the competition's zip (Kaggle serves every competition's data as one archive).
// A small reader on zlib: stored and deflated entries, ZIP64 for archives and files past 4 GiB,
// CRC-32 checked. Entries that would land outside the destination (absolute paths, "..") are
// refused, and each file is written as name.part then renamed, so a crash never leaves a
// truncated train.csv behind.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace autokaggle::kaggle {

struct ZipEntry {
    std::filesystem::path name;   ///< relative path inside the archive
    std::uint64_t size = 0;       ///< uncompressed bytes
    bool directory = false;
};

/// The archive's table of contents. Throws autokaggle::Error naming the file when it is not a
/// readable zip.
std::vector<ZipEntry> list_zip(const std::filesystem::path& zip);

/// Extracts every entry under `destination` (created if needed) and returns the files written.
/// Throws autokaggle::Error naming the archive and the entry on any problem.
std::vector<std::filesystem::path> extract_zip(const std::filesystem::path& zip, const std::filesystem::path& destination);

}  // namespace autokaggle::kaggle
