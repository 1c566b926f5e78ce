// The workspace as the tools see it: paths relative to the workspace (an absolute path is taken
// when it lies inside), never leading out of it (no "..", no symbolic link whose target lies
// outside), held-out files
// (the local leaderboard's answers and private scores) unreadable wherever they are, and the
// files the core owns (config.json, state.json and its copy, results.tsv, experiments.json,
// usage.tsv, LEARNINGS.md, the lock, data/, logs/, agents/, blends/, the core's round files and
// every .npy) refused for writing. Reading is bounded: only regular files (a FIFO or a device is
// refused without blocking), only the bytes that are returned; grep runs RE2 (linear time) with
// a byte and a time budget.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace autokaggle::tools {

struct FileLimits {
    std::size_t read_bytes = 60'000;     ///< most text one read returns
    std::size_t output_bytes = 20'000;   ///< most text a listing or a search returns
    int max_matches = 100;               ///< grep
    int max_entries = 300;               ///< list
    std::size_t grep_file_bytes = 5'000'000;      ///< larger files are skipped by grep
    std::size_t grep_total_bytes = 200'000'000;   ///< bytes one grep scans at most
    std::chrono::milliseconds grep_time{10'000};  ///< wall time one grep may take
};

class WorkspaceFiles {
public:
    /// `held_out`: files (or folders) no read may reach, inside or outside the workspace.
    /// `protected_paths`: more workspace files or folders refused for writing (the data folder
    /// when it is not data/, held-out files that lie inside).
    WorkspaceFiles(std::filesystem::path root, FileLimits limits, std::vector<std::filesystem::path> held_out = {},
                   std::vector<std::filesystem::path> protected_paths = {});

    const std::filesystem::path& root() const { return root_; }
    const FileLimits& limits() const { return limits_; }

    /// The absolute path of a workspace-relative one; throws ToolError explaining a refusal.
    std::filesystem::path resolve_for_read(const std::string& relative) const;
    std::filesystem::path resolve_for_write(const std::string& relative) const;
    /// Why the core owns `relative` (for writing), or "" when an agent may write it.
    std::string core_owned(const std::filesystem::path& relative) const;

    /// `path` relative to the root, for messages ("." for the root).
    std::string relative(const std::filesystem::path& absolute) const;

    /// Lines [first, last] (1-based, inclusive; last 0 = to the end) of a text file, cut at the
    /// read limit with a note where to continue.
    std::string read_lines(const std::string& relative, long long first, long long last) const;
    /// Writes a text file atomically (through atomic_write); returns a one-line confirmation.
    std::string write_text(const std::string& relative, const std::string& content) const;
    /// A folder's entries with sizes; links are shown, never followed.
    std::string list(const std::string& relative, bool recursive) const;
    /// Lines matching an RE2 pattern, "file:line: text"; `cancelled` is polled between files.
    std::string grep(const std::string& pattern, const std::string& relative, bool ignore_case,
                     const std::function<bool()>& cancelled = {}) const;

private:
    std::filesystem::path checked(const std::string& relative) const;
    bool is_held_out(const std::filesystem::path& canonical) const;

    std::filesystem::path root_;  ///< canonical
    FileLimits limits_;
    std::vector<std::filesystem::path> held_out_;         ///< canonical where they exist
    std::vector<std::filesystem::path> protected_paths_;  ///< relative to root
};

/// True when `path` is `root` or inside it (both lexically normal).
bool is_within(const std::filesystem::path& path, const std::filesystem::path& root);

}  // namespace autokaggle::tools
