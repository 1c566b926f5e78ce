#include "base/atomic_file.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace autokaggle {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(std::string_view what, const fs::path& path, int err) {
    throw Error(std::string(what) + " " + path.string() + ": " + std::strerror(err));
}

/// Owns a file descriptor (RAII).
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    int release_and_close() {
        int rc = ::close(fd_);
        fd_ = -1;
        return rc;
    }

private:
    int fd_;
};

void fsync_path(const fs::path& path, int flags) {
    Fd fd(::open(path.c_str(), flags | O_CLOEXEC));
    if (fd.get() < 0) fail("cannot open", path, errno);
    if (::fsync(fd.get()) != 0) fail("cannot fsync", path, errno);
}

void fsync_parent(const fs::path& path) {
    fs::path dir = path.parent_path();
    fsync_path(dir.empty() ? fs::path(".") : dir, O_RDONLY | O_DIRECTORY);
}

}  // namespace

void atomic_write(const fs::path& path, std::string_view content) {
    if (path.has_parent_path()) {
        std::error_code ec;
        fs::create_directories(path.parent_path(), ec);
        if (ec) throw Error("cannot create folder " + path.parent_path().string() + ": " + ec.message());
    }
    fs::path tmp = path;
    tmp += ".tmp";
    {
        Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
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
        if (fd.release_and_close() != 0) fail("cannot close", tmp, errno);
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
