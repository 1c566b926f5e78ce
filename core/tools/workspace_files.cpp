#include "tools/workspace_files.hpp"

#include "base/atomic_file.hpp"
#include "base/unique_fd.hpp"
#include "tools/tool_args.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <regex>
#include <sys/stat.h>
#include <unistd.h>

namespace autokaggle::tools {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

bool is_within(const fs::path& path, const fs::path& root) {
    auto [r, p] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
    return r == root.end();
}

namespace {

/// Reads a regular file in chunks, line by line, never holding more than one line (cut at
/// `max_line` bytes, the rest of the line skipped) in memory.
class LineReader {
public:
    LineReader(int fd, std::size_t max_line) : fd_(fd), max_line_(max_line) {}

    /// The next line without its newline; false at the end of the file. `cut` tells whether the
    /// line was longer than max_line (its length is then `full_length`).
    bool next(std::string& line, bool& cut, std::size_t& full_length) {
        line.clear();
        cut = false;
        full_length = 0;
        bool any = false;
        while (true) {
            if (pos_ == size_) {
                if (eof_ || !fill()) return any;
            }
            any = true;
            const char* start = buffer_ + pos_;
            const void* nl = std::memchr(start, '\n', size_ - pos_);
            const std::size_t n = nl ? static_cast<const char*>(nl) - start : size_ - pos_;
            full_length += n;
            if (line.size() < max_line_) line.append(start, std::min(n, max_line_ - line.size()));
            if (full_length > max_line_) cut = true;
            pos_ += n;
            if (nl) {
                ++pos_;
                return true;
            }
        }
    }
    std::size_t bytes_read() const { return total_; }

private:
    bool fill() {
        while (true) {
            ssize_t n = ::read(fd_, buffer_, sizeof buffer_);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                eof_ = true;
                return false;
            }
            pos_ = 0;
            size_ = static_cast<std::size_t>(n);
            total_ += size_;
            return true;
        }
    }

    int fd_;
    std::size_t max_line_;
    char buffer_[64 * 1024];
    std::size_t pos_ = 0, size_ = 0, total_ = 0;
    bool eof_ = false;
};

/// Opens a regular file for reading without following a final link and without blocking on a
/// FIFO; throws ToolError for anything that is not a regular file.
int open_regular(const fs::path& file, const std::string& shown) {
    int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) throw ToolError("no such file: " + shown);
        if (errno == ELOOP) throw ToolError(shown + " is a symbolic link; read the file it points to");
        throw ToolError("cannot open " + shown + ": " + std::strerror(errno));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        const bool folder = S_ISDIR(st.st_mode);
        ::close(fd);
        throw ToolError(shown + (folder ? " is a folder; use list_files" : " is not a regular file (a pipe, socket or device); it cannot be read"));
    }
    ::fcntl(fd, F_SETFL, 0);  // regular file: plain blocking reads
    return fd;
}

bool looks_binary(int fd) {
    char head[8192];
    const ssize_t n = ::pread(fd, head, sizeof head, 0);
    return n > 0 && std::memchr(head, '\0', static_cast<std::size_t>(n)) != nullptr;
}

std::string human_bytes(std::uintmax_t n) {
    if (n < 10'000) return std::to_string(n) + " bytes";
    if (n < 10'000'000) return std::to_string(n / 1000) + " kB";
    return std::to_string(n / 1'000'000) + " MB";
}

const std::regex& core_round_file() {
    static const std::regex re(R"(R\d+_(verification\.md|decision\.md|submission\.csv|run\.log|run\.log\.partial|run\.json|run\.lock))");
    return re;
}

}  // namespace

WorkspaceFiles::WorkspaceFiles(fs::path root, FileLimits limits, std::vector<fs::path> held_out,
                               std::vector<fs::path> protected_paths)
    : root_(fs::weakly_canonical(root)), limits_(limits) {
    for (const auto& h : held_out)
        if (!h.empty()) held_out_.push_back(fs::weakly_canonical(h.is_absolute() ? h : root_ / h));
    for (const auto& p : protected_paths) {
        const fs::path absolute = fs::weakly_canonical(p.is_absolute() ? p : root_ / p);
        if (is_within(absolute, root_)) protected_paths_.push_back(absolute.lexically_relative(root_));
    }
    for (const auto& h : held_out_)
        if (is_within(h, root_)) protected_paths_.push_back(h.lexically_relative(root_));
}

std::string WorkspaceFiles::relative(const fs::path& absolute) const {
    const fs::path rel = absolute.lexically_relative(root_);
    return rel.empty() || rel == "." ? "." : rel.generic_string();
}

bool WorkspaceFiles::is_held_out(const fs::path& canonical) const {
    return std::any_of(held_out_.begin(), held_out_.end(), [&](const fs::path& h) { return is_within(canonical, h); });
}

fs::path WorkspaceFiles::checked(const std::string& relative_path) const {
    if (relative_path.empty()) throw ToolError("empty path; give a path relative to the workspace");
    if (relative_path.find('\0') != std::string::npos) throw ToolError("a path may not contain a NUL character");
    fs::path p(relative_path);
    if (p.is_absolute()) {
        // An absolute path is accepted when it names something inside the workspace (coding-agent
        // CLIs see absolute paths in their prompts); it is then treated as relative.
        const fs::path normal = fs::weakly_canonical(p);
        if (!is_within(normal, root_))
            throw ToolError("absolute paths outside the workspace are not allowed (" + relative_path +
                            "); use a path relative to the workspace");
        p = normal.lexically_relative(root_);
        if (p.empty() || p == ".") return root_;
    }
    for (const auto& part : p)
        if (part == "..") throw ToolError("\"..\" is not allowed in paths (" + relative_path + ")");
    return (root_ / p).lexically_normal();
}

fs::path WorkspaceFiles::resolve_for_read(const std::string& relative_path) const {
    const fs::path resolved = fs::weakly_canonical(checked(relative_path));
    if (!is_within(resolved, root_)) throw ToolError("path leads outside the workspace (" + relative_path + ")");
    if (is_held_out(resolved))
        throw ToolError(relative_path + " holds held-out data of the leaderboard; no tool may read it");
    return resolved;
}

std::string WorkspaceFiles::core_owned(const fs::path& rel) const {
    const std::string text = rel.generic_string();
    const std::string first = rel.empty() ? std::string() : rel.begin()->string();
    static const std::vector<std::string> files{"config.json", "state.json",   "state.json.bak", "results.tsv",
                                                "experiments.json", "leaderboard.json", "usage.tsv", "LEARNINGS.md",
                                                ".autokaggle.lock"};
    static const std::vector<std::string> folders{"data", "logs", "agents", "blends"};
    if (text.empty() || text == ".") return "the workspace root is not a file";
    if (std::find(files.begin(), files.end(), text) != files.end())
        return text + " is kept by the orchestrator (it updates LEARNINGS.md from each round's findings)";
    if (std::find(folders.begin(), folders.end(), first) != folders.end())
        return first + "/ belongs to the orchestrator";
    if (rel.extension() == ".npy")
        return ".npy files come from experiment runs (run_experiment, run_python), never from write_file";
    if (first == "rounds" && std::regex_match(rel.filename().string(), core_round_file()))
        return "rounds/" + rel.filename().string() + " is written by the core (verification, decision, submission, run log)";
    for (const auto& p : protected_paths_)
        if (is_within(rel, p)) return p.generic_string() + " belongs to the orchestrator";
    return {};
}

fs::path WorkspaceFiles::resolve_for_write(const std::string& relative_path) const {
    const fs::path target = checked(relative_path);
    if (target == root_) throw ToolError("the workspace root is not a file");
    const fs::path parent = fs::weakly_canonical(target.parent_path());
    if (!is_within(parent, root_)) throw ToolError("path leads outside the workspace (" + relative_path + ")");
    const fs::path file = parent / target.filename();
    std::error_code ec;
    if (fs::is_symlink(fs::symlink_status(file, ec)))
        throw ToolError(relative_path + " is a symbolic link; write_file replaces regular files only");
    if (is_held_out(file)) throw ToolError(relative_path + " holds held-out data of the leaderboard");
    if (std::string why = core_owned(file.lexically_relative(root_)); !why.empty())
        throw ToolError("writing " + relative_path + " is not allowed: " + why);
    return file;
}

std::string WorkspaceFiles::read_lines(const std::string& relative_path, long long first, long long last) const {
    const fs::path file = resolve_for_read(relative_path);
    UniqueFd fd(open_regular(file, relative_path));
    struct stat st {};
    ::fstat(fd.get(), &st);
    const auto size = static_cast<std::uintmax_t>(st.st_size);
    if (looks_binary(fd.get()))
        throw ToolError(relative_path + " is a binary file (" + human_bytes(size) +
                        "); read it with run_python (numpy.load for .npy files)");
    first = std::max(1LL, first);
    LineReader reader(fd.get(), limits_.read_bytes);
    std::string out, line;
    bool cut = false, cut_inside_line = false;
    std::size_t full = 0;
    long long number = 0, shown = first - 1;
    bool at_end = true, byte_cut = false;
    while (reader.next(line, cut, full)) {
        ++number;
        if (number < first) continue;
        if (last > 0 && number > last) {
            at_end = false;
            break;
        }
        if (out.size() + line.size() + 1 > limits_.read_bytes) {
            if (out.empty()) {  // one line longer than the limit: its head, and say so
                out = line.substr(0, limits_.read_bytes) + "\n";
                cut_inside_line = true;
                shown = number;
            }
            at_end = false;
            byte_cut = true;
            break;
        }
        if (cut) cut_inside_line = true;
        out += line;
        out += '\n';
        shown = number;
    }
    if (number < first && number > 0)
        throw ToolError(relative_path + " has only " + std::to_string(number) + " lines");
    // Count the rest of a smallish file, so the header can say "of N" (memory stays one line).
    constexpr std::size_t kCountLimit = 8 << 20;
    if (!at_end && size <= kCountLimit) {
        while (reader.next(line, cut, full)) ++number;
        at_end = true;
    }
    std::string header = "[" + relative_path + ": lines " + std::to_string(first) + "-" + std::to_string(shown);
    header += at_end ? " of " + std::to_string(number) + "]\n" : ", " + human_bytes(size) + " in all]\n";
    if (cut_inside_line)
        out += "[a line longer than " + std::to_string(limits_.read_bytes) + " bytes was cut; use grep or run_python for it]\n";
    if (byte_cut)
        out += "[cut at " + std::to_string(limits_.read_bytes) + " bytes; continue with start_line=" +
               std::to_string(shown + 1) + "]\n";
    return header + out;
}

std::string WorkspaceFiles::write_text(const std::string& relative_path, const std::string& content) const {
    const fs::path file = resolve_for_write(relative_path);
    std::error_code ec;
    if (fs::is_directory(fs::symlink_status(file, ec))) throw ToolError(relative_path + " is a folder");
    atomic_write(file, content);
    return "wrote " + std::to_string(content.size()) + " bytes to " + relative(file);
}

std::string WorkspaceFiles::list(const std::string& relative_path, bool recursive) const {
    const fs::path folder = relative_path.empty() || relative_path == "." ? root_ : resolve_for_read(relative_path);
    std::error_code ec;
    if (!fs::is_directory(folder, ec)) throw ToolError("no such folder: " + relative_path);
    std::vector<std::string> entries;
    std::size_t total = 0;
    auto describe = [&](const fs::directory_entry& e) {
        std::error_code e_ec;
        const std::string name = relative(e.path());
        const auto status = e.symlink_status(e_ec);
        if (fs::is_symlink(status)) return name + "  (link)";
        if (fs::is_directory(status)) return name + "/";
        if (is_held_out(e.path())) return name + "  (held out)";
        const auto size = e.file_size(e_ec);
        return name + "  (" + (e_ec ? std::string("?") : std::to_string(size)) + " bytes)";
    };
    if (recursive) {
        for (auto it = fs::recursive_directory_iterator(folder, fs::directory_options::skip_permission_denied, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (it->path().filename() == ".git" || it.depth() > 4) {
                it.disable_recursion_pending();
                if (it->path().filename() == ".git") continue;
            }
            ++total;
            if (entries.size() < static_cast<std::size_t>(limits_.max_entries)) entries.push_back(describe(*it));
        }
    } else {
        for (const auto& e : fs::directory_iterator(folder, ec)) {
            ++total;
            if (entries.size() < static_cast<std::size_t>(limits_.max_entries)) entries.push_back(describe(e));
        }
    }
    std::sort(entries.begin(), entries.end());
    std::string out;
    for (const auto& e : entries) out += e + "\n";
    if (total > entries.size()) out += "[" + std::to_string(total - entries.size()) + " more entries not shown]\n";
    if (out.empty()) out = "(empty folder)\n";
    return cap_middle(std::move(out), limits_.output_bytes, "list a sub-folder");
}

std::string WorkspaceFiles::grep(const std::string& pattern, const std::string& relative_path, bool ignore_case,
                                 const std::function<bool()>& cancelled) const {
    RE2::Options options;
    options.set_log_errors(false);
    options.set_case_sensitive(!ignore_case);
    options.set_max_mem(32 << 20);
    const RE2 re(pattern, options);
    if (!re.ok())
        throw ToolError("invalid regular expression '" + pattern + "': " + re.error() +
                        " (RE2 syntax: no backreferences or lookaround)");
    const fs::path start = relative_path.empty() || relative_path == "." ? root_ : resolve_for_read(relative_path);
    std::vector<fs::path> files;
    std::size_t skipped_large = 0;
    std::error_code ec;
    const auto start_status = fs::status(start, ec);
    if (fs::is_regular_file(start_status)) {
        files.push_back(start);
    } else if (fs::is_directory(start_status)) {
        // Links are not followed: a link inside the workspace may point anywhere.
        for (auto it = fs::recursive_directory_iterator(start, fs::directory_options::skip_permission_denied, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (it->path().filename() == ".git") {
                it.disable_recursion_pending();
                continue;
            }
            std::error_code s_ec;
            const auto status = it->symlink_status(s_ec);
            if (!fs::is_regular_file(status) || is_held_out(it->path())) continue;
            if (it->file_size(s_ec) > limits_.grep_file_bytes) {
                ++skipped_large;
                continue;
            }
            files.push_back(it->path());
        }
    } else {
        throw ToolError("no such file or folder: " + relative_path);
    }
    std::sort(files.begin(), files.end());
    const auto deadline = Clock::now() + limits_.grep_time;
    std::string out, line, stop_note;
    int matches = 0;
    std::size_t scanned = 0;
    for (const auto& file : files) {
        if (cancelled && cancelled()) {
            stop_note = "[stopped: the campaign is stopping]\n";
            break;
        }
        int raw = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (raw < 0) continue;
        UniqueFd fd(raw);
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || looks_binary(fd.get())) continue;
        ::fcntl(fd.get(), F_SETFL, 0);
        LineReader reader(fd.get(), 1 << 20);
        bool cut = false;
        std::size_t full = 0;
        for (int number = 1; reader.next(line, cut, full); ++number) {
            if (!RE2::PartialMatch(line, re)) continue;
            if (++matches > limits_.max_matches) {
                stop_note = "[more matches not shown; narrow the pattern or the path]\n";
                break;
            }
            if (line.size() > 300) line = line.substr(0, 300) + "...";
            out += relative(file) + ":" + std::to_string(number) + ": " + line + "\n";
        }
        scanned += reader.bytes_read();
        if (!stop_note.empty()) break;
        if (scanned > limits_.grep_total_bytes || Clock::now() > deadline) {
            stop_note = "[search stopped after " + human_bytes(scanned) + " of text; narrow the path]\n";
            break;
        }
    }
    if (skipped_large > 0)
        stop_note += "[" + std::to_string(skipped_large) + " file(s) over " + human_bytes(limits_.grep_file_bytes) +
                     " not searched; use run_python for them]\n";
    if (out.empty() && stop_note.empty()) return "no matches\n";
    return cap_middle(out, limits_.output_bytes, "narrow the pattern") + stop_note;
}

}  // namespace autokaggle::tools
