#include "orchestrator/state_journal.hpp"
#include "base/utc_time.hpp"

namespace autokaggle {

namespace {
[[noreturn]] void nested(const char* what) {
    throw std::logic_error(std::string("StateJournal::") + what +
                           " called from inside an update of the same journal (it would deadlock)");
}
}  // namespace

StateJournal::StateJournal(std::filesystem::path state_file, Stamp stamp)
    : store_(std::move(state_file)), stamp_(std::move(stamp)) {}

StateJournal::Writer::Writer(const StateJournal& journal) : journal_(journal) {
    if (journal_.writer_.load() == std::this_thread::get_id()) nested("update");
    lock_ = std::unique_lock(journal_.mutex_);
    journal_.writer_.store(std::this_thread::get_id());
}

StateJournal::Writer::~Writer() { journal_.writer_.store(std::thread::id{}); }

void StateJournal::load(const Warn& warn) {
    Writer writer(*this);
    state_ = store_.load(warn);
}

void StateJournal::commit(CampaignState next) {
    if (stamp_) stamp_(next);
    next.updated_at = utc_timestamp();
    store_.save(next);
    state_ = std::move(next);
}

CampaignState StateJournal::snapshot() const {
    if (writer_.load() == std::this_thread::get_id()) nested("snapshot");
    std::lock_guard lock(mutex_);
    return state_;
}

}  // namespace autokaggle
