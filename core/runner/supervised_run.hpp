// The supervisor's side of a supervised run (autokaggle-supervise run, docs/runner-local.md):
// how an end is classified and the capped run log. What the runner and the supervisor share
// (the run's folder, order, supervisor record and exit record) is in the support set.
#pragma once

#include <autokaggle/support/supervised_run.hpp>

#include <cstdint>
#include <deque>
#include <filesystem>
#include <string>
#include <string_view>

namespace autokaggle::supervised {

/// What starts a line of the runner's own in a run log, so that readers tell it from the output.
inline constexpr std::string_view kRunnerNotePrefix = "[runner] ";

/// The facts the outcome is decided from.
struct EndFacts {
    process::ExitStatus exit;
    std::string stop_reason;         ///< why a stop was asked for (cancel.txt, or the signal)
    double timeout_s = 0;
    long long memory_mb = 0;
    long long cgroup_oom_kills = 0;
    std::string output_tail;         ///< the last few KB of output
    bool sandboxed = false;
};

/// The status and message of a run (docs/runner-local.md, "Outcomes").
ExitRecord classify(const EndFacts& facts);

/// The run log as the supervisor writes it: the output as it arrives up to `head_bytes`; past
/// that only score lines (FOLD k SCORE=, CV_SCORE=) as they arrive, and the last `tail_bytes`,
/// which are written at the end after a line saying how much was left out. The file never
/// grows past head + tail + score lines + two notes, and memory stays at about `tail_bytes`.
class CappedLog {
public:
    CappedLog(const std::filesystem::path& file, std::uint64_t head_bytes, std::uint64_t tail_bytes);
    ~CappedLog();
    CappedLog(const CappedLog&) = delete;
    CappedLog& operator=(const CappedLog&) = delete;

    /// Output as it arrives (chunks split lines anywhere).
    void write(std::string_view chunk);
    /// A line of the runner's own, always written, after kRunnerNotePrefix.
    void note(std::string_view text);
    /// Writes what is held back, then the note `last_note` (when not empty), and closes the file.
    void finish(std::string_view last_note = {});

    std::uint64_t output_bytes() const { return output_bytes_; }
    std::uint64_t dropped_bytes() const { return dropped_bytes_; }
    /// The last 16 KB of output, for the out-of-memory heuristic.
    const std::string& recent() const { return recent_; }
    /// Why the file could not be written (disk full ...), empty when it could.
    const std::string& error() const { return error_; }

private:
    void put(std::string_view bytes);
    void held_back_line(std::string_view line);

    int fd_ = -1;
    std::uint64_t head_left_, tail_bytes_;
    bool head_line_open_ = false;  ///< the head ended inside a line: finish that line first
    bool held_back_ = false;       ///< past the head
    std::string line_;             ///< the current line past the head (at most 64 KB kept)
    std::uint64_t line_overflow_ = 0;
    std::deque<char> tail_;                  ///< the kept last lines, byte by byte (no per-line overhead)
    std::deque<std::uint32_t> tail_lines_;   ///< their lengths
    std::uint64_t tail_size_ = 0;
    std::uint64_t output_bytes_ = 0, dropped_bytes_ = 0, dropped_lines_ = 0;
    std::string recent_;
    std::string error_;
};

}  // namespace autokaggle::supervised
