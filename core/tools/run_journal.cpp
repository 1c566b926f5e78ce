#include "tools/run_journal.hpp"

#include "base/atomic_file.hpp"
#include "runner/experiment_runner.hpp"
#include "tools/tool_args.hpp"

#include <boost/json.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace autokaggle::tools {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {
std::string tag(int round) { return ExperimentRunner::round_tag(round); }
}  // namespace

RunJournal::RunJournal(fs::path rounds_dir, int round) : file_(rounds_dir / (tag(round) + "_run.json")) {}

json::object RunJournal::load() const {
    const auto text = read_file_if_exists(file_);
    if (!text) return {};
    json::error_code ec;
    json::value v = json::parse(*text, ec);
    // A torn or foreign file records nothing we can use; the next save replaces it.
    return !ec && v.is_object() ? std::move(v.as_object()) : json::object{};
}

void RunJournal::store(const json::object& doc) const { atomic_write(file_, json::serialize(doc) + "\n"); }

std::optional<json::object> RunJournal::run_record() const {
    const json::object doc = load();
    if (const auto* r = doc.if_contains("record"); r && r->is_object()) return r->get_object();
    return std::nullopt;
}

void RunJournal::save_run_record(const json::object* record) const {
    json::object doc = load();
    if (record) doc["record"] = *record;
    else doc.erase("record");
    store(doc);
}

std::optional<json::object> RunJournal::outcome() const {
    const json::object doc = load();
    if (const auto* o = doc.if_contains("outcome"); o && o->is_object()) return o->get_object();
    return std::nullopt;
}

void RunJournal::save_outcome(const json::object& outcome) const {
    json::object doc = load();
    doc["outcome"] = outcome;
    doc.erase("record");  // the run has ended: its outcome replaces the runner's record
    store(doc);
}

RunLock::RunLock(const fs::path& rounds_dir, int round) {
    std::error_code ec;
    fs::create_directories(rounds_dir, ec);
    const fs::path file = rounds_dir / (tag(round) + "_run.lock");
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd_ < 0) throw Error("cannot open " + file.string() + ": " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd_);
        fd_ = -1;
        throw ToolError("another run of " + tag(round) +
                        "'s experiment is in progress (started by another call or process); wait for its result "
                        "instead of starting a second one");
    }
}

RunLock::~RunLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

std::string recorded_run_status(const fs::path& rounds_dir, int round) {
    const auto outcome = RunJournal(rounds_dir, round).outcome();
    if (!outcome) return {};
    const auto* status = outcome->if_contains("status");
    return status && status->is_string() ? std::string(status->get_string()) : std::string();
}

}  // namespace autokaggle::tools
