// The "command" scraper: the seed's `scraper_path` hook. Runs the user's script once per round
// and takes the markdown it produces as R{NN}_research_raw.md.
//
// The script gets, in its environment: AUTOKAGGLE_ROUND, AUTOKAGGLE_RAW_OUTPUT (a file to
// write the markdown to), AUTOKAGGLE_STATE_DIR (a folder it may keep its own seen-list in),
// AUTOKAGGLE_COMPETITION and AUTOKAGGLE_WORKSPACE. It may write AUTOKAGGLE_RAW_OUTPUT or print
// the markdown on stdout. A `.py` script runs with the configured Python, `.sh` with /bin/sh,
// anything else directly. It runs in the workspace folder, in its own process group, which is
// ended on timeout or cancellation.
#pragma once

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/scraper.hpp>

#include <boost/json/object.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace autokaggle::command_scraper {

inline constexpr const char* options_schema = R"json({
  "command": {"type": "string", "default": "",
              "doc": "the scraper script or program; empty = config.json scraper_path (relative to the workspace)"},
  "args": {"type": "array", "default": [],
           "doc": "arguments; {round}, {output}, {state_dir} and {competition} are replaced"},
  "interpreter": {"type": "string", "default": "", "doc": "runs the command; empty = by extension (.py: config python)"},
  "timeout_s": {"type": "number", "default": 600, "doc": "the script is ended after this long"}
})json";

struct Options {
    std::filesystem::path command;          ///< absolute
    std::vector<std::string> args;
    std::filesystem::path interpreter;      ///< empty: run the command itself
    double timeout_s = 600;

    static Options from_json(const boost::json::object& options, const HostServices& host);
};

class CommandScraper final : public Scraper {
public:
    CommandScraper(Options options, HostServices& host);
    ScrapeResult scrape(const ScrapeRequest& request) override;

private:
    Options options_;
    HostServices& host_;
};

/// Markdown headings of level 2 and 3 ("## ", "### "): one per reported item by convention;
/// 1 for other text without such headings; 0 for blank text or a lone "# title".
int count_items(const std::string& markdown);

}  // namespace autokaggle::command_scraper
