// A minimal parallel-for over an index range with a fixed number of threads (RAII joins, the
// first exception is rethrown in the caller).
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
