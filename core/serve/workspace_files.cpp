#include "serve/workspace_files.hpp"

#include "base/text.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace autokaggle::serve {
namespace fs = std::filesystem;

namespace {

/// Closes a descriptor when it goes out of scope.
struct ScopedFd {
    int fd = -1;
    explicit ScopedFd(int value) : fd(value) {}
    ~ScopedFd() {
        if (fd >= 0) ::close(fd);
    }
    ScopedFd(const ScopedFd&) = delete;
    ScopedFd& operator=(const ScopedFd&) = delete;
};

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

/// rounds/R07_plan.md, R12_run.log.partial ...: "R", two or more digits, "_", a name, a known ending.
bool round_file_name(std::string_view name) {
    if (name.size() < 4 || name[0] != 'R') return false;
    std::size_t i = 1;
    while (i < name.size() && name[i] >= '0' && name[i] <= '9') ++i;
    if (i < 3 || i >= name.size() || name[i] != '_') return false;
    for (char c : name.substr(i + 1)) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                           c == '.' || c == '-';
        if (!plain) return false;
    }
    for (std::string_view ending : {".md", ".py", ".log", ".log.partial", ".txt"})
        if (ends_with(name, ending)) return true;
    return false;
}

enum class Part { head, tail, from_offset };

/// Reads up to `max_bytes`: from the start, from `offset`, or the last `max_bytes` (then from
/// the first full line on).
FileRead read_descriptor(int fd, Part part, std::size_t max_bytes, std::uintmax_t offset = 0) {
    FileRead out;
    struct stat st{};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        out.status = 404;
        out.message = "not a regular file";
        return out;
    }
    out.size = static_cast<std::uintmax_t>(st.st_size);
    out.inode = static_cast<std::uint64_t>(st.st_ino);
    std::uintmax_t from = 0;
    if (part == Part::tail && out.size > max_bytes) from = out.size - max_bytes;
    if (part == Part::from_offset) from = std::min(offset, out.size);
    out.text.resize(static_cast<std::size_t>(std::min<std::uintmax_t>(out.size - from, max_bytes)));
    std::size_t got = 0;
    while (got < out.text.size()) {
        const ssize_t n = ::pread(fd, out.text.data() + got, out.text.size() - got, static_cast<off_t>(from + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // the file shrank meanwhile: what was read stands
        got += static_cast<std::size_t>(n);
    }
    out.text.resize(got);
    out.truncated = from + got < out.size || from > 0;
    if (part == Part::tail && from > 0) {
        const auto nl = out.text.find('\n');
        out.text.erase(0, nl == std::string::npos ? 0 : nl + 1);
    }
    return out;
}

FileRead refusal(int status, std::string message) {
    FileRead out;
    out.status = status;
    out.message = std::move(message);
    return out;
}

}  // namespace

std::optional<std::string> decode_relative_path(std::string_view encoded, std::string& why) {
    std::string path;
    path.reserve(encoded.size());
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        if (encoded[i] != '%') {
            path.push_back(encoded[i]);
            continue;
        }
        const int hi = i + 2 < encoded.size() ? hex_value(encoded[i + 1]) : -1;
        const int low = i + 2 < encoded.size() ? hex_value(encoded[i + 2]) : -1;
        if (hi < 0 || low < 0) {
            why = "a '%' not followed by two hex digits";
            return std::nullopt;
        }
        path.push_back(static_cast<char>(hi * 16 + low));
        i += 2;
    }
    if (path.find('%') != std::string::npos) {
        why = "encoded more than once";
        return std::nullopt;
    }
    if (path.empty()) {
        why = "empty path";
        return std::nullopt;
    }
    if (path.front() == '/') {
        why = "an absolute path";
        return std::nullopt;
    }
    for (unsigned char c : path) {
        if (c < 0x20 || c == 0x7f || c == '\\') {
            why = "a control character or backslash";
            return std::nullopt;
        }
    }
    for (const auto& part : split(path, '/')) {
        if (part.empty() || part == "." || part == "..") {
            why = "an empty, '.' or '..' path component";
            return std::nullopt;
        }
    }
    return path;
}

bool served_path(std::string_view relative) {
    for (std::string_view fixed : {"results.tsv", "experiments.json", "LEARNINGS.md", "blends/blend.json", "logs/autokaggle.log"})
        if (relative == fixed) return true;
    constexpr std::string_view rounds = "rounds/";
    return relative.substr(0, rounds.size()) == rounds && round_file_name(relative.substr(rounds.size()));
}

bool tail_only_path(std::string_view relative) { return ends_with(relative, ".log") || ends_with(relative, ".log.partial"); }

WorkspaceFiles::WorkspaceFiles(const fs::path& root) : root_(fs::absolute(root).lexically_normal()) {
    root_fd_ = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root_fd_ < 0) throw Error("cannot open the workspace folder " + root_.string() + ": " + std::strerror(errno));
}

WorkspaceFiles::~WorkspaceFiles() {
    if (root_fd_ >= 0) ::close(root_fd_);
}

int WorkspaceFiles::open_under_root(std::string_view relative, bool directory) const {
    const auto parts = split(relative, '/');
    ScopedFd folder(-1);  // the folder reached so far (the root is not owned here)
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (parts[i].empty() || parts[i] == "." || parts[i] == "..") {
            errno = EACCES;
            return -1;
        }
        const bool last = i + 1 == parts.size();
        const int flags = O_CLOEXEC | O_NOFOLLOW |
                          (!last ? O_PATH | O_DIRECTORY : directory ? O_RDONLY | O_DIRECTORY : O_RDONLY | O_NONBLOCK);
        const int at = folder.fd >= 0 ? folder.fd : root_fd_;
        const int next = ::openat(at, parts[i].c_str(), flags);
        if (next < 0) {
            // A link met on the way reads as ENOTDIR (a folder) or ELOOP (the file): say which.
            struct stat st{};
            if (::fstatat(at, parts[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) errno = ELOOP;
            return -1;
        }
        if (last) return next;
        ScopedFd previous(std::exchange(folder.fd, next));
    }
    errno = ENOENT;
    return -1;
}

FileRead WorkspaceFiles::read(std::string_view relative, std::size_t max_bytes, bool tail) const {
    ScopedFd fd(open_under_root(relative, false));
    if (fd.fd < 0) return refusal(404, errno == ELOOP ? "a symbolic link (never followed)" : std::strerror(errno));
    return read_descriptor(fd.fd, tail ? Part::tail : Part::head, max_bytes);
}

FileRead WorkspaceFiles::read_from(std::string_view relative, std::uintmax_t offset, std::size_t max_bytes) const {
    ScopedFd fd(open_under_root(relative, false));
    if (fd.fd < 0) return refusal(404, errno == ELOOP ? "a symbolic link (never followed)" : std::strerror(errno));
    return read_descriptor(fd.fd, Part::from_offset, max_bytes, offset);
}

FileRead WorkspaceFiles::serve(std::string_view encoded_relative) const {
    std::string why;
    const auto relative = decode_relative_path(encoded_relative, why);
    if (!relative) return refusal(400, "refused path: " + why);
    if (!served_path(*relative)) return refusal(403, "not a file the dashboard serves: " + *relative);
    const bool tail = tail_only_path(*relative);
    return read(*relative, tail ? kTailBytes : kMaxWholeBytes, tail);
}

std::vector<std::string> WorkspaceFiles::list(std::string_view relative_dir, std::string_view prefix) const {
    std::vector<std::string> names;
    const int fd = open_under_root(relative_dir, true);
    if (fd < 0) return names;
    DIR* dir = ::fdopendir(fd);
    if (!dir) {
        ::close(fd);
        return names;
    }
    while (const dirent* e = ::readdir(dir)) {
        const std::string_view name = e->d_name;
        if (name.substr(0, prefix.size()) != prefix) continue;
        struct stat st{};
        if (::fstatat(::dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) names.emplace_back(name);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
}

std::optional<double> WorkspaceFiles::birth_time(std::string_view relative) const {
    ScopedFd fd(open_under_root(relative, false));
    if (fd.fd < 0) return std::nullopt;
    struct statx sx{};
    if (::statx(fd.fd, "", AT_EMPTY_PATH, STATX_BTIME | STATX_CTIME, &sx) != 0) return std::nullopt;
    const auto& t = (sx.stx_mask & STATX_BTIME) ? sx.stx_btime : sx.stx_ctime;
    return static_cast<double>(t.tv_sec) + t.tv_nsec / 1e9;
}

}  // namespace autokaggle::serve
