// Scraper plugins collect public findings (notebooks, discussions, notes) for the Researcher
// and write them raw to a file; they keep their own seen-list so each round reports only what
// is new.
//
// Ownership: the host owns the scraper. Thread-safety: one call at a time.
#pragma once

#include <autokaggle/sdk/abi.hpp>

#include <filesystem>
#include <string>

namespace autokaggle {

struct ScrapeRequest {
    int round = 0;
    std::filesystem::path raw_output;  ///< rounds/R{NN}_research_raw.md (written atomically)
    std::filesystem::path state_dir;   ///< a folder the scraper owns (seen-list, cursors)
};

struct ScrapeResult {
    int new_items = 0;
    std::string summary;  ///< one line for the log
};

class AUTOKAGGLE_SDK_VISIBLE Scraper {
public:
    virtual ~Scraper() = default;
    /// Throws autokaggle::ServiceError when the source is unreachable; the Researcher then
    /// works from what it has.
    virtual ScrapeResult scrape(const ScrapeRequest& request) = 0;
};

}  // namespace autokaggle
