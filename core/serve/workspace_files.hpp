// The files of one campaign workspace that the dashboard may read and serve. Every read goes
// through here: a path from a URL is decoded once and refused when it is absolute, holds `..`,
// `.`, an empty part, a backslash, a control character or a second level of %-encoding; it must
// then name a file the page needs (round files, results.tsv, experiments.json, LEARNINGS.md,
// blends/blend.json, the campaign log); and it is opened component by component under the
// workspace folder with O_NOFOLLOW, so no symbolic link is ever followed and nothing outside the
// folder can be reached, whatever is renamed meanwhile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::serve {

/// What a read produced: the text, or why there is none (an HTTP status and a message).
struct FileRead {
    int status = 200;         ///< 200, 400 (bad path), 403 (not served), 404 (missing or not a file)
    std::string text;         ///< the content (at most the limit asked for)
    std::string message;      ///< why, when status != 200
    bool truncated = false;   ///< the file is longer than what `text` holds
    std::uintmax_t size = 0;  ///< the file's size in bytes
    std::uint64_t inode = 0;  ///< the file's identity (a log followed as it grows)

    bool ok() const { return status == 200; }
};

/// A URL path (after the route's prefix) decoded into a workspace-relative path, or nullopt with
/// the reason in `why`.
std::optional<std::string> decode_relative_path(std::string_view encoded, std::string& why);

/// True when the page may see this workspace-relative path (never config.json, data/, agents/,
/// answers or leaderboard files).
bool served_path(std::string_view relative);

/// True for files read from their end (logs): only their last part is ever read.
bool tail_only_path(std::string_view relative);

class WorkspaceFiles {
public:
    static constexpr std::size_t kMaxWholeBytes = 1 << 20;  ///< a round document or script
    static constexpr std::size_t kTailBytes = 64 << 10;     ///< the end of a log

    /// Opens the workspace folder (the root itself may be reached through a link). Throws
    /// autokaggle::Error naming the folder when it cannot be opened.
    explicit WorkspaceFiles(const std::filesystem::path& root);
    ~WorkspaceFiles();
    WorkspaceFiles(const WorkspaceFiles&) = delete;
    WorkspaceFiles& operator=(const WorkspaceFiles&) = delete;

    const std::filesystem::path& root() const { return root_; }

    /// A file the page asked for by URL: decoded, checked against served_path(), then read whole
    /// (up to kMaxWholeBytes) or, for logs, its last kTailBytes from the first full line.
    FileRead serve(std::string_view encoded_relative) const;

    /// Reads a workspace-relative path already known to be safe (built by the server itself),
    /// without following links: whole up to `max_bytes`, or the last `max_bytes` when `tail`.
    FileRead read(std::string_view relative, std::size_t max_bytes, bool tail) const;

    /// Up to `max_bytes` from byte `offset` on (nothing when the file is shorter), with the
    /// file's size and inode: how a growing log is followed without reading it again.
    FileRead read_from(std::string_view relative, std::uintmax_t offset, std::size_t max_bytes) const;

    /// The names of regular files directly in `relative_dir` (e.g. "rounds") starting with
    /// `prefix`, sorted; empty when the folder is missing.
    std::vector<std::string> list(std::string_view relative_dir, std::string_view prefix) const;

    /// Creation time (or, where the filesystem keeps none, last change) of a file, seconds since
    /// the epoch; nullopt when it does not exist.
    std::optional<double> birth_time(std::string_view relative) const;

private:
    /// An open descriptor of `relative` (O_NOFOLLOW at every step), or -1 with errno set.
    int open_under_root(std::string_view relative, bool directory) const;

    std::filesystem::path root_;
    int root_fd_ = -1;
};

}  // namespace autokaggle::serve
