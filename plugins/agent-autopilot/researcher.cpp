// The Researcher: reads the knowledge files, LEARNINGS.md, earlier findings and this round's raw
// scraper output, and writes a brief (under 500 words) of what is new since the last round.
// What it has already reported is remembered in agents/researcher/seen.json (content hashes).
#include "agents.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <autokaggle/support/atomic_file.hpp>
#include <autokaggle/support/text.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <cstdint>
#include <sstream>

namespace autokaggle::autopilot {

namespace {

namespace json = boost::json;

constexpr int kWordBudget = 480;

int word_count(const std::string& text) {
    std::istringstream in(text);
    std::string w;
    int n = 0;
    while (in >> w) ++n;
    return n;
}

struct Source {
    std::string label;  ///< workspace-relative name
    fs::path path;
    std::string text;
};

/// The informative lines of a note: headings dropped, bullets and sentences kept, at most `max`.
std::vector<std::string> key_lines(const std::string& text, std::size_t max) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line) && out.size() < max) {
        auto start = line.find_first_not_of(" \t-*>");
        if (start == std::string::npos || line[start] == '#' || line.rfind("```", start) == start) continue;
        line = line.substr(start);
        if (line.size() > 220) line = line.substr(0, 217) + "...";
        out.push_back(line);
    }
    return out;
}

std::string title_of(const Source& s) {
    std::istringstream in(s.text);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("#", 0) == 0) {
            auto t = line.substr(line.find_first_not_of("# "));
            if (!t.empty()) return t;
        }
    return s.label;
}

std::vector<std::string> families_mentioned(const std::string& text) {
    std::string t = text;
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    static const std::vector<std::pair<std::string, std::vector<std::string>>> keywords{
        {"xgboost", {"xgboost", "xgb"}},
        {"hgb", {"histgradientboosting", "hist gradient", "lightgbm", "gradient boosting", "gbdt"}},
        {"linear", {"logistic regression", "ridge", "linear model", "lasso"}},
        {"random_forest", {"random forest"}},
        {"extra_trees", {"extra trees", "extratrees"}},
        {"knn", {"nearest neighbo", "knn", "k-nn"}}};
    std::vector<std::pair<std::size_t, std::string>> found;
    for (const auto& [family, words] : keywords) {
        std::size_t first = std::string::npos;
        for (const auto& w : words) first = std::min(first, t.find(w));
        if (first != std::string::npos) found.emplace_back(first, family);
    }
    std::sort(found.begin(), found.end());
    std::vector<std::string> out;
    for (const auto& f : found) out.push_back(f.second);
    return out;
}

std::vector<Source> collect_sources(const HostServices& host, int round) {
    const auto& paths = host.paths();
    std::vector<Source> sources;
    std::set<fs::path> seen_paths;
    auto add = [&](const fs::path& p) {
        std::error_code ec;
        auto canonical = fs::weakly_canonical(p, ec);
        if (ec) canonical = p;
        if (seen_paths.count(canonical) || !fs::is_regular_file(p)) return;
        seen_paths.insert(canonical);
        auto rel = p.lexically_relative(paths.root).generic_string();
        sources.push_back({rel.empty() || rel.rfind("..", 0) == 0 ? p.string() : rel, p, read_text_or_empty(p)});
    };
    for (const auto& f : host.competition().knowledge_files) add(f.is_absolute() ? f : paths.root / f);
    if (fs::is_directory(paths.knowledge)) {
        std::vector<fs::path> notes;
        for (const auto& e : fs::directory_iterator(paths.knowledge))
            if (e.is_regular_file() && (e.path().extension() == ".md" || e.path().extension() == ".txt")) notes.push_back(e.path());
        std::sort(notes.begin(), notes.end());
        for (const auto& n : notes) add(n);
    }
    add(paths.learnings);
    for (int r = 1; r < round; ++r) add(round_file(paths.rounds, r, "findings.md"));
    add(round_file(paths.rounds, round, "research_raw.md"));
    return sources;
}

}  // namespace

Researcher::Researcher(HostServices& host) : host_(host) {}

std::string Researcher::run_phase(const PhaseRequest& request) {
    if (request.phase != Phase::research)
        throw Error("autopilot researcher: phase '" + std::string(to_string(request.phase)) +
                    "' is not a Researcher phase (research)");
    const auto state_file = host_.paths().agents / "researcher" / "seen.json";
    json::object seen;
    if (auto text = read_text_or_empty(state_file); !text.empty()) {
        boost::system::error_code ec;
        auto v = json::parse(text, ec);
        if (!ec && v.is_object()) seen = v.as_object();
    }
    const auto sources = collect_sources(host_, request.round);
    std::ostringstream md;
    md << "# " << round_tag(request.round) << " research brief\n\n## New since the last round\n\n";
    int words = word_count(md.str());
    int reported = 0, skipped = 0;
    std::string all_text;
    for (const auto& s : sources) {
        // Our own findings name families we ran, and LEARNINGS.md's rules name families to compare
        // them; only outside knowledge steers the order.
        if (s.label.find("_findings.md") == std::string::npos && s.path != host_.paths().learnings)
            all_text += s.text + "\n";
        const auto hash = content_hash(s.text);
        auto* old = seen.if_contains(s.label);
        const bool changed = old && old->is_string() && old->as_string() != hash;
        if (old && !changed) continue;
        seen[s.label] = hash;
        if (s.text.find_first_not_of(" \n\t\r") == std::string::npos) continue;
        std::ostringstream section;
        section << "### " << title_of(s) << " (" << s.label << (changed ? ", changed" : ", new") << ")\n\n";
        for (const auto& line : key_lines(s.text, 4)) section << "- " << line << "\n";
        section << "\n";
        const int w = word_count(section.str());
        if (words + w > kWordBudget - 40) {
            ++skipped;
            continue;
        }
        md << section.str();
        words += w;
        ++reported;
    }
    if (reported == 0 && skipped == 0) md << "Nothing new: no knowledge file, learning, finding or scraped note changed.\n\n";
    if (skipped > 0) md << "(" << skipped << " more new or changed sources not summarised here to stay brief; see them directly.)\n\n";
    md << "## Signals for the Builder\n\n";
    const auto families = families_mentioned(all_text);
    md << "Suggested families: ";
    if (families.empty()) md << "none";
    for (std::size_t i = 0; i < families.size(); ++i) md << (i ? ", " : "") << families[i];
    md << "\n";
    atomic_write(request.output, md.str());
    atomic_write(state_file, json::serialize(seen));
    return "DONE";
}

}  // namespace autokaggle::autopilot
