#include "runner/progress.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <sys/ioctl.h>
#include <unistd.h>

namespace autokaggle {

std::string format_elapsed(std::chrono::seconds elapsed) {
    long long total = std::max<long long>(0, elapsed.count());
    long long h = total / 3600, m = (total / 60) % 60, s = total % 60;
    std::ostringstream out;
    out << std::setfill('0');
    if (h > 0) out << h << ':' << std::setw(2) << m << ':' << std::setw(2) << s;
    else out << std::setw(2) << m << ':' << std::setw(2) << s;
    return out.str();
}

ProgressDisplay::ProgressDisplay(std::ostream& out, Mode mode, int width, std::chrono::milliseconds plain_interval,
                                 std::function<Clock::time_point()> now)
    : out_(out), mode_(mode), width_(width > 10 ? width : 80), plain_interval_(plain_interval), now_(std::move(now)) {}

ProgressDisplay ProgressDisplay::for_stderr() {
    const char* term = std::getenv("TERM");
    bool tty = ::isatty(STDERR_FILENO) == 1 && !(term && std::strcmp(term, "dumb") == 0);
    int width = 80;
    winsize ws{};
    if (tty && ::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) width = ws.ws_col;
    return ProgressDisplay(std::cerr, tty ? Mode::tty : Mode::plain, width);
}

std::string ProgressDisplay::line_locked(std::string_view outcome) const {
    std::ostringstream out;
    out << 'R' << std::setfill('0') << std::setw(2) << state_.round << ' ' << state_.phase << ' '
        << format_elapsed(std::chrono::duration_cast<std::chrono::seconds>(now_() - phase_started_));
    if (state_.folds_total > 0) out << " fold " << state_.folds_done << '/' << state_.folds_total;
    if (state_.last_fold_score) out << " last " << std::setprecision(6) << *state_.last_fold_score;
    if (!outcome.empty()) out << " -> " << outcome;
    if (!state_.detail.empty()) out << " - " << state_.detail;
    return out.str();
}

std::string ProgressDisplay::line() const {
    std::lock_guard lock(mutex_);
    return line_locked();
}

void ProgressDisplay::draw_locked(bool force, std::string_view outcome) {
    std::string text = line_locked(outcome);
    if (mode_ == Mode::tty) {
        if (text.size() >= static_cast<std::size_t>(width_)) text.resize(static_cast<std::size_t>(width_ - 1));
        out_ << "\r\x1b[K" << text;
        if (!outcome.empty()) {
            out_ << '\n';
            line_pending_ = false;
        } else {
            line_pending_ = true;
        }
        out_.flush();
        return;
    }
    auto now = now_();
    if (!force && last_plain_ && now - *last_plain_ < plain_interval_) return;
    last_plain_ = now;
    out_ << text << '\n';
    out_.flush();
}

void ProgressDisplay::begin(int round, std::string_view phase, std::string_view detail) {
    std::lock_guard lock(mutex_);
    state_ = ProgressState{};
    state_.round = round;
    state_.phase = std::string(phase);
    state_.detail = std::string(detail);
    phase_started_ = now_();
    active_ = true;
    draw_locked(true);
}

void ProgressDisplay::folds(int done, int total, std::optional<double> last_score) {
    std::lock_guard lock(mutex_);
    if (!active_) return;
    state_.folds_done = done;
    state_.folds_total = total;
    state_.last_fold_score = last_score && std::isfinite(*last_score) ? last_score : std::nullopt;  // FOLD k DONE
    draw_locked(false);
}

void ProgressDisplay::tick() {
    std::lock_guard lock(mutex_);
    if (active_) draw_locked(false);
}

void ProgressDisplay::end(std::string_view outcome) {
    std::lock_guard lock(mutex_);
    if (!active_) return;
    draw_locked(true, outcome.empty() ? std::string_view("done") : outcome);
    active_ = false;
}

void ProgressDisplay::clear() {
    std::lock_guard lock(mutex_);
    if (mode_ == Mode::tty && line_pending_) {
        out_ << "\r\x1b[K";
        out_.flush();
        line_pending_ = false;
    }
}

ProgressTicker::ProgressTicker(ProgressSink& sink, std::chrono::milliseconds period)
    : sink_(sink), period_(period), thread_([this] {
          std::unique_lock lock(mutex_);
          while (!wake_.wait_for(lock, period_, [this] { return stop_; })) {
              lock.unlock();
              sink_.tick();
              lock.lock();
          }
      }) {}

ProgressTicker::~ProgressTicker() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

}  // namespace autokaggle
