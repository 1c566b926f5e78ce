// The "files" scraper: a folder of markdown notes as the Researcher's public source.
#pragma once

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/scraper.hpp>

#include <filesystem>

namespace autokaggle::files_scraper {

class FilesScraper final : public Scraper {
public:
    /// `folder` relative paths are resolved against the workspace root.
    FilesScraper(HostServices& host, std::filesystem::path folder);
    /// Writes every note that is new or changed since the previous call to request.raw_output,
    /// then records their content hashes in request.state_dir/seen.json.
    ScrapeResult scrape(const ScrapeRequest& request) override;

private:
    HostServices& host_;
    std::filesystem::path folder_;
};

}  // namespace autokaggle::files_scraper
