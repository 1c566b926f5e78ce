// The campaign workspace: round file names and the one-orchestrator-per-folder lock.
#pragma once

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/host.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace autokaggle {

/// "R07" for round 7 (two digits at least, like the seed's file names).
std::string round_tag(int round);

/// rounds/R07_<suffix>, e.g. round_file(paths, 7, "plan.md").
std::filesystem::path round_file(const WorkspacePaths& paths, int round, std::string_view suffix);

/// `path` relative to the workspace root when inside it (for records), else unchanged.
std::string workspace_relative(const WorkspacePaths& paths, const std::filesystem::path& path);

/// Creates rounds/, agents/, logs/ and knowledge/ when missing.
void ensure_workspace_folders(const WorkspacePaths& paths);

/// Another process holds the workspace lock.
class LockHeldError : public Error {
public:
    LockHeldError(std::string message, long pid) : Error(std::move(message)), pid_(pid) {}
    long pid() const noexcept { return pid_; }  ///< 0 when the holder's pid could not be read

private:
    long pid_;
};

/// flock() on <root>/.autokaggle.lock holding the owner's pid. Released (and the pid cleared)
/// on destruction; the kernel releases it when the process dies, so a crash leaves no stale lock.
class WorkspaceLock {
public:
    /// Throws LockHeldError naming the pid that holds it, Error when the file cannot be opened.
    explicit WorkspaceLock(const std::filesystem::path& root);
    ~WorkspaceLock();
    WorkspaceLock(const WorkspaceLock&) = delete;
    WorkspaceLock& operator=(const WorkspaceLock&) = delete;

    static std::filesystem::path lock_file(const std::filesystem::path& root);

private:
    int fd_ = -1;
};

}  // namespace autokaggle
