// NumPy .npy files: the format experiment scripts use for out-of-fold and test predictions.
// Reads float32/float64/int32/int64, 1-D and 2-D, C and Fortran order, into a row-major array of
// doubles; anything else (big-endian, other dtypes, 3-D) is refused naming the file and dtype.
#pragma once

#include "metrics/mapped_file.hpp"

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::metrics {

/// A read-only 1-D or 2-D array, row-major: an NpyArray, or an NpyFile read in place. A 1-D
/// array of n values has rows = n, cols = 1 and one_dimensional = true.
struct NpyView {
    std::span<const double> data;
    std::size_t rows = 0;
    std::size_t cols = 0;
    bool one_dimensional = false;

    double at(std::size_t row, std::size_t col) const { return data[row * cols + col]; }
    std::span<const double> row(std::size_t r) const { return data.subspan(r * cols, cols); }
    /// "(1000,)" or "(1000, 3)", as NumPy prints shapes.
    std::string shape_text() const;
};

/// A 1-D or 2-D array, row-major in memory, owning its values (see NpyView for the fields).
struct NpyArray {
    std::vector<double> data;
    std::size_t rows = 0;
    std::size_t cols = 0;
    bool one_dimensional = false;

    double at(std::size_t row, std::size_t col) const { return data[row * cols + col]; }
    std::span<const double> row(std::size_t r) const { return {data.data() + r * cols, cols}; }
    std::string shape_text() const { return view().shape_text(); }
    NpyView view() const { return {data, rows, cols, one_dimensional}; }
    operator NpyView() const { return view(); }  // an array passes wherever a view is read, as string to string_view

    static NpyArray vector(std::vector<double> values);
    static NpyArray matrix(std::vector<double> values, std::size_t rows, std::size_t cols);
};

/// Reads a .npy file. Throws autokaggle::Error naming the file and what is wrong with it.
NpyArray read_npy(const std::filesystem::path& path);

/// A .npy file open for reading, for callers that only read the values (`autokaggle score`).
/// Little-endian float64 in C order, what numpy.save writes for a float64 array, is read in
/// place from the memory map: no copy of a file that may hold hundreds of megabytes. Other
/// dtypes and Fortran order are converted, as read_npy does, into memory the object owns.
class NpyFile {
public:
    /// Throws autokaggle::Error naming the file and what is wrong with it, as read_npy.
    explicit NpyFile(const std::filesystem::path& path);
    const NpyView& view() const { return view_; }
    /// True when the values are read in place (no conversion was needed).
    bool in_place() const { return in_place_; }

private:
    MappedFile file_;
    NpyArray converted_;
    NpyView view_;
    bool in_place_ = false;
};

/// Parses .npy bytes already in memory; `name` is used in error messages.
NpyArray parse_npy(std::string_view bytes, const std::string& name);

/// The .npy bytes (format 1.0, '<f8', C order) of `array`.
std::string encode_npy(const NpyArray& array);

/// The .npy bytes (format 1.0, C order) of raw little-endian values of NumPy dtype `descr`
/// ("<i4", "|b1"...): `values` holds rows x cols items (rows items when one_dimensional).
std::string encode_npy(std::string_view descr, std::size_t rows, std::size_t cols, bool one_dimensional,
                       std::string_view values);

/// Writes `array` as float64 .npy atomically (autokaggle::atomic_write).
void write_npy(const std::filesystem::path& path, const NpyArray& array);

}  // namespace autokaggle::metrics
