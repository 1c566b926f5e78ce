// Read-only memory map of a whole file (RAII). The CSV and .npy readers parse straight from the
// mapping: no copy of the file, no per-line reads.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string_view>

namespace autokaggle::metrics {

class MappedFile {
public:
    /// Maps `path` read-only; throws autokaggle::Error naming the path and the OS error.
    explicit MappedFile(const std::filesystem::path& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;

    std::string_view view() const { return {data_, size_}; }
    const char* data() const { return data_; }
    std::size_t size() const { return size_; }
    const std::filesystem::path& path() const { return path_; }

private:
    void release() noexcept;
    std::filesystem::path path_;
    const char* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace autokaggle::metrics
