// A minimal parallel-for over an index range with a fixed number of threads (RAII joins, the
// first exception is rethrown in the caller), and the thread budget of a call that may itself
// run concurrently.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace autokaggle::metrics {

inline unsigned default_threads(unsigned requested) {
    if (requested > 0) return requested;
    return std::max(1u, std::thread::hardware_concurrency());
}

/// The threads one call may start. The blender scores candidates on every core, and a metric
/// that then split each call again would pile threads up; so a call gets every core only while
/// it is the only call of its kind in flight (per `Kind`, per shared library), one otherwise.
/// Alive for the duration of the call.
template <class Kind>
class CallThreads {
public:
    CallThreads() : alone_(in_flight().fetch_add(1) == 0) {}
    ~CallThreads() { in_flight().fetch_sub(1); }
    CallThreads(const CallThreads&) = delete;
    CallThreads& operator=(const CallThreads&) = delete;

    /// Threads worth starting for `items` units of work: 1 below 2 * items_per_thread.
    unsigned for_items(std::size_t items, std::size_t items_per_thread = std::size_t{1} << 18) const {
        if (!alone_ || items < 2 * items_per_thread) return 1;
        return static_cast<unsigned>(std::min<std::size_t>(default_threads(0), items / items_per_thread));
    }

private:
    static std::atomic<int>& in_flight() {
        static std::atomic<int> count{0};
        return count;
    }
    bool alone_;
};

/// Calls body(index, worker) for every index in [0, count) on up to `threads` workers; worker
/// is 0..threads-1, so that each worker can own scratch memory.
template <class Body>
void parallel_for(std::size_t count, unsigned threads, Body&& body) {
    threads = static_cast<unsigned>(std::min<std::size_t>(std::max(1u, threads), std::max<std::size_t>(count, 1)));
    std::atomic<std::size_t> next{0};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto work = [&](unsigned worker) {
        for (;;) {
            std::size_t i = next.fetch_add(1);
            if (i >= count) return;
            try {
                body(i, worker);
            } catch (...) {
                std::lock_guard lock(error_mutex);
                if (!error) error = std::current_exception();
                next.store(count);
                return;
            }
        }
    };
    {
        std::vector<std::jthread> pool;
        for (unsigned w = 1; w < threads; ++w) pool.emplace_back(work, w);
        work(0);
    }
    if (error) std::rethrow_exception(error);
}

}  // namespace autokaggle::metrics
