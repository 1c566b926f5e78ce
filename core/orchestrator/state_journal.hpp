// The campaign's memory in one owner: the StateJournal holds the CampaignState and its mutex.
// The only way to change the state is update(), which locks, applies the change to a copy, saves
// it (state.json, then state.json.bak) and only then makes it current; readers take snapshots.
// So no change is ever made without being saved, a failed save leaves memory as it was on disk,
// and agent threads (run records) and the loop thread share the state safely. A change that
// calls update() or snapshot() again is a logic error reported at once, never a deadlock.
#pragma once

#include "orchestrator/state.hpp"

#include <atomic>
#include <filesystem>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <type_traits>

namespace autokaggle {

class StateJournal {
public:
    using Warn = StateStore::Warn;
    /// Called under the lock right before every save, to stamp what lives outside the state
    /// (wall-clock spent, usage, agent sessions). Must not call back into the journal.
    using Stamp = std::function<void(CampaignState&)>;

    explicit StateJournal(std::filesystem::path state_file, Stamp stamp = {});

    /// Reads state.json (repairing it from state.json.bak when needed) into the journal; a
    /// fresh state when neither exists. Nothing is saved until the first update.
    void load(const Warn& warn);

    /// Applies `change` to the state under the lock and saves the result; returns what `change`
    /// returns. When `change` or the save throws, the state stays as it was.
    template <class Change>
    auto update(Change&& change) -> std::invoke_result_t<Change&, CampaignState&> {
        Writer writer(*this);
        CampaignState next = state_;
        using Result = std::invoke_result_t<Change&, CampaignState&>;
        if constexpr (std::is_void_v<Result>) {
            change(next);
            commit(std::move(next));
        } else {
            Result result = change(next);
            commit(std::move(next));
            return result;
        }
    }

    /// A copy of the state as last saved.
    CampaignState snapshot() const;

    const std::filesystem::path& file() const { return store_.file(); }

private:
    /// Holds the lock for one update and refuses a nested one from the same thread.
    class Writer {
    public:
        explicit Writer(const StateJournal& journal);
        ~Writer();
        Writer(const Writer&) = delete;
        Writer& operator=(const Writer&) = delete;

    private:
        const StateJournal& journal_;
        std::unique_lock<std::mutex> lock_;
    };

    void commit(CampaignState next);

    StateStore store_;
    Stamp stamp_;
    mutable std::mutex mutex_;
    mutable std::atomic<std::thread::id> writer_{};
    CampaignState state_;
};

}  // namespace autokaggle
