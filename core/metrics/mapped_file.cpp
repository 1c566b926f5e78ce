#include "metrics/mapped_file.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace autokaggle::metrics {

namespace {
[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path, int err) {
    throw Error(what + " " + path.string() + ": " + std::strerror(err));
}
}  // namespace

MappedFile::MappedFile(const std::filesystem::path& path) : path_(path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("cannot open", path, errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        int err = errno;
        ::close(fd);
        fail("cannot stat", path, err);
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        throw Error("cannot read " + path.string() + ": it is a folder, a file was expected");
    }
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ > 0) {
        // No MAP_POPULATE: populating a large file's page tables up front is one long system call
        // on the calling thread, whereas faults on first touch (the kernel maps 16 pages around
        // each) are spread over whichever threads read the file.
        void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
        int err = errno;
        ::close(fd);
        if (p == MAP_FAILED) fail("cannot map", path, err);
        ::madvise(p, size_, MADV_SEQUENTIAL);
        data_ = static_cast<const char*>(p);
    } else {
        ::close(fd);
    }
}

MappedFile::~MappedFile() { release(); }

MappedFile::MappedFile(MappedFile&& other) noexcept
    : path_(std::move(other.path_)), data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
    if (this != &other) {
        release();
        path_ = std::move(other.path_);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

void MappedFile::release() noexcept {
    if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
    data_ = nullptr;
    size_ = 0;
}

}  // namespace autokaggle::metrics
