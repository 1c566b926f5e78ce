#include "runner/supervised_run.hpp"

#include "runner/score_lines.hpp"

#include "base/atomic_file.hpp"
#include "base/text.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sstream>
#include <unistd.h>

namespace autokaggle::supervised {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr std::size_t kRecentBytes = 16 * 1024;
constexpr std::size_t kMaxLineBytes = 64 * 1024;  ///< longer lines past the head are left out whole

const json::value& field(const json::object& o, std::string_view key, std::string_view what) {
    auto* v = o.if_contains(key);
    if (!v) throw Error(std::string(what) + ": \"" + std::string(key) + "\" is missing");
    return *v;
}

std::string text_field(const json::object& o, std::string_view key, std::string_view what) {
    const auto& v = field(o, key, what);
    if (!v.is_string()) throw Error(std::string(what) + ": \"" + std::string(key) + "\" must be a string");
    return std::string(v.as_string());
}

double number_field(const json::object& o, std::string_view key, std::string_view what) {
    const auto& v = field(o, key, what);
    if (!v.is_number()) throw Error(std::string(what) + ": \"" + std::string(key) + "\" must be a number");
    return v.to_number<double>();
}

std::string optional_text(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::optional<int> optional_int(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    if (!v || !v->is_number()) return std::nullopt;
    return v->to_number<int>();
}

json::value optional_value(const std::optional<int>& v) { return v ? json::value(*v) : json::value(nullptr); }

json::object identity_json(const process::ProcessIdentity& id) {
    return {{"pid", id.pid}, {"start_time", id.start_time}};
}

process::ProcessIdentity identity_from(const json::object& o, std::string_view key) {
    process::ProcessIdentity id;
    if (auto* v = o.if_contains(key); v && v->is_object()) {
        const auto& io = v->as_object();
        if (auto* p = io.if_contains("pid"); p && p->is_number()) id.pid = p->to_number<pid_t>();
        if (auto* s = io.if_contains("start_time"); s && s->is_number())
            id.start_time = s->to_number<unsigned long long>();
    }
    return id;
}

bool looks_like_memory_error(std::string_view tail) {
    for (std::string_view marker : {"MemoryError", "std::bad_alloc", "Cannot allocate memory", "Unable to allocate",
                                    "out of memory"})
        if (tail.find(marker) != std::string_view::npos) return true;
    return false;
}

/// A line past the head that the host needs as it arrives ('\r' ends a line for progress bars).
bool is_score_line(std::string_view line) {
    while (!line.empty()) {
        auto cr = line.find('\r');
        if (parse_score_line(line.substr(0, cr))) return true;
        if (cr == std::string_view::npos) break;
        line.remove_prefix(cr + 1);
    }
    return false;
}

std::string megabytes(std::uint64_t bytes) {
    std::ostringstream out;
    out.precision(3);
    out << static_cast<double>(bytes) / (1024.0 * 1024.0) << " MB";
    return out.str();
}

}  // namespace

// ---- RunOrder ---------------------------------------------------------------------------------

json::object RunOrder::to_json() const {
    json::array args;
    for (const auto& a : argv) args.emplace_back(a);
    json::object environment;
    for (const auto& [name, value] : env) environment[name] = value;
    return {{"label", label},
            {"argv", std::move(args)},
            {"cwd", cwd.string()},
            {"env", std::move(environment)},
            {"log_file", log_file.string()},
            {"timeout_s", timeout_s},
            {"kill_grace_s", kill_grace_s},
            {"memory_mb", memory_mb},
            {"token", token},
            {"log_head_bytes", log_head_bytes},
            {"log_tail_bytes", log_tail_bytes},
            {"sandboxed", sandboxed}};
}

RunOrder RunOrder::from_json(const json::object& o) {
    constexpr std::string_view what = "run order";
    RunOrder r;
    r.label = text_field(o, "label", what);
    const auto& args = field(o, "argv", what);
    if (!args.is_array() || args.as_array().empty()) throw Error("run order: \"argv\" must be a non-empty array");
    for (const auto& a : args.as_array()) {
        if (!a.is_string()) throw Error("run order: every \"argv\" entry must be a string");
        r.argv.emplace_back(a.as_string());
    }
    r.cwd = text_field(o, "cwd", what);
    const auto& environment = field(o, "env", what);
    if (!environment.is_object()) throw Error("run order: \"env\" must be an object");
    for (const auto& kv : environment.as_object()) {
        if (!kv.value().is_string()) throw Error("run order: env." + std::string(kv.key()) + " must be a string");
        r.env[std::string(kv.key())] = std::string(kv.value().as_string());
    }
    r.log_file = text_field(o, "log_file", what);
    r.timeout_s = number_field(o, "timeout_s", what);
    r.kill_grace_s = number_field(o, "kill_grace_s", what);
    r.memory_mb = static_cast<long long>(number_field(o, "memory_mb", what));
    r.token = text_field(o, "token", what);
    r.log_head_bytes = static_cast<std::uint64_t>(number_field(o, "log_head_bytes", what));
    r.log_tail_bytes = static_cast<std::uint64_t>(number_field(o, "log_tail_bytes", what));
    if (auto* s = o.if_contains("sandboxed"); s && s->is_bool()) r.sandboxed = s->as_bool();
    return r;
}

std::string RunOrder::fingerprint() const {
    json::object o = to_json();
    o.erase("token");
    auto& environment = o["env"].as_object();
    environment.erase("AUTOKAGGLE_RUN_TOKEN");
    environment.erase("HOME");
    return content_hash(json::serialize(o));
}

// ---- SupervisorInfo ---------------------------------------------------------------------------

json::object SupervisorInfo::to_json() const {
    return {{"supervisor", identity_json(supervisor)},
            {"command", identity_json(command)},
            {"boot_id", boot_id},
            {"cgroup", cgroup.string()},
            {"notes", notes}};
}

SupervisorInfo SupervisorInfo::from_json(const json::object& o) {
    SupervisorInfo info;
    info.supervisor = identity_from(o, "supervisor");
    info.command = identity_from(o, "command");
    info.boot_id = optional_text(o, "boot_id");
    info.cgroup = optional_text(o, "cgroup");
    info.notes = optional_text(o, "notes");
    return info;
}

bool SupervisorInfo::supervisor_alive() const {
    return !boot_id.empty() && boot_id == process::boot_id() && supervisor.pid > 0 && supervisor.alive();
}

// ---- ExitRecord -------------------------------------------------------------------------------

json::object ExitRecord::to_json() const {
    return {{"status", std::string(to_string(status))},
            {"exit_code", optional_value(exit_code)},
            {"signal", optional_value(signal)},
            {"started_at", started_at},
            {"ended_at", ended_at},
            {"seconds", seconds},
            {"message", message},
            {"output_bytes", output_bytes},
            {"dropped_bytes", dropped_bytes}};
}

ExitRecord ExitRecord::from_json(const json::object& o) {
    constexpr std::string_view what = "exit record";
    ExitRecord r;
    const std::string status = text_field(o, "status", what);
    auto known = run_status_named(status);
    if (!known) throw Error("exit record: unknown status \"" + status + "\"");
    r.status = *known;
    r.exit_code = optional_int(o, "exit_code");
    r.signal = optional_int(o, "signal");
    r.started_at = optional_text(o, "started_at");
    r.ended_at = optional_text(o, "ended_at");
    if (auto* v = o.if_contains("seconds"); v && v->is_number()) r.seconds = v->to_number<double>();
    r.message = optional_text(o, "message");
    if (auto* v = o.if_contains("output_bytes"); v && v->is_number()) r.output_bytes = v->to_number<std::uint64_t>();
    if (auto* v = o.if_contains("dropped_bytes"); v && v->is_number()) r.dropped_bytes = v->to_number<std::uint64_t>();
    return r;
}

std::optional<RunStatus> run_status_named(std::string_view name) {
    for (RunStatus s : {RunStatus::running, RunStatus::ok, RunStatus::crash, RunStatus::timeout, RunStatus::oom,
                        RunStatus::killed_fold1, RunStatus::cancelled, RunStatus::lost})
        if (to_string(s) == name) return s;
    return std::nullopt;
}

std::optional<json::object> read_json_object(const fs::path& file) {
    auto text = read_file_if_exists(file);
    if (!text) return std::nullopt;
    boost::system::error_code ec;
    auto value = json::parse(*text, ec);
    if (ec || !value.is_object()) throw Error(file.string() + ": not a JSON object");
    return value.as_object();
}

// ---- The outcome ------------------------------------------------------------------------------

ExitRecord classify(const EndFacts& f) {
    ExitRecord r;
    r.exit_code = f.exit.exit_code;
    r.signal = f.exit.signal;
    // bubblewrap exits with 128+n when the command inside was ended by signal n.
    if (f.sandboxed && r.exit_code && *r.exit_code > 128 && *r.exit_code < 128 + NSIG) {
        r.signal = *r.exit_code - 128;
        r.exit_code.reset();
    }
    r.seconds = f.exit.seconds;
    std::ostringstream msg;
    msg.precision(3);
    auto how_ended = [&] {
        if (r.exit_code) return "exit code " + std::to_string(*r.exit_code);
        if (r.signal) return "killed by " + process::signal_name(*r.signal);
        return std::string("unknown exit status");
    };
    if (f.exit.stopped) {
        r.status = RunStatus::cancelled;
        msg << (f.stop_reason.empty() ? "cancelled" : f.stop_reason) << " after " << r.seconds << " s ("
            << how_ended() << ")";
    } else if (f.exit.timed_out) {
        r.status = RunStatus::timeout;
        msg << "exceeded the wall-clock limit of " << f.timeout_s << " s; the process tree was ended with SIGTERM"
            << (f.exit.killed ? " and SIGKILL" : "") << " (" << how_ended() << ")";
    } else if (f.cgroup_oom_kills > 0) {
        r.status = RunStatus::oom;
        msg << "memory cap of " << f.memory_mb << " MB reached: the cgroup's OOM killer ended the run (" << how_ended()
            << ")";
    } else if (r.exit_code == 0) {
        r.status = RunStatus::ok;
        msg << "exit code 0 after " << r.seconds << " s";
    } else if (looks_like_memory_error(f.output_tail)) {
        r.status = RunStatus::oom;
        msg << "ran out of memory";
        if (f.memory_mb > 0) msg << " (cap " << f.memory_mb << " MB)";
        msg << ": the output reports a failed allocation (" << how_ended() << ")";
    } else if (r.signal == SIGKILL && f.memory_mb > 0) {
        r.status = RunStatus::oom;
        msg << "killed by SIGKILL that the runner did not send, with a memory cap of " << f.memory_mb
            << " MB: most likely the kernel's OOM killer";
    } else {
        r.status = RunStatus::crash;
        msg << "crashed: " << how_ended();
        if (r.signal == SIGKILL) msg << " (not sent by the runner; the kernel's OOM killer is a common cause)";
    }
    r.message = msg.str();
    return r;
}

// ---- CappedLog --------------------------------------------------------------------------------

CappedLog::CappedLog(const fs::path& file, std::uint64_t head_bytes, std::uint64_t tail_bytes)
    : head_left_(head_bytes), tail_bytes_(tail_bytes) {
    std::error_code ec;
    if (file.has_parent_path()) fs::create_directories(file.parent_path(), ec);
    fd_ = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) throw Error("cannot create the log " + file.string() + ": " + std::strerror(errno));
}

CappedLog::~CappedLog() {
    if (fd_ >= 0) ::close(fd_);
}

void CappedLog::put(std::string_view bytes) {
    // A full disk must not stop the run from being supervised: the failure is reported in the
    // exit record's message instead.
    while (!bytes.empty() && error_.empty() && fd_ >= 0) {
        ssize_t n = ::write(fd_, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            error_ = std::strerror(errno);
            break;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

void CappedLog::held_back_line(std::string_view line) {
    if (is_score_line(line)) {
        put(line);
        return;
    }
    tail_.insert(tail_.end(), line.begin(), line.end());
    tail_lines_.push_back(static_cast<std::uint32_t>(line.size()));
    tail_size_ += line.size();
    while (tail_size_ > tail_bytes_ && !tail_lines_.empty()) {
        const std::uint32_t n = tail_lines_.front();
        tail_.erase(tail_.begin(), tail_.begin() + n);
        tail_lines_.pop_front();
        tail_size_ -= n;
        dropped_bytes_ += n;
        ++dropped_lines_;
    }
}

void CappedLog::write(std::string_view chunk) {
    output_bytes_ += chunk.size();
    recent_.append(chunk);
    if (recent_.size() > 2 * kRecentBytes) recent_.erase(0, recent_.size() - kRecentBytes);
    while (!chunk.empty()) {
        if (!held_back_) {
            if (head_left_ > 0) {
                auto n = static_cast<std::size_t>(std::min<std::uint64_t>(head_left_, chunk.size()));
                put(chunk.substr(0, n));
                head_left_ -= n;
                head_line_open_ = chunk[n - 1] != '\n';
                chunk.remove_prefix(n);
                continue;
            }
            if (head_line_open_) {
                // The head ends at the end of a line (at most kMaxLineBytes further).
                auto nl = chunk.find('\n');
                auto n = nl == std::string_view::npos ? chunk.size() : nl + 1;
                n = std::min<std::size_t>(n, kMaxLineBytes);
                put(chunk.substr(0, n));
                head_line_open_ = chunk[n - 1] != '\n' && n < kMaxLineBytes;
                chunk.remove_prefix(n);
                continue;
            }
            held_back_ = true;
            note("the log keeps the first " + megabytes(output_bytes_ - chunk.size()) + " and the last " +
                 megabytes(tail_bytes_) + " of the output; in between only score lines are written, as they arrive");
        }
        auto nl = chunk.find('\n');
        std::string_view piece = chunk.substr(0, nl == std::string_view::npos ? chunk.size() : nl + 1);
        chunk.remove_prefix(piece.size());
        if (line_.size() + piece.size() <= kMaxLineBytes) line_.append(piece);
        else line_overflow_ += piece.size();
        if (piece.back() != '\n') continue;
        if (line_overflow_ > 0) {
            dropped_bytes_ += line_.size() + line_overflow_;
            ++dropped_lines_;
        } else {
            held_back_line(line_);
        }
        line_.clear();
        line_overflow_ = 0;
    }
}

void CappedLog::note(std::string_view text) {
    put(kRunnerNotePrefix);
    put(text);
    if (text.empty() || text.back() != '\n') put("\n");
}

void CappedLog::finish(std::string_view last_note) {
    if (fd_ < 0) return;
    if (held_back_) {
        if (!line_.empty() && line_overflow_ == 0) held_back_line(line_);
        else if (!line_.empty()) dropped_bytes_ += line_.size() + line_overflow_, ++dropped_lines_;
        line_.clear();
        if (dropped_bytes_ > 0)
            note(std::to_string(dropped_bytes_) + " bytes of output (" + std::to_string(dropped_lines_) +
                 " lines) were left out here; the last " + megabytes(tail_size_) + " follow");
        std::string chunk;
        for (auto it = tail_.begin(); it != tail_.end();) {
            auto n = std::min<std::size_t>(64 * 1024, static_cast<std::size_t>(tail_.end() - it));
            chunk.assign(it, it + static_cast<std::ptrdiff_t>(n));
            put(chunk);
            it += static_cast<std::ptrdiff_t>(n);
        }
        tail_.clear();
        tail_lines_.clear();
    }
    if (!last_note.empty()) {
        if (output_bytes_ > 0 && !recent_.empty() && recent_.back() != '\n') put("\n");
        note(last_note);
    }
    if (::fsync(fd_) != 0 && error_.empty()) error_ = std::strerror(errno);
    ::close(fd_);
    fd_ = -1;
}

}  // namespace autokaggle::supervised
