#include "base/atomic_file.hpp"

#include "base/log.hpp"
#include "base/unique_fd.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace autokaggle {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(std::string_view what, const fs::path& path, int err) {
    throw Error(std::string(what) + " " + path.string() + ": " + std::strerror(err));
}

void fsync_path(const fs::path& path, int flags) {
    UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC));
    if (fd.get() < 0) fail("cannot open", path, errno);
    if (::fsync(fd.get()) != 0) fail("cannot fsync", path, errno);
}

void fsync_parent(const fs::path& path) {
    fs::path dir = path.parent_path();
    fsync_path(dir.empty() ? fs::path(".") : dir, O_RDONLY | O_DIRECTORY);
}

/// Creates the temporary file exclusively and without following a link: a name planted in its
/// place (a symbolic link to a file elsewhere, a file left by a crash) is removed, never written
/// through. A folder of that name stays and the write fails naming it.
int create_temporary(const fs::path& tmp) {
    constexpr int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    int fd = ::open(tmp.c_str(), flags, 0644);
    if (fd < 0 && errno == EEXIST) {
        struct stat st {};
        if (::lstat(tmp.c_str(), &st) == 0 && !S_ISDIR(st.st_mode) && ::unlink(tmp.c_str()) == 0)
            fd = ::open(tmp.c_str(), flags, 0644);
        else
            errno = EEXIST;
    }
    return fd;
}

}  // namespace

void atomic_write(const fs::path& path, std::string_view content) {
    // Every recorded text passes the same redaction as the log: a key that reached a message
    // (a provider error echoing it, a script printing its environment) is stored as [redacted].
    const std::string redacted = redact(content);
    write_exactly(path, redacted);
}

void write_exactly(const fs::path& path, std::string_view content) {
    if (path.has_parent_path()) {
        std::error_code ec;
        fs::create_directories(path.parent_path(), ec);
        if (ec) throw Error("cannot create folder " + path.parent_path().string() + ": " + ec.message());
    }
    fs::path tmp = path;
    tmp += ".tmp";
    {
        UniqueFd fd(create_temporary(tmp));
        if (fd.get() < 0) fail("cannot create", tmp, errno);
        const char* data = content.data();
        std::size_t left = content.size();
        while (left > 0) {
            ssize_t n = ::write(fd.get(), data, left);
            if (n < 0) {
                if (errno == EINTR) continue;
                fail("cannot write", tmp, errno);
            }
            data += n;
            left -= static_cast<std::size_t>(n);
        }
        if (::fsync(fd.get()) != 0) fail("cannot fsync", tmp, errno);
        if (fd.close() != 0) fail("cannot close", tmp, errno);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) fail("cannot rename into place", path, errno);
    fsync_parent(path);
}

void atomic_install(const fs::path& source, const fs::path& target) {
    fsync_path(source, O_RDONLY);
    if (::rename(source.c_str(), target.c_str()) != 0) fail("cannot rename into place", target, errno);
    fsync_parent(target);
}

std::optional<std::string> read_file_if_exists(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (!fs::exists(path)) return std::nullopt;
        throw Error("cannot read " + path.string() + ": " + std::strerror(errno));
    }
    std::ostringstream out;
    out << in.rdbuf();
    return std::move(out).str();
}

std::string read_file_tail(const fs::path& path, std::size_t max_bytes) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return {};
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::size_t>(std::max<std::streamoff>(in.tellg(), 0));
    const std::size_t take = std::min(size, max_bytes);
    in.seekg(static_cast<std::streamoff>(size - take));
    std::string text(take, '\0');
    in.read(text.data(), static_cast<std::streamsize>(take));
    text.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
    if (take < size)
        if (auto nl = text.find('\n'); nl != std::string::npos && nl + 1 < text.size()) text.erase(0, nl + 1);
    return text;
}

std::string read_file(const fs::path& path) {
    auto content = read_file_if_exists(path);
    if (!content) throw Error("file not found: " + path.string());
    return std::move(*content);
}

bool non_empty_file(const fs::path& path) {
    std::error_code ec;
    return fs::is_regular_file(path, ec) && fs::file_size(path, ec) > 0 && !ec;
}

}  // namespace autokaggle
