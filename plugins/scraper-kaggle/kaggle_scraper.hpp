// The "kaggle" scraper: each round, what is new on the competition's Kaggle pages since the
// last scrape, written raw (markdown) for the Researcher:
//   - the most-voted and the newest public notebooks: title, author, votes, date, and the key
//     ideas of their code (libraries, models, techniques; see code_ideas.hpp);
//   - discussion topics, where the API offers them;
//   - the top of the public leaderboard (always, so the gap to the top is visible).
// A seen-list in the scraper's state folder (kaggle_seen.json) makes each round report only
// notebooks (or new versions of them) and topics it has not reported before.
#pragma once

#include <autokaggle/support/kaggle_client.hpp>

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/scraper.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <string>

namespace autokaggle::kaggle_scraper {

inline constexpr const char* options_schema = R"json({
  "api_base": {"type": "string", "default": "https://api.kaggle.com",
               "doc": "Kaggle API base URL; the environment variable KAGGLE_API_BASE_URL overrides it"},
  "competition": {"type": "string", "default": "", "doc": "competition slug; empty = config.json competition"},
  "top_voted": {"type": "integer", "default": 10, "doc": "most-voted notebooks to look at"},
  "newest": {"type": "integer", "default": 10, "doc": "newest notebooks to look at"},
  "max_sources": {"type": "integer", "default": 8, "doc": "notebooks whose code is pulled and analysed per scrape"},
  "discussions": {"type": "boolean", "default": true, "doc": "also list discussion topics when the API offers them"},
  "leaderboard_top": {"type": "integer", "default": 10, "doc": "public leaderboard rows to include (0 = none)"},
  "max_retries": {"type": "integer", "default": 3, "doc": "retries of a failed API call"}
})json";

struct Options {
    std::string api_base;
    std::string competition;
    int top_voted = 10;
    int newest = 10;
    int max_sources = 8;
    bool discussions = true;
    int leaderboard_top = 10;
    int max_retries = 3;
    std::chrono::milliseconds initial_backoff{1000};

    static Options from_json(const boost::json::object& options, const HostServices& host);
};

class KaggleScraper final : public Scraper {
public:
    KaggleScraper(Options options, HostServices& host, kaggle::Client client);
    KaggleScraper(Options options, HostServices& host);

    ScrapeResult scrape(const ScrapeRequest& request) override;

private:
    Options options_;
    HostServices& host_;
    kaggle::Client client_;
};

}  // namespace autokaggle::kaggle_scraper
