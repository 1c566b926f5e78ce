#include "files_scraper.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <autokaggle/support/atomic_file.hpp>
#include <autokaggle/support/text.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace autokaggle::files_scraper {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

bool is_note(const fs::path& p) {
    const auto ext = p.extension().string();
    return ext == ".md" || ext == ".markdown" || ext == ".txt";
}

}  // namespace

FilesScraper::FilesScraper(HostServices& host, fs::path folder) : host_(host) {
    folder_ = folder.is_absolute() ? std::move(folder) : host.paths().root / folder;
}

ScrapeResult FilesScraper::scrape(const ScrapeRequest& request) {
    ScrapeResult result;
    const auto seen_file = request.state_dir / "seen.json";
    json::object seen;
    if (auto text = read_file_if_exists(seen_file)) {
        boost::system::error_code ec;
        auto v = json::parse(*text, ec);
        if (ec || !v.is_object())
            throw Error(seen_file.string() + ": not a seen-list (" + (ec ? ec.message() : std::string("not an object")) +
                        "); delete it to report every note again");
        seen = v.as_object();
    }
    std::vector<fs::path> notes;
    if (fs::is_directory(folder_)) {
        for (const auto& e : fs::recursive_directory_iterator(folder_))
            if (e.is_regular_file() && is_note(e.path())) notes.push_back(e.path());
    } else {
        host_.log(LogLevel::warn, "scraper-files",
                  "notes folder " + folder_.string() + " does not exist; nothing to report (set scraper.options.path)");
    }
    std::sort(notes.begin(), notes.end());
    std::string raw = "# Notes from " + folder_.string() + " (round " + std::to_string(request.round) + ")\n\n";
    int changed = 0;
    for (const auto& note : notes) {
        const auto name = note.lexically_relative(folder_).generic_string();
        const auto text = read_file(note);
        const auto hash = content_hash(text);
        auto* old = seen.if_contains(name);
        if (old && old->is_string() && old->as_string() == hash) continue;
        if (old) ++changed;
        raw += "## " + name + (old ? " (changed)" : " (new)") + "\n\n" + text + (text.empty() || text.back() == '\n' ? "" : "\n") + "\n";
        seen[name] = hash;
        ++result.new_items;
    }
    if (result.new_items == 0) raw += "No new or changed notes since the last round.\n";
    atomic_write(request.raw_output, raw);
    fs::create_directories(request.state_dir);
    atomic_write(seen_file, json::serialize(seen) + "\n");
    result.summary = std::to_string(result.new_items) + " new or changed notes (" + std::to_string(changed) +
                     " changed) of " + std::to_string(notes.size()) + " in " + folder_.string();
    return result;
}

}  // namespace autokaggle::files_scraper
