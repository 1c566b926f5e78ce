#include "kaggle_scraper.hpp"

#include <autokaggle/support/atomic_file.hpp>
#include <autokaggle/support/plugin_options.hpp>
#include "code_ideas.hpp"
#include <autokaggle/support/kaggle_json_text.hpp>

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/parse.hpp>

#include <set>
#include <sstream>

namespace autokaggle::kaggle_scraper {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr std::string_view source = "scraper-kaggle";
constexpr const char* seen_file = "kaggle_seen.json";

/// What earlier scrapes reported: notebook ref -> version marker, topic ids.
struct SeenList {
    json::object kernels;
    std::set<std::string> topics;
    std::string last_scrape;

    static SeenList load(const fs::path& file) {
        SeenList seen;
        auto text = read_file_if_exists(file);
        if (!text) return seen;
        boost::system::error_code ec;
        auto doc = json::parse(*text, ec);
        if (ec || !doc.is_object())
            throw Error(file.string() + ": not a JSON object (" + (ec ? ec.message() : "wrong type") +
                        "); delete it to report everything again");
        const auto& o = doc.as_object();
        seen.kernels = kaggle::json_read::object(o, "kernels");
        for (const auto& id : kaggle::json_read::array(o, "topics"))
            if (id.is_string()) seen.topics.insert(std::string(id.as_string()));
        seen.last_scrape = kaggle::json_read::string(o, "last_scrape");
        return seen;
    }

    void save(const fs::path& file) const {
        json::array topic_list;
        for (const auto& t : topics) topic_list.emplace_back(t);
        json::object doc{{"last_scrape", last_scrape}, {"kernels", kernels}, {"topics", topic_list}};
        atomic_write(file, kaggle::pretty_json(doc));
    }
};

/// A notebook is new when unseen, or when its version (or last run) changed since.
std::string version_marker(const kaggle::KernelMetadata& k) {
    return k.current_version_number > 0 ? "v" + std::to_string(k.current_version_number) : k.last_run_time;
}

std::string markdown_escape(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '[' || c == ']' || c == '|') out += '\\';
        out += c == '\n' ? ' ' : c;
    }
    return out;
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
}

}  // namespace

Options Options::from_json(const json::object& options, const HostServices& host) {
    constexpr std::string_view section = "scraper.options";  // where the options stand in config.json
    const json::object o = with_schema_defaults(options_schema, options);
    Options opt;
    opt.api_base = string_option(o, section, "api_base");
    opt.competition = kaggle::competition_option(o, section, host);
    opt.top_voted = static_cast<int>(number_option(o, section, "top_voted"));
    opt.newest = static_cast<int>(number_option(o, section, "newest"));
    opt.max_sources = static_cast<int>(number_option(o, section, "max_sources"));
    opt.leaderboard_top = static_cast<int>(number_option(o, section, "leaderboard_top"));
    opt.max_retries = static_cast<int>(number_option(o, section, "max_retries"));
    opt.discussions = bool_option(o, section, "discussions");
    return opt;
}

namespace {
kaggle::ClientOptions scraper_client_options(const Options& options, HostServices& host) {
    kaggle::ClientOptions c;
    c.api_base = kaggle::resolve_api_base(options.api_base);
    c.retry.max_retries = options.max_retries;
    c.retry.initial_backoff = options.initial_backoff;
    c.cancelled = [&host] { return host.cancel_requested(); };
    c.on_retry = [&host](const std::string& line) { host.log(LogLevel::warn, source, line); };
    return c;
}
}  // namespace

KaggleScraper::KaggleScraper(Options options, HostServices& host, kaggle::Client client)
    : options_(std::move(options)), host_(host), client_(std::move(client)) {
    for (const auto& warning : client_.credentials().warnings()) host_.log(LogLevel::warn, source, warning);
}

KaggleScraper::KaggleScraper(Options options, HostServices& host)
    : KaggleScraper(options, host, kaggle::Client(kaggle::resolve_credentials(), scraper_client_options(options, host))) {}

ScrapeResult KaggleScraper::scrape(const ScrapeRequest& request) {
    fs::create_directories(request.state_dir);
    const fs::path seen_path = request.state_dir / seen_file;
    SeenList seen = SeenList::load(seen_path);
    const std::string now = kaggle::utc_timestamp(std::chrono::system_clock::now());

    std::ostringstream md;
    char round[8];
    std::snprintf(round, sizeof round, "%02d", request.round);
    md << "# Kaggle research, round " << round << "\n\n"
       << "Competition `" << options_.competition << "`, scraped " << now << "; "
       << (seen.last_scrape.empty() ? "first scrape." : "new since the scrape of " + seen.last_scrape + ".") << "\n";

    if (options_.leaderboard_top > 0) {
        md << "\n## Public leaderboard (top " << options_.leaderboard_top << ")\n\n";
        try {
            auto rows = client_.leaderboard(options_.competition, options_.leaderboard_top);
            if (rows.empty()) md << "_empty_\n";
            else md << "| rank | team | score | date |\n|---:|---|---:|---|\n";
            int rank = 0;
            for (const auto& r : rows) {
                if (++rank > options_.leaderboard_top) break;
                md << "| " << rank << " | " << markdown_escape(r.team_name) << " | " << r.score << " | "
                   << kaggle::date_part(r.submission_date) << " |\n";
            }
        } catch (const ServiceError& e) {
            md << "_not available: " << e.what() << "_\n";
        }
    }

    // The notebook lists are the scraper's core: failures there propagate as ServiceError.
    auto voted = client_.list_kernels(options_.competition, kaggle::KernelSort::vote_count, options_.top_voted);
    auto newest = client_.list_kernels(options_.competition, kaggle::KernelSort::date_created, options_.newest);

    int new_items = 0, sources_pulled = 0;
    std::set<std::string> reported;
    auto section = [&](const char* title, const std::vector<kaggle::KernelMetadata>& kernels) {
        md << "\n## " << title << " (new since the last scrape)\n";
        int shown = 0;
        for (const auto& k : kernels) {
            if (k.ref.empty() || reported.count(k.ref)) continue;
            std::string marker = version_marker(k);
            const auto* before = seen.kernels.if_contains(k.ref);
            if (before && before->is_string() && before->as_string() == marker) continue;
            if (host_.cancel_requested()) throw Cancelled("scrape cancelled");
            reported.insert(k.ref);
            ++shown;
            ++new_items;
            md << "\n### [" << markdown_escape(k.title.empty() ? k.ref : k.title) << "](https://www.kaggle.com/code/"
               << k.ref << ")\n"
               << "- by " << markdown_escape(k.author) << " · " << k.total_votes << " votes · last run "
               << kaggle::date_part(k.last_run_time)
               << (k.current_version_number > 0 ? " · version " + std::to_string(k.current_version_number) : "")
               << (before ? " · updated since last reported" : "") << "\n";
            if (sources_pulled < options_.max_sources) {
                ++sources_pulled;
                auto slash = k.ref.find('/');
                try {
                    auto pulled = client_.get_kernel(k.ref.substr(0, slash), slash == std::string::npos ? k.ref : k.ref.substr(slash + 1));
                    auto ideas = extract_ideas(notebook_code(pulled.source));
                    if (ideas.empty()) md << "- code: nothing recognised\n";
                    if (!ideas.libraries.empty()) md << "- libraries: " << join(ideas.libraries) << "\n";
                    if (!ideas.models.empty()) md << "- models: " << join(ideas.models) << "\n";
                    if (!ideas.techniques.empty()) md << "- techniques: " << join(ideas.techniques) << "\n";
                } catch (const ServiceError& e) {
                    md << "- code: not available (" << e.what() << ")\n";
                }
            }
            seen.kernels[k.ref] = marker;
        }
        if (shown == 0) md << "\n_nothing new_\n";
    };
    section("Most-voted notebooks", voted);
    section("Newest notebooks", newest);

    if (options_.discussions) {
        md << "\n## Discussions (new since the last scrape)\n\n";
        try {
            int shown = 0;
            for (const auto& t : client_.list_discussions(options_.competition, 20)) {
                std::string id = t.id.empty() ? t.title : t.id;
                if (id.empty() || seen.topics.count(id)) continue;
                seen.topics.insert(id);
                ++shown;
                ++new_items;
                md << "- " << (t.url.empty() ? markdown_escape(t.title) : "[" + markdown_escape(t.title) + "](" + t.url + ")")
                   << (t.author.empty() ? "" : " by " + markdown_escape(t.author)) << (t.date.empty() ? "" : ", " + kaggle::date_part(t.date))
                   << " · " << t.votes << " votes · " << t.comments << " comments\n";
            }
            if (shown == 0) md << "_nothing new_\n";
        } catch (const ServiceError& e) {
            md << "_the Kaggle API offers no discussion listing here (" << e.what() << ")_\n";
        }
    }

    atomic_write(request.raw_output, md.str());
    seen.last_scrape = now;
    seen.save(seen_path);
    std::string summary = std::to_string(new_items) + " new item(s) from Kaggle for " + options_.competition;
    host_.log(LogLevel::info, source, summary);
    return ScrapeResult{new_items, summary};
}

}  // namespace autokaggle::kaggle_scraper
