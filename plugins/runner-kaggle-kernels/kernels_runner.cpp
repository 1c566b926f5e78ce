#include "kernels_runner.hpp"

#include "kernel_source.hpp"

#include <autokaggle/support/atomic_file.hpp>
#include <autokaggle/support/http_client.hpp>
#include <autokaggle/support/plugin_options.hpp>

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>
#include <thread>

namespace autokaggle::kaggle_kernels {

namespace fs = std::filesystem;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;
namespace jr = kaggle::json_read;

namespace {

constexpr std::string_view kSource = "runner-kaggle-kernels";
constexpr std::string_view kSaveKernel = "kernels.KernelsApiService/SaveKernel";
constexpr std::string_view kSessionStatus = "kernels.KernelsApiService/GetKernelSessionStatus";
constexpr std::string_view kSessionOutput = "kernels.KernelsApiService/ListKernelSessionOutput";

std::chrono::milliseconds ms(double seconds) {
    return std::chrono::milliseconds(static_cast<long long>(std::max(0.0, seconds) * 1000));
}

std::string seconds_text(double s) {
    std::ostringstream out;
    out << s;
    return out.str();
}

/// Milliseconds since the epoch: the push time survives a restart in the record.
std::int64_t unix_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string kernel_url(const KernelRef& k) { return "https://www.kaggle.com/code/" + k.ref(); }

/// "/code/alice/my-kernel", "alice/my-kernel" or a full URL -> "my-kernel" (empty when unknown).
std::string slug_in_ref(std::string_view ref) {
    std::string r(ref);
    while (!r.empty() && r.back() == '/') r.pop_back();
    auto slash = r.rfind('/');
    if (slash == std::string::npos || slash + 1 >= r.size()) return {};
    return r.substr(slash + 1);
}

/// The SaveKernel refusal as a ServiceError of a kind the orchestrator can act on.
[[noreturn]] void throw_refusal(const KernelRef& kernel, const std::string& label, const std::string& error, int status,
                                std::string type) {
    std::string limit;
    std::string hint;
    if (is_accelerator_limit(error, &limit)) {
        type = limit == "concurrent session limit" ? "concurrent_sessions" : "accelerator_quota";
        hint = limit == "concurrent session limit"
                   ? " - Kaggle's limit of sessions running at once was reached; wait for one to end (kaggle.com > Code > "
                     "Your Work > active sessions) and resume"
                   : " - Kaggle's " + limit + " was hit; the weekly quota resets on Saturday 00:00 UTC, or set "
                     "runner.options.enable_gpu to false to run on CPU (a phone-verified account is needed for accelerators)";
    } else if (type == "rules_not_accepted" ||
               (error.find("rules") != std::string::npos && error.find("accept") != std::string::npos)) {
        type = "rules_not_accepted";
        hint = " - accept the competition's rules on its Kaggle page (Join Competition) so kernels can attach its data";
    } else if (type.empty()) {
        type = "kernel_refused";
    }
    throw ServiceError("runner kaggle-kernels: Kaggle refused to push kernel " + kernel.ref() + " for " + label + ": " +
                           error + hint,
                       status, type);
}

class KernelRunHandle final : public RunHandle {
public:
    KernelRunHandle(const RunSpec& spec, const Options& options, std::shared_ptr<const kaggle::Client> client,
                    KernelRef kernel, std::int64_t started_at)
        : spec_(spec),
          options_(options),
          client_(std::move(client)),
          kernel_(std::move(kernel)),
          started_at_(started_at),
          timeout_s_(spec.timeout_s > 0 ? spec.timeout_s : options.timeout_s),
          interval_s_(options.poll_interval_s) {}
    // An unfinished kernel keeps running on Kaggle; a resumed campaign re-attaches from the record.
    ~KernelRunHandle() override = default;
    KernelRunHandle(const KernelRunHandle&) = delete;
    KernelRunHandle& operator=(const KernelRunHandle&) = delete;

    RunPoll poll(double max_wait_s) override;
    void cancel(std::string_view reason) override;
    json::object record() const override;

    /// One status call; the session's status name, or nullopt when Kaggle does not know the kernel.
    std::optional<std::string> probe() const;

private:
    json::object session_body() const;
    void check();
    void collect(RunStatus status, std::string message);
    void finish(RunStatus status, std::string message, const std::string& log);
    double elapsed_s() const { return static_cast<double>(unix_now_ms() - started_at_) / 1000.0; }

    RunSpec spec_;
    Options options_;
    std::shared_ptr<const kaggle::Client> client_;
    KernelRef kernel_;
    std::int64_t started_at_;  ///< ms since the epoch
    double timeout_s_;
    double interval_s_;
    Clock::time_point next_check_{};
    std::optional<Clock::time_point> failing_since_;
    std::string last_state_;
    std::string pending_;
    bool finished_ = false;
    RunPoll terminal_;
};

json::object KernelRunHandle::session_body() const {
    json::object body;
    body["userName"] = kernel_.username;
    body["kernelSlug"] = kernel_.slug;
    return body;
}

json::object KernelRunHandle::record() const {
    json::object r;
    r["runner"] = "kaggle-kernels";
    r["slug"] = kernel_.ref();
    r["title"] = kernel_.title;
    r["version_number"] = kernel_.version;
    r["started_at_ms"] = started_at_;
    r["url"] = kernel_url(kernel_);
    return r;
}

std::optional<std::string> KernelRunHandle::probe() const {
    try {
        json::value answer = client_->call(kSessionStatus, session_body());
        return answer.is_object() ? jr::string(answer.as_object(), "status") : std::string();
    } catch (const ServiceError& e) {
        if (e.status() == 404 || e.type() == "not_found") return std::nullopt;
        throw;
    }
}

void KernelRunHandle::check() {
    json::object status;
    try {
        json::value answer = client_->call(kSessionStatus, session_body());
        if (answer.is_object()) status = answer.as_object();
        failing_since_.reset();
    } catch (const ServiceError& e) {
        if (e.status() == 404 || e.type() == "not_found") {
            finish(RunStatus::lost, "Kaggle no longer knows kernel " + kernel_.ref() + " (deleted?): " + e.what(), {});
            return;
        }
        if (e.status() == 401 || e.status() == 403 || e.type() == "unauthorized") throw;
        auto now = Clock::now();
        if (!failing_since_) failing_since_ = now;
        if (now - *failing_since_ > ms(options_.api_grace_s))
            throw Error("runner kaggle-kernels: the Kaggle API has failed for " + seconds_text(options_.api_grace_s) +
                        " s while following kernel " + kernel_.ref() + ": " + e.what());
        return;
    }
    std::string state = jr::string(status, "status");
    std::string failure = jr::string(status, "failureMessage");
    if (kaggle::enum_is(state, "complete")) {
        collect(RunStatus::ok, "completed");
    } else if (kaggle::enum_is(state, "error")) {
        RunStatus s = classify_failure(failure);
        collect(s, "failed on Kaggle: " + (failure.empty() ? std::string("no failure message given") : failure));
    } else if (kaggle::enum_is(state, "cancel_requested") || kaggle::enum_is(state, "cancel_acknowledged")) {
        collect(RunStatus::cancelled, "was cancelled on Kaggle (" + state + ")");
    } else {
        // QUEUED (or absent), RUNNING, or a state this version does not know: still going.
        if (state != last_state_) {
            last_state_ = state;
            interval_s_ = options_.poll_interval_s;
        } else {
            interval_s_ = std::min(interval_s_ * 2, std::max(options_.poll_interval_s, options_.max_poll_interval_s));
        }
        if (timeout_s_ > 0 && elapsed_s() >= timeout_s_)
            finish(RunStatus::timeout,
                   "exceeded the wall-clock limit of " + seconds_text(timeout_s_) +
                       " s; Kaggle's API cannot stop a running kernel, so it runs on until Kaggle ends it - stop it at " +
                       kernel_url(kernel_) + " if it should not use more quota",
                   {});
    }
}

void KernelRunHandle::collect(RunStatus status, std::string message) {
    json::object answer;
    try {
        json::value v = client_->call(kSessionOutput, session_body());
        if (v.is_object()) answer = v.as_object();
    } catch (const Error& e) {
        message += "; its outputs could not be listed: " + std::string(e.what());
    }
    // Output files live on signed storage URLs: fetched with a plain GET, no Kaggle credentials.
    http::Client storage;
    http::RetryPolicy retry{3, std::chrono::milliseconds(1000), std::chrono::milliseconds(10'000),
                            std::chrono::milliseconds(30'000), 0.25};
    int fetched = 0;
    fs::path log_output;  // a "<name>.log" among the outputs, for answers without a "log" field
    for (const auto& item : jr::array(answer, "files")) {
        if (!item.is_object()) continue;
        std::string name = jr::string(item.as_object(), "fileName");
        std::string url = jr::string(item.as_object(), "url");
        if (!safe_output_name(name) || url.empty()) {
            message += "; skipped output '" + name + "' (not a plain relative file name, or no url)";
            continue;
        }
        fs::path target = spec_.work_dir / name;
        try {
            fs::create_directories(target.parent_path());
            http::Request request;
            request.url = url;
            request.follow_redirects = true;
            request.download_to = target;
            http::send_with_retry(storage, request, retry, "Kaggle kernel output " + name);
            ++fetched;
            if (target.extension() == ".log") log_output = target;
        } catch (const Error& e) {
            message += "; output " + name + " was not downloaded: " + e.what();
        }
    }
    message += " (" + std::to_string(fetched) + " output file" + (fetched == 1 ? "" : "s") + " downloaded)";
    std::string log = log_text(jr::string(answer, "log"));
    if (log.empty() && !log_output.empty()) log = log_text(read_file_if_exists(log_output).value_or(""));
    finish(status, std::move(message), log);
}

void KernelRunHandle::finish(RunStatus status, std::string message, const std::string& log) {
    std::string version = kernel_.version > 0 ? " version " + std::to_string(kernel_.version) : "";
    terminal_ = RunPoll{};
    terminal_.status = status;
    terminal_.message = "Kaggle kernel " + kernel_.ref() + version + " " + message;
    std::string text = log;
    if (!text.empty() && text.back() != '\n') text += '\n';
    text += "[runner-kaggle-kernels] " + terminal_.message + "\n";
    std::error_code ec;
    fs::create_directories(spec_.log_file.parent_path(), ec);
    atomic_write(spec_.log_file, text);
    pending_ += log;
    finished_ = true;
}

RunPoll KernelRunHandle::poll(double max_wait_s) {
    auto deadline = Clock::now() + ms(max_wait_s);
    while (!finished_) {
        if (Clock::now() >= next_check_) {
            check();
            next_check_ = Clock::now() + ms(interval_s_);
            if (finished_) break;
        }
        auto now = Clock::now();
        if (now >= deadline) break;
        auto wait = std::min({std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now),
                              std::chrono::duration_cast<std::chrono::milliseconds>(next_check_ - now),
                              std::chrono::milliseconds(200)});
        std::this_thread::sleep_for(std::max(wait, std::chrono::milliseconds(1)));
    }
    RunPoll result = finished_ ? terminal_ : RunPoll{};
    result.new_output = std::move(pending_);
    pending_.clear();
    return result;
}

void KernelRunHandle::cancel(std::string_view reason) {
    if (finished_) return;
    // Kaggle's public API has no route that stops a running session: the runner stops
    // following it and says where to stop it by hand.
    finish(RunStatus::cancelled,
           std::string(reason.empty() ? "cancelled" : reason) +
               "; no longer followed. Kaggle's API cannot stop a running kernel: it runs on until it ends "
               "(stop it at " + kernel_url(kernel_) + " to save quota)",
           {});
}

/// The files of spec.inputs (the fold assignment) by file name, for the launcher to carry.
std::map<std::string, std::string> read_inputs(const RunSpec& spec) {
    std::map<std::string, std::string> out;
    for (const auto& input : spec.inputs) {
        auto bytes = read_file_if_exists(input);
        if (!bytes)
            throw Error("runner kaggle-kernels: cannot read " + input.string() + ", which " + spec.label +
                        " reads; it is shipped with the script");
        out[input.filename().string()] = std::move(*bytes);
    }
    return out;
}

}  // namespace

Options Options::from_json(const json::object& options, const HostServices* host) {
    constexpr std::string_view section = "runner.options";  // where the options stand in config.json
    const json::object o = with_schema_defaults(kOptionsSchema, options);
    Options out;
    out.api_base = kaggle::resolve_api_base(string_option(o, section, "api_base"));
    out.username = string_option(o, section, "username");
    if (out.username.empty() && host) {
        const auto* configured = host->config().if_contains("kaggle_username");
        if (configured && configured->is_string()) out.username = std::string(configured->as_string());
    }
    out.kernel_slug_prefix = string_option(o, section, "kernel_slug_prefix");
    out.enable_gpu = bool_option(o, section, "enable_gpu");
    out.machine_shape = string_option(o, section, "machine_shape");
    out.enable_internet = bool_option(o, section, "enable_internet");
    out.competition = string_option(o, section, "competition");
    if (out.competition.empty() && host) out.competition = host->competition().competition;
    out.competition = kaggle::slug_of(out.competition);
    out.poll_interval_s = number_option(o, section, "poll_interval_s");
    out.max_poll_interval_s = number_option(o, section, "max_poll_interval_s");
    out.timeout_s = number_option(o, section, "timeout_s");
    out.api_grace_s = number_option(o, section, "api_grace_s");
    auto require = [](bool ok, const char* key, const std::string& rule) {
        if (!ok) throw ConfigError(std::string("runner.options.") + key + " " + rule);
    };
    require(!out.competition.empty(), "competition",
            "is empty and config.json has no competition: set the Kaggle competition slug");
    require(out.poll_interval_s > 0, "poll_interval_s", "must be > 0");
    require(out.max_poll_interval_s > 0, "max_poll_interval_s", "must be > 0");
    require(out.timeout_s >= 0, "timeout_s", "must be >= 0 (0 = Kaggle's own limit)");
    require(out.api_grace_s >= 0, "api_grace_s", "must be >= 0");
    require(!out.enable_gpu || !out.machine_shape.empty(), "machine_shape",
            "must name an accelerator (e.g. NvidiaTeslaT4) when enable_gpu is true");
    require(out.username.find('/') == std::string::npos, "username", "must be a bare Kaggle user name");
    return out;
}

KernelsRunner::KernelsRunner(Options options, HostServices* host)
    : KernelsRunner(options, [&] {
          kaggle::ClientOptions c;
          c.api_base = options.api_base;
          if (host) {
              c.cancelled = [host] { return host->cancel_requested(); };
              c.on_retry = [host](const std::string& line) { host->log(LogLevel::warn, kSource, line); };
          }
          return kaggle::Client(kaggle::resolve_credentials(), std::move(c));
      }(), host) {}

KernelsRunner::KernelsRunner(Options options, kaggle::Client client, HostServices* host)
    : options_(std::move(options)), client_(std::make_shared<const kaggle::Client>(std::move(client))), host_(host) {
    if (options_.username.empty()) options_.username = client_->credentials().username();
    if (options_.username.empty())
        throw ConfigError("runner.options.username: no Kaggle user name known (the credentials are a token that does "
                          "not name one); set runner.options.username or config.json kaggle_username");
}

void KernelsRunner::log(LogLevel level, const std::string& message) const {
    if (host_) host_->log(level, kSource, message);
}

KernelRef KernelsRunner::kernel_for(const RunSpec& spec) const {
    KernelRef k;
    k.username = options_.username;
    k.title = kernel_title(options_.kernel_slug_prefix, options_.competition, spec.label);
    k.slug = slugify(k.title);
    return k;
}

json::object KernelsRunner::save_request(const RunSpec& spec, const KernelRef& kernel) const {
    auto script = read_file_if_exists(spec.script);
    if (!script)
        throw Error("runner kaggle-kernels: cannot read the experiment script " + spec.script.string() + " of " +
                    spec.label);
    json::object body;
    body["slug"] = kernel.ref();
    body["newTitle"] = kernel.title;
    body["text"] = launcher_source(spec, *script, options_.competition, read_inputs(spec));
    body["language"] = "python";
    body["kernelType"] = "script";
    body["isPrivate"] = true;
    body["enableGpu"] = options_.enable_gpu;
    body["enableInternet"] = options_.enable_internet;
    body["competitionDataSources"] = json::array{json::value(options_.competition)};
    body["datasetDataSources"] = json::array{};
    if (options_.enable_gpu) body["machineShape"] = options_.machine_shape;
    return body;
}

std::unique_ptr<RunHandle> KernelsRunner::start(const RunSpec& spec) {
    KernelRef kernel = kernel_for(spec);
    json::object body = save_request(spec, kernel);
    json::object answer;
    try {
        json::value v = client_->call(kSaveKernel, body);
        if (v.is_object()) answer = v.as_object();
    } catch (const ServiceError& e) {
        throw_refusal(kernel, spec.label, e.what(), e.status(), e.type());
    }
    std::string error = jr::string(answer, "error");
    if (!error.empty()) throw_refusal(kernel, spec.label, error, 200, {});
    kernel.version = static_cast<int>(jr::integer(answer, "versionNumber"));
    if (std::string slug = slug_in_ref(jr::string(answer, "ref")); !slug.empty() && slug != kernel.slug) {
        log(LogLevel::warn, spec.label + ": Kaggle saved the kernel as '" + slug + "', not '" + kernel.slug + "'");
        kernel.slug = slug;
    }
    for (const auto& item : jr::array(answer, "invalidCompetitionSources"))
        if (item.is_string())
            throw ServiceError("runner kaggle-kernels: Kaggle did not attach competition '" + std::string(item.as_string()) +
                                   "' to kernel " + kernel.ref() + " - check runner.options.competition and accept the "
                                   "competition's rules on its Kaggle page",
                               200, "rules_not_accepted");
    log(LogLevel::info, spec.label + ": pushed Kaggle kernel " + kernel.ref() + " version " +
                            std::to_string(kernel.version) +
                            (options_.enable_gpu ? " on " + options_.machine_shape : std::string(" on CPU")));
    return std::make_unique<KernelRunHandle>(spec, options_, client_, kernel, unix_now_ms());
}

std::unique_ptr<RunHandle> KernelsRunner::attach(const RunSpec& spec, const json::object& record) {
    std::string ref = jr::string(record, "slug");
    auto slash = ref.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 >= ref.size()) {
        log(LogLevel::warn, spec.label + ": the recorded run names no Kaggle kernel; the experiment runs again");
        return nullptr;
    }
    KernelRef kernel;
    kernel.username = ref.substr(0, slash);
    kernel.slug = ref.substr(slash + 1);
    kernel.title = jr::string(record, "title");
    kernel.version = static_cast<int>(jr::integer(record, "version_number"));
    std::int64_t started = jr::integer(record, "started_at_ms");
    auto handle = std::make_unique<KernelRunHandle>(spec, options_, client_, kernel, started > 0 ? started : unix_now_ms());
    std::optional<std::string> state;
    try {
        state = handle->probe();
    } catch (const Error& e) {
        throw Error("runner kaggle-kernels: cannot ask Kaggle about kernel " + ref + " of " + spec.label + ": " + e.what());
    }
    if (!state) {
        log(LogLevel::warn, spec.label + ": Kaggle no longer knows kernel " + ref + "; the experiment runs again");
        return nullptr;
    }
    log(LogLevel::info, spec.label + ": re-attached to Kaggle kernel " + ref + " version " +
                            std::to_string(kernel.version) + " (" + (state->empty() ? "QUEUED" : *state) + ")");
    return handle;
}

}  // namespace autokaggle::kaggle_kernels
