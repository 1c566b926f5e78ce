#include "kaggle/zip.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <zlib.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <memory>
#include <string>

namespace autokaggle::kaggle {

namespace fs = std::filesystem;

namespace {

constexpr std::uint32_t sig_eocd = 0x06054b50;
constexpr std::uint32_t sig_zip64_locator = 0x07064b50;
constexpr std::uint32_t sig_zip64_eocd = 0x06064b50;
constexpr std::uint32_t sig_central = 0x02014b50;
constexpr std::uint32_t sig_local = 0x04034b50;
constexpr std::size_t chunk = 256 * 1024;

std::uint64_t le(const unsigned char* p, int bytes) {
    std::uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

struct CentralEntry {
    std::string name;
    std::uint16_t flags = 0;
    std::uint16_t method = 0;
    std::uint32_t crc = 0;
    std::uint64_t compressed = 0;
    std::uint64_t size = 0;
    std::uint64_t local_offset = 0;
};

/// Random access to the archive with errors that name it.
class Archive {
public:
    Archive(std::istream& in, std::string name) : in_(in), name_(std::move(name)) {
        in_.seekg(0, std::ios::end);
        const auto end = in_.tellg();
        if (!in_ || end < 0) fail("cannot read");
        size_ = static_cast<std::uint64_t>(end);
    }
    [[noreturn]] void fail(const std::string& what) const { throw Error("zip " + name_ + ": " + what); }
    std::uint64_t size() const { return size_; }
    /// Checked before anything is allocated or read: offsets and lengths come from the archive.
    void check_range(std::uint64_t offset, std::uint64_t n) const {
        if (n > size_ || offset > size_ - n) fail("truncated archive (an entry points past the end of the file)");
    }
    void read(std::uint64_t offset, unsigned char* out, std::size_t n) {
        check_range(offset, n);
        in_.clear();
        in_.seekg(static_cast<std::streamoff>(offset));
        in_.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(n));
        if (!in_) fail("read error");
    }
    std::vector<unsigned char> read(std::uint64_t offset, std::uint64_t n) {
        check_range(offset, n);
        std::vector<unsigned char> buf(static_cast<std::size_t>(n));
        read(offset, buf.data(), buf.size());
        return buf;
    }

private:
    std::istream& in_;
    std::string name_;
    std::uint64_t size_ = 0;
};

struct Directory {
    std::uint64_t offset = 0, bytes = 0, entries = 0;
};

Directory find_directory(Archive& a) {
    if (a.size() < 22) a.fail("not a zip archive (too small)");
    std::uint64_t tail = std::min<std::uint64_t>(a.size(), 65535 + 22);
    auto buf = a.read(a.size() - tail, tail);
    for (std::int64_t i = static_cast<std::int64_t>(tail) - 22; i >= 0; --i) {
        const unsigned char* p = buf.data() + i;
        if (le(p, 4) != sig_eocd) continue;
        Directory d{le(p + 16, 4), le(p + 12, 4), le(p + 10, 2)};
        std::uint64_t eocd_at = a.size() - tail + static_cast<std::uint64_t>(i);
        if (eocd_at >= 20) {
            auto loc = a.read(eocd_at - 20, 20);
            if (le(loc.data(), 4) == sig_zip64_locator) {
                auto z = a.read(le(loc.data() + 8, 8), 56);
                if (le(z.data(), 4) != sig_zip64_eocd) a.fail("corrupt ZIP64 end of central directory");
                d = Directory{le(z.data() + 48, 8), le(z.data() + 40, 8), le(z.data() + 32, 8)};
            }
        }
        return d;
    }
    a.fail("not a zip archive (no end of central directory record)");
}

void apply_zip64_extra(CentralEntry& e, const unsigned char* extra, std::size_t n, bool big_size, bool big_comp,
                       bool big_offset) {
    std::size_t i = 0;
    while (i + 4 <= n) {
        auto id = le(extra + i, 2);
        auto len = le(extra + i + 2, 2);
        const unsigned char* p = extra + i + 4;
        if (i + 4 + len > n) break;
        if (id == 0x0001) {
            std::size_t at = 0;
            auto next = [&](std::uint64_t& field) {
                if (at + 8 <= len) field = le(p + at, 8);
                at += 8;
            };
            if (big_size) next(e.size);
            if (big_comp) next(e.compressed);
            if (big_offset) next(e.local_offset);
        }
        i += 4 + len;
    }
}

std::vector<CentralEntry> read_directory(Archive& a) {
    Directory d = find_directory(a);
    auto buf = a.read(d.offset, d.bytes);
    std::vector<CentralEntry> out;
    std::size_t i = 0;
    for (std::uint64_t n = 0; n < d.entries; ++n) {
        if (i + 46 > buf.size() || le(&buf[i], 4) != sig_central) a.fail("corrupt central directory");
        const unsigned char* p = &buf[i];
        CentralEntry e;
        e.flags = static_cast<std::uint16_t>(le(p + 8, 2));
        e.method = static_cast<std::uint16_t>(le(p + 10, 2));
        e.crc = static_cast<std::uint32_t>(le(p + 16, 4));
        e.compressed = le(p + 20, 4);
        e.size = le(p + 24, 4);
        auto name_len = le(p + 28, 2), extra_len = le(p + 30, 2), comment_len = le(p + 32, 2);
        e.local_offset = le(p + 42, 4);
        if (i + 46 + name_len + extra_len + comment_len > buf.size()) a.fail("corrupt central directory");
        e.name.assign(reinterpret_cast<const char*>(p + 46), name_len);
        apply_zip64_extra(e, p + 46 + name_len, extra_len, e.size == 0xFFFFFFFF, e.compressed == 0xFFFFFFFF,
                          e.local_offset == 0xFFFFFFFF);
        out.push_back(std::move(e));
        i += 46 + name_len + extra_len + comment_len;
    }
    return out;
}

/// The entry's path under the destination, refusing anything that would escape it.
fs::path safe_relative(const Archive& a, std::string name) {
    std::replace(name.begin(), name.end(), '\\', '/');
    if (name.find('\0') != std::string::npos) a.fail("refusing an entry whose name holds a NUL byte");
    fs::path rel = fs::path(name).lexically_normal();
    if (name.empty() || rel.is_absolute() || name.front() == '/' || rel.string().rfind("..", 0) == 0)
        a.fail("refusing entry '" + name + "': it would be written outside the destination folder");
    return rel;
}

bool is_directory_name(const std::string& name) {
    return !name.empty() && (name.back() == '/' || name.back() == '\\');
}

/// Unpacks one entry into `sink`, checking size and CRC; stops as soon as the data would exceed
/// the size the directory states.
void extract_entry(Archive& a, const CentralEntry& e, const ZipReader::Sink& sink) {
    auto local = a.read(e.local_offset, 30);
    if (le(local.data(), 4) != sig_local) a.fail("entry '" + e.name + "': corrupt local header");
    std::uint64_t data_at = e.local_offset + 30 + le(local.data() + 26, 2) + le(local.data() + 28, 2);
    if (e.flags & 1) a.fail("entry '" + e.name + "' is encrypted; unpack it by hand");
    if (e.method != 0 && e.method != 8)
        a.fail("entry '" + e.name + "' uses compression method " + std::to_string(e.method) +
               " (only stored and deflate are supported); unpack it with `unzip`");

    std::vector<unsigned char> in_buf(chunk), out_buf(chunk);
    uLong crc = crc32(0L, Z_NULL, 0);
    std::uint64_t written = 0, consumed = 0;
    auto emit = [&](const unsigned char* data, std::size_t n) {
        if (n > e.size - written)
            a.fail("entry '" + e.name + "': more data than the " + std::to_string(e.size) + " bytes its directory states");
        crc = crc32(crc, data, static_cast<uInt>(n));
        sink(reinterpret_cast<const char*>(data), n);
        written += n;
    };

    if (e.method == 0) {
        while (consumed < e.compressed) {
            std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, e.compressed - consumed));
            a.read(data_at + consumed, in_buf.data(), n);
            emit(in_buf.data(), n);
            consumed += n;
        }
    } else {
        z_stream z{};
        if (inflateInit2(&z, -MAX_WBITS) != Z_OK) a.fail("zlib initialisation failed");
        std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&z, inflateEnd);
        int rc = Z_OK;
        while (rc != Z_STREAM_END) {
            if (z.avail_in == 0) {
                if (consumed >= e.compressed) a.fail("entry '" + e.name + "': compressed data ends early");
                std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, e.compressed - consumed));
                a.read(data_at + consumed, in_buf.data(), n);
                consumed += n;
                z.next_in = in_buf.data();
                z.avail_in = static_cast<uInt>(n);
            }
            z.next_out = out_buf.data();
            z.avail_out = static_cast<uInt>(out_buf.size());
            rc = inflate(&z, Z_NO_FLUSH);
            if (rc != Z_OK && rc != Z_STREAM_END)
                a.fail("entry '" + e.name + "': corrupt deflate data (zlib error " + std::to_string(rc) + ")");
            emit(out_buf.data(), out_buf.size() - z.avail_out);
        }
    }
    if (written != e.size)
        a.fail("entry '" + e.name + "': expected " + std::to_string(e.size) + " bytes, got " + std::to_string(written));
    if (static_cast<std::uint32_t>(crc) != e.crc) a.fail("entry '" + e.name + "': CRC mismatch (corrupt download?)");
}

}  // namespace

struct ZipReader::Impl {
    Impl(std::istream& in, std::string name) : archive(in, std::move(name)), central(read_directory(archive)) {}
    Archive archive;
    std::vector<CentralEntry> central;
};

ZipReader::ZipReader(std::istream& archive, std::string name) : impl_(std::make_unique<Impl>(archive, std::move(name))) {
    entries_.reserve(impl_->central.size());
    for (const auto& e : impl_->central)
        entries_.push_back(ZipEntry{safe_relative(impl_->archive, e.name), e.size, is_directory_name(e.name)});
}

ZipReader::~ZipReader() = default;

void ZipReader::unpack(std::size_t index, const Sink& sink) {
    if (!entries_.at(index).directory) extract_entry(impl_->archive, impl_->central.at(index), sink);
}

namespace {
/// The archive file open for reading, with the error naming it when it cannot be.
std::ifstream open_archive(const fs::path& zip) {
    std::ifstream in(zip, std::ios::binary);
    if (!in) throw Error("zip " + zip.string() + ": cannot open");
    return in;
}
}  // namespace

std::vector<ZipEntry> list_zip(const fs::path& zip) {
    std::ifstream in = open_archive(zip);
    return ZipReader(in, zip.string()).entries();
}

std::vector<fs::path> extract_zip(const fs::path& zip, const fs::path& destination) {
    std::ifstream in = open_archive(zip);
    ZipReader reader(in, zip.string());
    fs::create_directories(destination);
    std::vector<fs::path> written;
    for (std::size_t i = 0; i < reader.entries().size(); ++i) {
        const ZipEntry& e = reader.entries()[i];
        fs::path target = destination / e.name;
        if (e.directory) {
            fs::create_directories(target);
            continue;
        }
        fs::create_directories(target.parent_path());
        fs::path part = target;
        part += ".part";
        try {
            std::ofstream out(part, std::ios::binary | std::ios::trunc);
            if (!out) throw Error("zip " + zip.string() + ": cannot write " + part.string());
            reader.unpack(i, [&](const char* data, std::size_t n) { out.write(data, static_cast<std::streamsize>(n)); });
            out.close();
            if (!out) throw Error("zip " + zip.string() + ": write error on " + part.string() + " (disk full?)");
        } catch (...) {
            std::error_code ignore;
            fs::remove(part, ignore);
            throw;
        }
        fs::rename(part, target);
        written.push_back(target);
    }
    return written;
}

}  // namespace autokaggle::kaggle
