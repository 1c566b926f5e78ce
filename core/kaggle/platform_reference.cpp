#include "kaggle/platform_reference.hpp"

#include "kaggle/client.hpp"

#include "base/atomic_file.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json.hpp>

#include <sstream>

namespace autokaggle::kaggle {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::string first_line(std::string_view text) {
    const auto nl = text.find('\n');
    return std::string(nl == std::string_view::npos ? text : text.substr(0, nl));
}

std::string yes_no(bool b) { return b ? "yes" : "no"; }

void competition_part(std::ostream& out, const PlatformFacts& f) {
    if (f.competition) {
        const Competition& c = *f.competition;
        out << "## This competition (as of " << f.fetched_on << ", from the Kaggle API)\n\n";
        out << "- competition: `" << c.slug << "`" << (c.title.empty() ? "" : " - " + c.title)
            << (c.url.empty() ? "" : " (" + c.url + ")") << "\n";
        out << "- deadline: " << (c.deadline.empty() ? "not given" : c.deadline + " (UTC)")
            << "; after it no submission is scored and the private leaderboard is revealed\n";
        out << "- submissions per day: "
            << (c.max_daily_submissions > 0 ? std::to_string(c.max_daily_submissions) : std::string("not given"))
            << "; the day resets at 00:00 UTC\n";
        if (c.max_team_size > 0) out << "- team size: up to " << c.max_team_size << "\n";
        if (!c.evaluation_metric.empty()) out << "- evaluation metric (Kaggle's name): " << c.evaluation_metric << "\n";
        if (!c.category.empty()) out << "- category: " << c.category << "\n";
        out << "- rules accepted by this account: " << yes_no(c.user_has_entered)
            << (c.user_has_entered ? "" : " (accept them on the competition page: without it Kaggle refuses submissions "
                                          "and kernels cannot attach the data)")
            << "\n";
        if (c.submissions_disabled) out << "- submissions are disabled for this competition\n";
        out << "\n";
        return;
    }
    out << "## This competition (not from the Kaggle API)\n\n";
    if (f.slug.empty())
        out << "No competition is named yet: run `autokaggle init <workspace> --competition <slug>` to add its limits.\n";
    else
        out << "The Kaggle API was not asked about `" << f.slug << "`: " << f.not_fetched
            << ". Run `autokaggle init <workspace>` again once Kaggle can be asked.\n";
    out << "From config.json (not checked with Kaggle): deadline "
        << (f.configured_deadline.empty() ? std::string("not set") : f.configured_deadline) << ", "
        << (f.configured_daily_submissions > 0 ? std::to_string(f.configured_daily_submissions) : std::string("an unknown number of"))
        << " submissions per day.\n\n";
}

void documented_part(std::ostream& out) {
    out << "## Submissions (from Kaggle's documentation as known on " << kDocumentedAsOf << ")\n\n"
        << "- A submission is a CSV shaped like `sample_submission.csv`: the same id column and rows, the same "
           "prediction columns.\n"
        << "- The daily cap counts the submissions made since 00:00 UTC; a file Kaggle cannot score is reported as an "
           "error.\n"
        << "- The public leaderboard scores a fixed part of the test rows; the private leaderboard, scored on the rest "
           "and shown after the deadline, decides the ranking. Trust CV over small public-leaderboard gains.\n"
        << "- At the end, up to two selected submissions count on the private leaderboard; without a selection Kaggle "
           "takes the best ones on the public leaderboard.\n"
        << "- Code competitions take their submission from a notebook run on Kaggle (usually without internet and "
           "with a run-time limit) rather than an uploaded file.\n"
        << "- Here the orchestrator decides and sends submissions (docs/orchestrator.md). By hand: `autokaggle submit "
           "FILE -m \"message\" --dir <workspace>`; with Kaggle's own CLI: `kaggle competitions submit -c <slug> -f FILE "
           "-m \"message\"` and `kaggle competitions submissions -c <slug>`.\n\n";
    out << "## Kernels: accelerators, quota, sessions (from Kaggle's documentation as known on " << kDocumentedAsOf
        << ")\n\n"
        << "- Accelerators: NVIDIA Tesla P100 (16 GB), two NVIDIA T4 (2 x 16 GB), TPU v3-8; some accounts also see L4, "
           "A100, H100 or newer TPUs as machine shapes. What an account may use varies.\n"
        << "- Weekly quota: about 30 GPU hours and 20 TPU hours, reset every Saturday at 00:00 UTC. Accelerators need a "
           "phone-verified account.\n"
        << "- Session limits: 12 hours of run time per CPU or GPU session, 9 hours per TPU session; only a few "
           "sessions may run at once.\n"
        << "- Machine: about 4 CPU cores and 30 GB of RAM for CPU sessions, less CPU with an accelerator; "
           "`/kaggle/input` is read-only, `/kaggle/working` keeps up to 20 GB of output.\n"
        << "- Internet is off unless the kernel enables it and the competition allows it, so `pip install` does not "
           "work by default; numpy, pandas, scikit-learn, xgboost, lightgbm, catboost and torch are in the image.\n\n";
    out << "## Kernel commands the kaggle-kernels runner uses\n\n"
        << "| step | Kaggle API method | the same with Kaggle's CLI |\n|---|---|---|\n"
        << "| push the round's script as a private kernel with the competition's data | "
           "`kernels.KernelsApiService/SaveKernel` | `kaggle kernels push -p <folder>` |\n"
        << "| follow the session (QUEUED, RUNNING, COMPLETE, ERROR) | `kernels.KernelsApiService/GetKernelSessionStatus` | "
           "`kaggle kernels status <user>/<slug>` |\n"
        << "| fetch the log and the output files | `kernels.KernelsApiService/ListKernelSessionOutput` | "
           "`kaggle kernels output <user>/<slug> -p <folder>` |\n\n"
        << "- No API route stops a running session: stop it on the kernel's page.\n"
        << "- The runner is chosen in config.json: `\"runner\": {\"plugin\": \"kaggle-kernels\", \"options\": "
           "{\"machine_shape\": \"NvidiaTeslaT4\"}}` (docs/runner-kaggle-kernels.md). The experiment script stays the "
           "same; fold lines arrive only when the session ends, so the fold-1 kill gate cannot stop a kernel early.\n"
        << "- A used-up weekly quota or too many sessions at once fail the round's run with `accelerator_quota` or "
           "`concurrent_sessions`: run on CPU (`\"enable_gpu\": false`) or wait.\n";
}

/// config.json's competition, deadline and daily cap, when the file has them.
void read_config(const fs::path& workspace, PlatformFacts& f) {
    const auto text = read_file_if_exists(workspace / "config.json");
    if (!text) return;
    boost::system::error_code ec;
    auto v = json::parse(*text, ec);
    if (ec || !v.is_object()) return;
    const auto& o = v.as_object();
    auto str = [&](const char* key) -> std::string {
        const auto* x = o.if_contains(key);
        if (!x || !x->is_string()) return {};
        std::string s(x->as_string());
        return s.find('<') == std::string::npos ? s : std::string();
    };
    if (f.slug.empty()) f.slug = str("competition");
    f.configured_deadline = str("deadline");
    if (const auto* x = o.if_contains("max_submissions_per_day"); x && x->is_int64()) f.configured_daily_submissions = static_cast<int>(x->as_int64());
}

}  // namespace

PlatformFacts fetch_platform_facts(std::string_view slug, std::string_view api_base) {
    PlatformFacts f;
    f.slug = std::string(slug);
    try {
        if (!find_credentials(CredentialEnvironment::process())) {
            f.not_fetched = "no Kaggle credentials were found (docs/kaggle.md lists where they are looked for)";
            return f;
        }
        ClientOptions options;
        options.retry.max_retries = 1;
        options.connect_timeout = std::chrono::milliseconds(10'000);
        options.read_timeout = std::chrono::milliseconds(30'000);
        const Client client = make_client(api_base, options);
        f.competition = client.find_competition(slug);
        f.fetched_on = utc_date(std::chrono::system_clock::now());
    } catch (const ConfigError& e) {
        f.not_fetched = "no usable Kaggle credentials (" + first_line(e.what()) + ")";
    } catch (const std::exception& e) {
        f.not_fetched = first_line(e.what());
    }
    return f;
}

std::string render_platform_reference(const PlatformFacts& f) {
    std::ostringstream out;
    out << "# Kaggle: what the agents need to know about the platform\n\n"
        << "Written by `autokaggle init`. Each part says where it comes from and as of which date: what the Kaggle "
           "API said about this competition, and what Kaggle's documentation says about the platform (limits change; "
           "when the two disagree, the API wins). Run `autokaggle init <workspace>` again to refresh the first part.\n\n";
    competition_part(out, f);
    documented_part(out);
    return out.str();
}

std::string write_platform_reference(const fs::path& workspace, std::string_view slug,
                                     const std::optional<Competition>& known) {
    PlatformFacts f;
    f.slug = std::string(slug);
    read_config(workspace, f);
    if (known) {
        f.competition = known;
        f.fetched_on = utc_date(std::chrono::system_clock::now());
    } else if (!f.slug.empty()) {
        auto fetched = fetch_platform_facts(f.slug);
        f.competition = std::move(fetched.competition);
        f.fetched_on = fetched.fetched_on;
        f.not_fetched = fetched.not_fetched;
    }
    atomic_write(workspace / "KAGGLE_API.md", render_platform_reference(f));
    if (f.competition) return "KAGGLE_API.md: the competition's limits as of " + f.fetched_on + " from the Kaggle API";
    if (f.slug.empty()) return "KAGGLE_API.md: the platform's documented limits (no competition named yet)";
    return "KAGGLE_API.md: the platform's documented limits; the competition's were not fetched: " + f.not_fetched;
}

}  // namespace autokaggle::kaggle
