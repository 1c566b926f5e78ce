// Unpacking the competition's zip (Kaggle serves every competition's data as one archive).
// A small reader on zlib: stored and deflated entries, ZIP64 for archives and files past 4 GiB,
// CRC-32 checked. Entries that would land outside the destination (absolute paths, "..") are
// refused, and each file is written as name.part then renamed, so a crash never leaves a
// truncated train.csv behind.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <istream>
#include <memory>
#include <string>
#include <vector>

namespace autokaggle::kaggle {

struct ZipEntry {
    std::filesystem::path name;   ///< relative path inside the archive
    std::uint64_t size = 0;       ///< uncompressed bytes
    bool directory = false;
};

/// A zip archive read from any seekable stream: the central directory is read (and every entry
/// name checked) on construction; entries are then unpacked one at a time into a sink, their
/// size and CRC-32 checked. An entry never yields more bytes than its stated size, so a crafted
/// archive cannot fill the disk past what its directory announces. Throws autokaggle::Error
/// naming the archive (and the entry) on any problem.
class ZipReader {
public:
    using Sink = std::function<void(const char* data, std::size_t size)>;
    ZipReader(std::istream& archive, std::string name);
    ~ZipReader();
    ZipReader(const ZipReader&) = delete;
    ZipReader& operator=(const ZipReader&) = delete;

    const std::vector<ZipEntry>& entries() const { return entries_; }
    /// Unpacks entries()[index] into `sink` (nothing for a directory).
    void unpack(std::size_t index, const Sink& sink);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::vector<ZipEntry> entries_;
};

/// The archive's table of contents. Throws autokaggle::Error naming the file when it is not a
/// readable zip.
std::vector<ZipEntry> list_zip(const std::filesystem::path& zip);

/// Extracts every entry under `destination` (created if needed) and returns the files written.
/// Throws autokaggle::Error naming the archive and the entry on any problem.
std::vector<std::filesystem::path> extract_zip(const std::filesystem::path& zip, const std::filesystem::path& destination);

}  // namespace autokaggle::kaggle
