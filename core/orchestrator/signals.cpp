#include "orchestrator/signals.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <unistd.h>

namespace autokaggle {

namespace {
// The write end of the self-pipe: the one piece of state an async-signal handler can reach.
std::atomic<int> g_signal_pipe_write{-1};

extern "C" void on_stop_signal(int signo) {
    const int saved = errno;
    const int fd = g_signal_pipe_write.load();
    if (fd >= 0) {
        const unsigned char byte = static_cast<unsigned char>(signo);
        [[maybe_unused]] ssize_t n = ::write(fd, &byte, 1);
    }
    errno = saved;
}

}  // namespace

SignalWatcher::SignalWatcher() {
    if (::pipe2(pipe_, O_CLOEXEC | O_NONBLOCK) != 0) throw Error(std::string("cannot create signal pipe: ") + std::strerror(errno));
    g_signal_pipe_write.store(pipe_[1]);
    struct sigaction sa{};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &sa, &previous_int_);
    ::sigaction(SIGTERM, &sa, &previous_term_);
    thread_ = std::thread([this] { watch(); });
}

SignalWatcher::~SignalWatcher() {
    ::sigaction(SIGINT, &previous_int_, nullptr);
    ::sigaction(SIGTERM, &previous_term_, nullptr);
    g_signal_pipe_write.store(-1);
    ::close(pipe_[1]);  // wakes the watcher with end-of-file
    if (thread_.joinable()) thread_.join();
    ::close(pipe_[0]);
}

void SignalWatcher::watch() {
    while (true) {
        pollfd p{pipe_[0], POLLIN, 0};
        const int rc = ::poll(&p, 1, -1);
        if (rc < 0 && errno == EINTR) continue;
        unsigned char byte = 0;
        const ssize_t n = ::read(pipe_[0], &byte, 1);
        if (n == 1) {
            int expected = 0;
            signal_.compare_exchange_strong(expected, static_cast<int>(byte));
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        return;  // write end closed
    }
}

}  // namespace autokaggle
