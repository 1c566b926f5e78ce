// `autokaggle submit FILE [-m MESSAGE] [--dir DIR]`: a manual submission through the configured
// submitter plugin, the same code path the orchestrator uses. The file is checked against
// sample_submission.csv first; then it is sent, and the command waits (bounded) for the
// public score.
#include "base/config.hpp"
#include "base/log.hpp"
#include "base/plugin_host.hpp"
#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/open_workspace.hpp"
#include "metrics/metric_loader.hpp"
#include "metrics/verify.hpp"
#include "orchestrator/campaign_host.hpp"
#include "orchestrator/workspace.hpp"

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/metric.hpp>
#include <autokaggle/sdk/submitter.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

namespace autokaggle::cli {

namespace fs = std::filesystem;

namespace {

constexpr double default_wait_s = 600;

double option_number(const PluginSelection& selection, const char* key, double fallback) {
    const auto* v = selection.options.if_contains(key);
    return v && v->is_number() ? v->to_number<double>() : fallback;
}

/// Polls until the submission is scored or fails, at most `max_wait_s`; backoff 1 s doubling to 15 s.
SubmissionInfo wait_for_score(Submitter& submitter, SubmissionInfo info, double max_wait_s) {
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + std::chrono::milliseconds(static_cast<long long>(max_wait_s * 1000));
    auto delay = std::chrono::milliseconds(1000);
    while (info.state == SubmissionState::pending && clock::now() < deadline) {
        std::this_thread::sleep_for(std::min<clock::duration>(delay, deadline - clock::now()));
        info = submitter.status(info.ref);
        delay = std::min(delay * 2, std::chrono::milliseconds(15'000));
    }
    return info;
}

/// The workspace lock for a manual submission, so that two never write the leaderboard at once:
/// refused at once while a campaign runs (it submits on its own), waited for (up to a minute)
/// while another `autokaggle submit` finishes.
void lock_for_submit(std::optional<WorkspaceLock>& lock, const fs::path& dir) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (true) {
        try {
            lock.emplace(dir, "submit");
            return;
        } catch (const LockHeldError& e) {
            if (e.holder() == "run") {
                throw ConfigError("a campaign is running in " + dir.string() + " (pid " + std::to_string(e.pid()) +
                                  "): it decides and sends submissions itself; stop it (Ctrl-C, or kill -TERM " +
                                  std::to_string(e.pid()) + ") before submitting by hand");
            }
            if (std::chrono::steady_clock::now() >= until) throw;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    }
}

}  // namespace

int cmd_submit(CommandArgs argv) {
    const Args args(argv, {"--message", "--dir", "--timeout"}, {"--no-wait"}, {{"-m", "--message"}});
    if (args.help()) {
        print_usage(command_named("submit"));
        std::cout << "\n  -m, --message TEXT  the submission's description (default: \"manual: FILE\")\n"
                     "  --dir DIR           the workspace (default: the current folder)\n"
                     "  --timeout S         how long to wait for the public score (default: the submitter's\n"
                     "                      poll_timeout_s option, else 600)\n"
                     "  --no-wait           return once the submission is accepted\n"
                     "\nThe file is checked against data/sample_submission.csv first (columns, ids, values).\n"
                     "Exit codes: 0 scored (or accepted with --no-wait), 1 refused / failed / not scored in time,\n"
                     "2 bad usage, bad config or an invalid file.\n";
        return exit_ok;
    }
    if (args.positionals().size() != 1) throw UsageError("give exactly one submission file");
    const fs::path file = fs::absolute(args.positionals()[0]);
    if (!fs::is_regular_file(file)) throw ConfigError(file.string() + ": no such file");

    const OpenWorkspace workspace(fs::absolute(args.value_or("--dir", ".")) / "config.json");
    const Config& config = workspace.config;
    const PluginHost& plugins = workspace.plugins;
    const WorkspacePaths& paths = workspace.paths;
    if (config.submitter.plugin.empty())
        throw ConfigError("config.json: submitter: no submitter configured; add \"submitter\": {\"plugin\": \"kaggle\"}");

    Logger logger(paths.logs / "autokaggle.log");
    CampaignHost host(config, paths, plugins, logger);

    const metrics::CheckResult check = metrics::check_submission(config.competition, host.metric(), file);
    if (!check.ok()) {
        std::cerr << "autokaggle submit: " << file.string() << " is not a valid submission for "
                  << config.competition.competition << ":\n" << check.message()
                  << "\nfix the file (it must match " << config.competition.sample_submission_csv.string() << ")\n";
        return exit_usage;
    }
    std::cout << "checked: " << file.filename().string() << " matches the sample submission\n";

    if (config.competition.max_submissions_per_day == 0) {
        std::cerr << "autokaggle submit: max_submissions_per_day is 0 in config.json, which means no submissions; set it "
                     "to the competition's daily limit to submit\n";
        return exit_failure;
    }
    std::optional<WorkspaceLock> lock;
    lock_for_submit(lock, config.root);
    PluginContext context;
    context.options = config.submitter.options;
    context.host = &host;
    auto submitter = plugins.create_submitter(config.submitter.plugin, context);

    try {
        if (auto quota = submitter->quota(); quota && quota->limit > 0) {
            std::cout << "quota: " << quota->used_today << " of " << quota->limit << " used today (UTC)\n";
            if (quota->used_today >= quota->limit) {
                std::cerr << "autokaggle submit: today's submissions are used up (" << quota->used_today << "/"
                          << quota->limit << "); the quota resets at 00:00 UTC\n";
                return exit_failure;
            }
        }
        const std::string message = args.value_or("--message", "manual: " + file.filename().string());
        SubmissionInfo info = submitter->submit(SubmissionRequest{file, message});
        std::cout << "submitted: ref " << (info.ref.empty() ? "(pending)" : info.ref) << ", \"" << info.description << "\"\n"
                  << std::flush;
        lock.reset();  // waiting for the score writes nothing: a campaign may start meanwhile
        if (args.flag("--no-wait") || info.ref.empty()) return exit_ok;

        double wait_s = option_number(config.submitter, "poll_timeout_s", default_wait_s);
        if (auto t = args.integer("--timeout")) wait_s = static_cast<double>(*t);
        info = wait_for_score(*submitter, std::move(info), wait_s);
        switch (info.state) {
            case SubmissionState::complete:
                std::cout << "public score: " << (info.public_score ? format_score(*info.public_score) : "(not shown)") << "\n";
                return exit_ok;
            case SubmissionState::error:
                std::cerr << "autokaggle submit: scoring failed: " << redact(info.message) << "\n";
                return exit_failure;
            case SubmissionState::pending:
                std::cerr << "autokaggle submit: ref " << info.ref << " is not scored after " << wait_s
                          << " s; `autokaggle status` shows it once scored\n";
                return exit_failure;
        }
    } catch (const ServiceError& e) {
        std::cerr << "autokaggle submit: " << redact(e.what()) << "\n";
        return exit_failure;
    }
    return exit_failure;
}

}  // namespace autokaggle::cli
