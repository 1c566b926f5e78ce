// SIGINT/SIGTERM to a stop request: the handler only writes the signal number to a self-pipe;
// a watcher thread reads it and sets an atomic flag the campaign polls (cancel_requested()).
// The work in progress, including an atomic write, finishes before the loop stops.
#pragma once

#include <atomic>
#include <csignal>
#include <thread>

namespace autokaggle {

class SignalWatcher {
public:
    /// Installs the handlers (previous ones are restored on destruction). One per process.
    SignalWatcher();
    ~SignalWatcher();
    SignalWatcher(const SignalWatcher&) = delete;
    SignalWatcher& operator=(const SignalWatcher&) = delete;

    bool stop_requested() const { return signal_.load() != 0; }
    int signal() const { return signal_.load(); }  ///< 0 when none arrived
    /// Marks a stop as if `signo` had arrived (tests, budget stops use their own reasons).
    void request(int signo) { signal_.store(signo); }

private:
    void watch();
    std::atomic<int> signal_{0};
    int pipe_[2] = {-1, -1};
    struct sigaction previous_int_{}, previous_term_{};
    std::thread thread_;
};

}  // namespace autokaggle
