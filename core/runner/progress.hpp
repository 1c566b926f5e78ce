// Live progress on the terminal: round, phase, elapsed time, folds done of total, last fold
// score. On a TTY one line is redrawn in place ('\r'); otherwise (logs, pipes, CI) plain lines
// are printed, at most one per interval, plus one when a phase ends. The orchestrator uses it
// for every phase; the experiment runner adds the fold counts.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <iosfwd>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace autokaggle {

/// What a progress line shows.
struct ProgressState {
    int round = 0;
    std::string phase;        ///< "research", "plan", "experiment", ...
    std::string detail;       ///< one short line ("lightgbm baseline")
    int folds_done = 0;
    int folds_total = 0;      ///< 0: not a cross-validated run
    std::optional<double> last_fold_score;
};

/// Where progress goes. Thread-safe implementations: the orchestrator and the runner may report
/// from different threads.
class ProgressSink {
public:
    virtual ~ProgressSink() = default;
    /// A new phase starts now (the elapsed time counts from here).
    virtual void begin(int round, std::string_view phase, std::string_view detail) = 0;
    /// Fold progress of the current phase.
    virtual void folds(int done, int total, std::optional<double> last_score) = 0;
    /// Redraws the elapsed time (called about once a second while work goes on).
    virtual void tick() = 0;
    /// The phase ended; `outcome` is shown on the final line ("ok CV 0.8123", "timeout").
    virtual void end(std::string_view outcome) = 0;
    /// Erases a pending in-place line before other output is written to the same terminal.
    virtual void clear() = 0;
};

class ProgressDisplay final : public ProgressSink {
public:
    using Clock = std::chrono::steady_clock;
    enum class Mode { tty, plain };

    /// `width`: terminal columns (lines are cut to fit in tty mode). `plain_interval`: minimum
    /// time between plain lines. `now`: the clock (replaceable in tests).
    ProgressDisplay(std::ostream& out, Mode mode, int width = 80,
                    std::chrono::milliseconds plain_interval = std::chrono::seconds(10),
                    std::function<Clock::time_point()> now = &Clock::now);

    /// For standard error: tty mode with the terminal's width when stderr is a terminal (and
    /// TERM is not "dumb"), plain otherwise.
    static ProgressDisplay for_stderr();

    void begin(int round, std::string_view phase, std::string_view detail) override;
    void folds(int done, int total, std::optional<double> last_score) override;
    void tick() override;
    void end(std::string_view outcome) override;
    void clear() override;

    /// The text of the current line, e.g. "R03 experiment 02:15 fold 2/5 last 0.81234 - lightgbm".
    std::string line() const;

private:
    std::string line_locked(std::string_view outcome = {}) const;
    void draw_locked(bool force, std::string_view outcome = {});

    std::ostream& out_;
    Mode mode_;
    int width_;
    std::chrono::milliseconds plain_interval_;
    std::function<Clock::time_point()> now_;
    mutable std::mutex mutex_;
    ProgressState state_;
    Clock::time_point phase_started_{};
    std::optional<Clock::time_point> last_plain_;
    bool line_pending_ = false;  ///< tty: a line without newline is on screen
    bool active_ = false;
};

/// Calls sink.tick() every `period` from a background thread while it exists, so that the
/// elapsed time keeps moving during long calls that report nothing (an LLM answering).
class ProgressTicker {
public:
    explicit ProgressTicker(ProgressSink& sink, std::chrono::milliseconds period = std::chrono::seconds(1));
    ~ProgressTicker();
    ProgressTicker(const ProgressTicker&) = delete;
    ProgressTicker& operator=(const ProgressTicker&) = delete;

private:
    ProgressSink& sink_;
    std::chrono::milliseconds period_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

/// "02:15", "1:02:15".
std::string format_elapsed(std::chrono::seconds elapsed);

}  // namespace autokaggle
