// The campaign workspace: its folders and the one-orchestrator-per-folder lock (round file names
// are the SDK's round_tag() and round_file(), sdk/host.hpp).
#pragma once

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/host.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace autokaggle {

/// `path` relative to the workspace root when inside it (for records), else unchanged.
std::string workspace_relative(const WorkspacePaths& paths, const std::filesystem::path& path);

/// Creates rounds/, agents/, logs/ and knowledge/ when missing.
void ensure_workspace_folders(const WorkspacePaths& paths);

/// Another process holds the workspace lock.
class LockHeldError : public Error {
public:
    LockHeldError(std::string message, long pid, std::string holder)
        : Error(std::move(message)), pid_(pid), holder_(std::move(holder)) {}
    long pid() const noexcept { return pid_; }  ///< 0 when the holder's pid could not be read
    /// What the holder is doing: "run" (a campaign) or another command ("submit").
    const std::string& holder() const noexcept { return holder_; }

private:
    long pid_;
    std::string holder_;
};

/// One autokaggle process per workspace. The lock is a flock() on the workspace folder itself,
/// so deleting or replacing <root>/.autokaggle.lock cannot fool it; that file only tells who holds
/// the lock (its pid, then a line naming the command when it is not a campaign `run`). The
/// kernel releases the lock when the process dies, so a crash leaves no stale lock.
class WorkspaceLock {
public:
    /// Throws LockHeldError naming the holder's pid and command, Error when the folder cannot
    /// be opened. `command` is recorded for others to see ("submit"; empty for a campaign run).
    explicit WorkspaceLock(const std::filesystem::path& root, std::string_view command = {});
    ~WorkspaceLock();
    WorkspaceLock(const WorkspaceLock&) = delete;
    WorkspaceLock& operator=(const WorkspaceLock&) = delete;

    static std::filesystem::path lock_file(const std::filesystem::path& root);

    struct Holder {
        long pid = 0;           ///< 0 when unknown (the lock file was removed)
        std::string command;    ///< "run", what the holder recorded, or "" while unknown
    };
    /// Who holds the workspace's lock right now, probed without keeping it; nullopt when free.
    static std::optional<Holder> holder(const std::filesystem::path& root);

private:
    int dir_fd_ = -1;
    int file_fd_ = -1;
};

}  // namespace autokaggle
