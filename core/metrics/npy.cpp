#include "metrics/npy.hpp"

#include "base/atomic_file.hpp"
#include "metrics/mapped_file.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace autokaggle::metrics {

namespace {

constexpr std::string_view kMagic = "\x93NUMPY";

[[noreturn]] void fail(const std::string& name, const std::string& what) {
    throw Error(name + ": not a readable .npy file: " + what);
}

struct Header {
    std::string descr;
    bool fortran = false;
    std::vector<std::size_t> shape;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\n')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == ',')) s.remove_suffix(1);
    return s;
}

/// The value text after 'key': in the header dict (up to the next top-level comma or brace).
std::string_view dict_value(std::string_view dict, std::string_view key, const std::string& name) {
    std::string quoted = "'" + std::string(key) + "'";
    auto pos = dict.find(quoted);
    if (pos == std::string_view::npos) fail(name, "header has no " + quoted + " entry");
    pos = dict.find(':', pos + quoted.size());
    if (pos == std::string_view::npos) fail(name, "header entry " + quoted + " has no value");
    std::string_view rest = dict.substr(pos + 1);
    int depth = 0;
    std::size_t end = 0;
    for (; end < rest.size(); ++end) {
        char c = rest[end];
        if (c == '(') ++depth;
        else if (c == ')') --depth;
        else if ((c == ',' || c == '}') && depth == 0) break;
    }
    return trim(rest.substr(0, end));
}

Header parse_header(std::string_view text, const std::string& name) {
    Header h;
    std::string_view descr = dict_value(text, "descr", name);
    if (descr.size() < 2 || (descr.front() != '\'' && descr.front() != '"'))
        fail(name, "dtype " + std::string(descr) + " is not a simple dtype (structured arrays are not supported)");
    h.descr = std::string(descr.substr(1, descr.size() - 2));
    std::string_view fortran = dict_value(text, "fortran_order", name);
    if (fortran == "True") h.fortran = true;
    else if (fortran == "False") h.fortran = false;
    else fail(name, "fortran_order is '" + std::string(fortran) + "', expected True or False");
    std::string_view shape = dict_value(text, "shape", name);
    if (shape.size() < 2 || shape.front() != '(' || shape.back() != ')') fail(name, "shape " + std::string(shape) + " is not a tuple");
    shape = shape.substr(1, shape.size() - 2);
    while (!shape.empty()) {
        auto comma = shape.find(',');
        std::string_view item = trim(shape.substr(0, comma));
        if (!item.empty()) {
            if (item.back() == 'L') item.remove_suffix(1);  // Python 2 longs
            std::size_t v = 0;
            auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
            if (ec != std::errc() || ptr != item.data() + item.size())
                fail(name, "shape entry '" + std::string(item) + "' is not a non-negative integer");
            h.shape.push_back(v);
        }
        if (comma == std::string_view::npos) break;
        shape.remove_prefix(comma + 1);
    }
    return h;
}

template <class T>
void convert(const char* src, std::size_t count, double* dst) {
    if (count == 0) return;  // an empty array: dst may be null, which memcpy must not get
    if constexpr (std::is_same_v<T, double>) {
        std::memcpy(dst, src, count * sizeof(double));
    } else {
        for (std::size_t i = 0; i < count; ++i) {
            T v;
            std::memcpy(&v, src + i * sizeof(T), sizeof(T));
            dst[i] = static_cast<double>(v);
        }
    }
}

}  // namespace

std::string NpyView::shape_text() const {
    if (one_dimensional) return "(" + std::to_string(rows) + ",)";
    return "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")";
}

NpyArray NpyArray::vector(std::vector<double> values) {
    NpyArray a;
    a.rows = values.size();
    a.cols = 1;
    a.one_dimensional = true;
    a.data = std::move(values);
    return a;
}

NpyArray NpyArray::matrix(std::vector<double> values, std::size_t rows, std::size_t cols) {
    if (values.size() != rows * cols)
        throw Error("NpyArray::matrix: " + std::to_string(values.size()) + " values for shape (" + std::to_string(rows) +
                    ", " + std::to_string(cols) + ")");
    NpyArray a;
    a.rows = rows;
    a.cols = cols;
    a.data = std::move(values);
    return a;
}

namespace {

/// Where a .npy file's values are and how they are stored, after every header and size check.
struct Layout {
    NpyView shape;  ///< rows, cols, one_dimensional (no data yet)
    char kind = 0;  ///< 'f' or 'i'
    std::size_t item = 0;
    bool fortran = false;
    std::size_t offset = 0;  ///< of the first value
    std::size_t count() const { return shape.rows * shape.cols; }
    /// Values stored column by column in a shape where that differs from row by row.
    bool transposed() const { return fortran && !shape.one_dimensional && shape.rows > 1 && shape.cols > 1; }
};

Layout parse_layout(std::string_view bytes, const std::string& name) {
    if (bytes.size() < 10 || bytes.substr(0, kMagic.size()) != kMagic)
        fail(name, "it does not start with the .npy magic bytes (\\x93NUMPY); save it with numpy.save");
    auto major = static_cast<unsigned char>(bytes[6]);
    std::size_t header_len = 0, offset = 0;
    if (major == 1) {
        header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
        offset = 10;
    } else if (major == 2 || major == 3) {
        if (bytes.size() < 12) fail(name, "truncated header");
        for (int i = 3; i >= 0; --i) header_len = (header_len << 8) | static_cast<unsigned char>(bytes[8 + i]);
        offset = 12;
    } else {
        fail(name, "format version " + std::to_string(major) + " is not supported (1, 2 and 3 are)");
    }
    if (offset + header_len > bytes.size()) fail(name, "truncated header");
    Header h = parse_header(bytes.substr(offset, header_len), name);

    Layout l;
    l.offset = offset + header_len;
    l.fortran = h.fortran;
    const std::string& d = h.descr;
    if (d.size() == 3 && (d[0] == '<' || d[0] == '|' || d[0] == '=') && (d[1] == 'f' || d[1] == 'i') &&
        (d[2] == '4' || d[2] == '8')) {
        l.kind = d[1];
        l.item = static_cast<std::size_t>(d[2] - '0');
    } else if (!d.empty() && d[0] == '>') {
        fail(name, "dtype '" + d + "' is big-endian; convert with arr.astype('<f8') before saving");
    } else {
        fail(name, "dtype '" + d +
                       "' is not supported (float32, float64, int32, int64 are); convert with arr.astype('float64')");
    }
    if (h.shape.empty() || h.shape.size() > 2)
        fail(name, "shape has " + std::to_string(h.shape.size()) + " dimensions; 1-D or 2-D arrays are supported");
    l.shape.rows = h.shape[0];
    l.shape.cols = h.shape.size() == 2 ? h.shape[1] : 1;
    l.shape.one_dimensional = h.shape.size() == 1;
    if (l.shape.cols != 0 && l.count() / l.shape.cols != l.shape.rows) fail(name, "shape overflows");
    if (bytes.size() - l.offset < l.count() * l.item)
        fail(name, "data is truncated: shape " + l.shape.shape_text() + " needs " + std::to_string(l.count() * l.item) +
                       " bytes, the file has " + std::to_string(bytes.size() - l.offset));
    return l;
}

/// The values as an owned row-major array of doubles, whatever the dtype and order.
NpyArray converted(const Layout& l, std::string_view bytes) {
    NpyArray a;
    a.rows = l.shape.rows;
    a.cols = l.shape.cols;
    a.one_dimensional = l.shape.one_dimensional;
    const std::size_t count = l.count();
    a.data.resize(count);
    const char* src = bytes.data() + l.offset;
    if (l.kind == 'f' && l.item == 8) convert<double>(src, count, a.data.data());
    else if (l.kind == 'f') convert<float>(src, count, a.data.data());
    else if (l.item == 8) convert<std::int64_t>(src, count, a.data.data());
    else convert<std::int32_t>(src, count, a.data.data());

    if (l.transposed()) {
        std::vector<double> row_major(count);
        for (std::size_t c = 0; c < a.cols; ++c)
            for (std::size_t r = 0; r < a.rows; ++r) row_major[r * a.cols + c] = a.data[c * a.rows + r];
        a.data = std::move(row_major);
    }
    return a;
}

}  // namespace

NpyArray parse_npy(std::string_view bytes, const std::string& name) {
    return converted(parse_layout(bytes, name), bytes);
}

NpyFile::NpyFile(const std::filesystem::path& path) : file_(path) {
    const std::string name = path.string();
    const Layout l = parse_layout(file_.view(), name);
    const char* values = file_.data() + l.offset;
    in_place_ = l.kind == 'f' && l.item == 8 && !l.transposed() &&
                reinterpret_cast<std::uintptr_t>(values) % alignof(double) == 0;
    if (in_place_) {
        view_ = l.shape;
        view_.data = {reinterpret_cast<const double*>(values), l.count()};
    } else {
        converted_ = converted(l, file_.view());
        view_ = converted_.view();
    }
}

NpyArray read_npy(const std::filesystem::path& path) {
    MappedFile file(path);
    return parse_npy(file.view(), path.string());
}

std::string encode_npy(std::string_view descr, std::size_t rows, std::size_t cols, bool one_dimensional,
                       std::string_view values) {
    static_assert(std::endian::native == std::endian::little, "the .npy writer assumes a little-endian host");
    std::string shape = one_dimensional ? "(" + std::to_string(rows) + ",)"
                                        : "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")";
    std::string header = "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': " + shape + ", }";
    // Pad with spaces so that the data starts at a multiple of 64 bytes, ending with '\n'.
    std::size_t total = kMagic.size() + 4 + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header.push_back('\n');
    std::string out;
    out.reserve(kMagic.size() + 4 + header.size() + values.size());
    out.append(kMagic);
    out.push_back('\x01');
    out.push_back('\x00');
    out.push_back(static_cast<char>(header.size() & 0xff));
    out.push_back(static_cast<char>((header.size() >> 8) & 0xff));
    out.append(header);
    if (!values.empty()) out.append(values);  // an empty array may have no data pointer at all
    return out;
}

std::string encode_npy(const NpyArray& array) {
    return encode_npy("<f8", array.rows, array.cols, array.one_dimensional,
                      {reinterpret_cast<const char*>(array.data.data()), array.data.size() * sizeof(double)});
}

void write_npy(const std::filesystem::path& path, const NpyArray& array) {
    if (array.data.size() != array.rows * array.cols)
        throw Error("cannot write " + path.string() + ": array holds " + std::to_string(array.data.size()) +
                    " values for shape " + array.shape_text());
    write_exactly(path, encode_npy(array));  // bytes, not text: no redaction
}

}  // namespace autokaggle::metrics
