#include "orchestrator/workspace.hpp"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <thread>
#include <sys/file.h>
#include <unistd.h>

namespace autokaggle {
namespace fs = std::filesystem;

std::string workspace_relative(const WorkspacePaths& paths, const fs::path& path) {
    if (path.empty()) return {};
    auto rel = path.lexically_relative(paths.root);
    if (rel.empty() || *rel.begin() == "..") return path.string();
    return rel.generic_string();
}

void ensure_workspace_folders(const WorkspacePaths& paths) {
    for (const auto& dir : {paths.rounds, paths.agents, paths.logs}) {
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) throw Error("cannot create folder " + dir.string() + ": " + ec.message());
    }
}

fs::path WorkspaceLock::lock_file(const fs::path& root) { return root / ".autokaggle.lock"; }

namespace {
/// The holder recorded in the lock file: "<pid>\n[<command>\n]" (no command: a campaign run).
/// Unknown (pid 0, no command) while the file is missing or being written.
WorkspaceLock::Holder read_holder(const fs::path& root) {
    WorkspaceLock::Holder h;
    const int fd = ::open(WorkspaceLock::lock_file(root).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return h;
    char buf[128] = {};
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    ::close(fd);
    if (n <= 0) return h;
    char* end = nullptr;
    h.pid = std::strtol(buf, &end, 10);
    std::string rest(end ? end : "");
    rest.erase(0, rest.find_first_not_of("\n"));
    rest = rest.substr(0, rest.find('\n'));
    h.command = rest.empty() ? "run" : rest;
    return h;
}

int open_folder(const fs::path& root) {
    const int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw Error("cannot open the workspace folder " + root.string() + ": " + std::strerror(errno));
    return fd;
}

/// The folder's exclusive flock. `status` and `serve` take a shared one for microseconds to see
/// whether a campaign runs: a few short retries keep such a look from refusing a real start.
bool lock_folder(int dir_fd) {
    for (int attempt = 0;; ++attempt) {
        if (::flock(dir_fd, LOCK_EX | LOCK_NB) == 0) return true;
        if (errno != EWOULDBLOCK || attempt == 50) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}
}  // namespace

WorkspaceLock::WorkspaceLock(const fs::path& root, std::string_view command) {
    dir_fd_ = open_folder(root);
    if (!lock_folder(dir_fd_)) {
        const int err = errno;
        ::close(dir_fd_);
        dir_fd_ = -1;
        if (err != EWOULDBLOCK) throw Error("cannot lock the workspace folder " + root.string() + ": " + std::strerror(err));
        const Holder h = read_holder(root);
        const std::string who = h.command == "run"    ? "another autokaggle run"
                                : h.command.empty() ? "another autokaggle process"
                                                    : "`autokaggle " + h.command + "`";
        const std::string pid = h.pid ? "pid " + std::to_string(h.pid) : std::string("pid unknown");
        throw LockHeldError("workspace " + root.string() + " is in use by " + who + " (" + pid + ", lock " +
                                lock_file(root).string() + "); stop that process first or wait for it to finish",
                            h.pid, h.command);
    }
    // Who holds it, for messages; the lock itself is the folder's flock. Replaced, not rewritten
    // in place, so a file planted there (or a link) is never followed.
    const fs::path file = lock_file(root);
    ::unlink(file.c_str());
    file_fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    const std::string text = std::to_string(::getpid()) + "\n" + (command.empty() ? "" : std::string(command) + "\n");
    if (file_fd_ < 0 || ::pwrite(file_fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
        const int err = errno;
        if (file_fd_ >= 0) ::close(file_fd_);
        ::close(dir_fd_);
        file_fd_ = dir_fd_ = -1;
        throw Error("cannot write the lock file " + file.string() + ": " + std::strerror(err));
    }
}

WorkspaceLock::~WorkspaceLock() {
    if (file_fd_ >= 0) {
        (void)::ftruncate(file_fd_, 0);
        ::close(file_fd_);
    }
    if (dir_fd_ >= 0) {
        ::flock(dir_fd_, LOCK_UN);
        ::close(dir_fd_);
    }
}

std::optional<WorkspaceLock::Holder> WorkspaceLock::holder(const fs::path& root) {
    const int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::optional<Holder> h;
    if (::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) h = read_holder(root);
    else ::flock(fd, LOCK_UN);
    ::close(fd);
    return h;
}

}  // namespace autokaggle
