// The one write path for every file the project records: write name.tmp, fsync, rename over
// the target, fsync the folder. A reader sees the old content or the new, never a torn file,
// and no recorded text carries a secret (see redact()).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace autokaggle {

/// Atomically replaces `path` with `content` after redacting secrets (the log's redaction),
/// creating parent folders. The temporary `path`.tmp is created with O_EXCL|O_NOFOLLOW: a link
/// planted there is removed, never followed. Throws autokaggle::Error naming the path and the OS error.
void atomic_write(const std::filesystem::path& path, std::string_view content);

/// atomic_write for bytes that must stay exactly as given (.npy arrays): no redaction.
void write_exactly(const std::filesystem::path& path, std::string_view content);

/// Atomically installs an already-written file (e.g. a finished log) at `target`: fsyncs
/// `source`, renames it, fsyncs the folder. Both must be on the same filesystem.
void atomic_install(const std::filesystem::path& source, const std::filesystem::path& target);

/// The whole file, or nullopt when it does not exist. Throws autokaggle::Error on read errors.
std::optional<std::string> read_file_if_exists(const std::filesystem::path& path);

/// At most the last `max_bytes` of a file, read from its end (logs of any size), starting after
/// a newline when something was cut; "" when the file does not exist or is not a regular file.
std::string read_file_tail(const std::filesystem::path& path, std::size_t max_bytes);

/// The whole file; throws autokaggle::Error naming the path when it is missing or unreadable.
std::string read_file(const std::filesystem::path& path);

/// The `[ -s file ]` test the resume logic relies on: exists, regular, non-empty.
bool non_empty_file(const std::filesystem::path& path);

}  // namespace autokaggle
