#include "learnings/workspace_learnings.hpp"

#include "learnings/markdown_sections.hpp"

#include "base/atomic_file.hpp"
#include "base/config.hpp"
#include "base/log.hpp"
#include "base/text.hpp"
#include "base/utc_time.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <regex>
#include <sstream>

namespace autokaggle::learnings {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr double kShownConfidence = 0.15;  ///< rules below this stay in the store only
constexpr std::size_t kShownRules = 60;
constexpr std::size_t kShownEvidence = 3;
constexpr std::size_t kMaxWhat = 240;

std::string fixed2(double v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

std::string campaigns(int n) { return std::to_string(n) + (n == 1 ? " campaign" : " campaigns"); }

std::string round_heading(int round, std::string_view suffix) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "## R%02d", round);
    return std::string(buf) + std::string(suffix);
}

/// A bullet of a round section as a claim: "confirms 3f2a9c1e: ...", "contradicts: <rule>",
/// "<rule> (evidence: ...)"; nullopt for "none".
std::optional<WorkspaceRule> parse_claim(const std::string& bullet) {
    // "- none", "- none: nothing general", "(none this round)"; a rule may still start "None of ...".
    static const std::regex nothing(R"(^(none\s*([.:;,-].*)?|\((none|nothing)\b.*)$)", std::regex::icase);
    if (trim(bullet).empty() || std::regex_match(bullet, nothing)) return std::nullopt;
    static const std::regex cited(R"(^(confirms|confirmed|contradicts|contradicted)\b\s*:?\s*(.*)$)", std::regex::icase);
    static const std::regex by_id(R"(^[\[`]?([0-9a-f]{8})[\]`]?\s*(?::\s*(.*))?$)", std::regex::icase);
    WorkspaceRule claim;
    std::string body = bullet;
    std::smatch m;
    if (std::regex_match(bullet, m, cited)) {
        claim.verdict = to_lower(m[1].str()).rfind("confirm", 0) == 0 ? Verdict::confirmed : Verdict::contradicted;
        body = trim(m[2].str());
        std::smatch id;
        if (std::regex_match(body, id, by_id)) {
            claim.id = to_lower(id[1].str());
            claim.what = trim(id[2].str());
            return claim;
        }
    }
    if (const auto pos = to_lower(body).find("(evidence:"); pos != std::string::npos) {
        const auto close = body.rfind(')');
        claim.what = trim(body.substr(pos + 10, (close == std::string::npos || close < pos ? body.size() : close) - pos - 10));
        body = body.substr(0, pos);
    }
    claim.text = trim(body);
    if (claim.text.empty()) return std::nullopt;
    claim.id = rule_id(claim.text);
    return claim;
}

/// "- <text> (id 3f2a9c1e, confidence 0.55, ...)" of the imported section.
std::optional<WorkspaceRule> parse_imported(const std::string& line) {
    static const std::regex shown(R"(^- (.*) \(id ([0-9a-f]{8}), confidence ([0-9.]+)[^)]*\)\s*$)");
    std::smatch m;
    if (!std::regex_match(line, m, shown)) return std::nullopt;
    WorkspaceRule r;
    r.text = m[1].str();
    r.id = m[2].str();
    r.confidence = std::strtod(m[3].str().c_str(), nullptr);
    r.imported = true;
    return r;
}

std::string campaign_name(const Config& config, const WorkspacePaths& paths) {
    const std::string& slug = config.competition.competition;
    if (!slug.empty() && slug.find('<') == std::string::npos) return slug;
    return paths.root.filename().string();
}

/// The store's rules into `learnings_file`'s imported section; returns how many are shown.
std::size_t import_store(const fs::path& store_file, const fs::path& learnings_file) {
    const Store store = update_store_file(store_file, shipped_starters());
    const auto before = read_file_if_exists(learnings_file);
    const std::string text = before && !before->empty() ? *before : std::string(kWorkspaceHeader);
    const std::string after = replace_section(text, kImportedHeading, imported_section(store, utc_date()));
    if (!before || *before != after) atomic_write(learnings_file, after);
    const auto shown = static_cast<std::size_t>(std::count_if(store.rules.begin(), store.rules.end(), [](const Rule& r) {
        return r.confidence() >= kShownConfidence;
    }));
    return std::min(shown, kShownRules);
}

void warn(Logger& logger, const std::string& message) { logger.log(LogLevel::warn, "learnings", message); }

}  // namespace

std::optional<fs::path> store_location(const json::object& raw, const fs::path& workspace) {
    if (const auto* v = raw.if_contains("learnings_store")) {
        if (v->is_bool() && !v->as_bool()) return std::nullopt;
        if (v->is_string() && !v->as_string().empty()) {
            std::string p(v->as_string());
            if (p == "~" || p.rfind("~/", 0) == 0)
                if (const char* home = std::getenv("HOME"); home && *home) p = std::string(home) + p.substr(1);
            const fs::path path(p);
            return path.is_absolute() ? path.lexically_normal() : (workspace / path).lexically_normal();
        }
    }
    if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg && fs::path(xdg).is_absolute())
        return fs::path(xdg) / "autokaggle" / "learnings.md";
    if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".local/share/autokaggle/learnings.md";
    return std::nullopt;
}

std::string imported_section(const Store& store, std::string_view date) {
    std::vector<const Rule*> shown;
    for (const auto& r : store.rules)
        if (r.confidence() >= kShownConfidence) shown.push_back(&r);
    std::stable_sort(shown.begin(), shown.end(), [](const Rule* a, const Rule* b) { return a->confidence() > b->confidence(); });
    if (shown.size() > kShownRules) shown.resize(kShownRules);
    std::ostringstream out;
    out << "\nThe rules of the learnings store as of " << date
        << " (docs/learnings.md), most trusted first. A rule's confidence grows when a campaign confirms it and falls "
           "when one contradicts it. In the `## Learnings` of a findings file, cite a rule by its id: `- confirms <id>: "
           "what happened` or `- contradicts <id>: what happened`.\n\n";
    if (shown.empty()) out << "(The store holds no rules yet.)\n";
    for (const Rule* r : shown) {
        out << "- " << r->text << " (id " << r->id << ", confidence " << fixed2(r->confidence()) << ", source: " << r->source;
        if (!r->evidence.empty())
            out << "; confirmed by " << campaigns(r->count(Verdict::confirmed)) << ", contradicted by "
                << campaigns(r->count(Verdict::contradicted));
        out << ")\n";
        const std::size_t from = r->evidence.size() > kShownEvidence ? r->evidence.size() - kShownEvidence : 0;
        for (std::size_t i = from; i < r->evidence.size(); ++i) {
            const auto& e = r->evidence[i];
            out << "  - " << to_string(e.verdict) << (e.what.empty() ? "" : ": " + e.what) << "\n";
        }
    }
    return out.str();
}

std::vector<WorkspaceRule> rules_in_learnings(std::string_view text) {
    std::vector<WorkspaceRule> out;
    enum class Section { other, imported, round } section = Section::other;
    std::istringstream in{std::string(text)};
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.rfind("#", 0) == 0) {
            section = line == kImportedHeading ? Section::imported : is_round_heading(line) ? Section::round : Section::other;
            continue;
        }
        if (line.rfind("- ", 0) != 0 && line.rfind("* ", 0) != 0) continue;
        if (section == Section::imported) {
            if (auto r = parse_imported(line)) out.push_back(std::move(*r));
        } else if (section == Section::round) {
            if (auto r = parse_claim(trim(line.substr(2)))) out.push_back(std::move(*r));
        }
    }
    return out;
}

CampaignReport campaign_report(std::string_view text, const CompetitionWords& words, std::string campaign,
                               std::string date, std::vector<std::string>& refused) {
    struct Tally {
        std::string text;
        int score = 0;
        std::string what_for, what_against, what_any;
    };
    std::vector<std::string> order;
    std::map<std::string, Tally> tallies;
    for (const auto& bullet : bullets_under(text, is_round_heading)) {
        auto claim = parse_claim(bullet);
        if (!claim) continue;
        if (!claim->text.empty()) {
            const auto check = check_general(claim->text, words);
            if (!check.accepted) {
                refused.push_back("'" + claim->text + "': " + check.reason);
                continue;
            }
            claim->text = check.text;
            claim->id = rule_id(check.text);
        }
        if (!claim->what.empty()) {
            const auto check = check_general(claim->what, words);
            claim->what = check.accepted ? check.text.substr(0, kMaxWhat) : "";
        }
        auto [it, fresh] = tallies.try_emplace(claim->id);
        if (fresh) order.push_back(claim->id);
        Tally& t = it->second;
        if (t.text.empty()) t.text = claim->text;
        const bool confirms = claim->verdict == Verdict::confirmed;
        t.score += confirms ? 1 : -1;
        if (!claim->what.empty()) (confirms ? t.what_for : t.what_against) = t.what_any = claim->what;
    }
    CampaignReport report;
    report.campaign = std::move(campaign);
    report.date = std::move(date);
    for (const auto& id : order) {
        const Tally& t = tallies.at(id);
        Finding f;
        f.id = id;
        f.text = t.text;
        f.verdict = t.score > 0 ? Verdict::confirmed : t.score < 0 ? Verdict::contradicted : Verdict::mixed;
        f.what = t.score > 0 ? t.what_for : t.score < 0 ? t.what_against : t.what_any;
        report.findings.push_back(std::move(f));
    }
    return report;
}

void write_section(const fs::path& file, std::string_view heading, const std::vector<std::string>& bullets) {
    const auto before = read_file_if_exists(file);
    const std::string text = before && !before->empty() ? *before : std::string(kWorkspaceHeader);
    std::string body;
    for (const auto& b : bullets) body += "- " + b + "\n";
    const std::string after = replace_section(text, heading, body);
    if (before ? after == *before : bullets.empty()) return;
    atomic_write(file, after);
}

void bring_store_into_workspace(const Config& config, const WorkspacePaths& paths, int round, Logger& logger) {
    if (round != 0) return;
    try {
        const auto store_file = store_location(config.raw, paths.root);
        if (!store_file) return;
        const auto shown = import_store(*store_file, paths.learnings);
        logger.log(LogLevel::info, "learnings",
                   "LEARNINGS.md holds " + std::to_string(shown) + " rules of the learnings store " + store_file->string());
    } catch (const std::exception& e) {
        warn(logger, std::string("the learnings store was not brought into LEARNINGS.md: ") + e.what());
    }
}

void after_retrospective(const Config& config, const WorkspacePaths& paths, int round,
                         const std::vector<std::string>& metric_names, Logger& logger) {
    try {
        char name[32];
        std::snprintf(name, sizeof name, "R%02d_retro.md", round);
        const auto retro = read_file_if_exists(paths.rounds / name).value_or("");
        write_section(paths.learnings, round_heading(round, " retro"), learnings_bullets(retro));
    } catch (const std::exception& e) {
        warn(logger, std::string("the retrospective's learnings were not copied into LEARNINGS.md: ") + e.what());
    }
    share_with_store(config, paths, metric_names, logger);
}

void share_with_store(const Config& config, const WorkspacePaths& paths, const std::vector<std::string>& metric_names,
                      Logger& logger) {
    try {
        const auto store_file = store_location(config.raw, paths.root);
        if (!store_file) return;
        const auto text = read_file_if_exists(paths.learnings);
        if (!text) return;
        const auto words = competition_words(config.competition.competition, config.competition.metric,
                                             config.competition.train_csv, metric_names);
        std::vector<std::string> refused;
        const auto report = campaign_report(*text, words, campaign_name(config, paths), utc_date(), refused);
        for (const auto& r : refused)
            logger.log(LogLevel::info, "learnings", "not shared with the learnings store, too specific: " + r);
        if (report.findings.empty()) return;
        MergeSummary summary;
        update_store_file(*store_file, shipped_starters(), [&](Store& store) { summary = merge(store, report); });
        logger.log(LogLevel::info, "learnings",
                   "learnings store " + store_file->string() + ": " + std::to_string(summary.added) + " rules added, " +
                       std::to_string(summary.confirmed) + " confirmed, " + std::to_string(summary.contradicted) +
                       " contradicted, " + std::to_string(summary.unchanged) + " unchanged");
        for (const auto& s : summary.skipped) logger.log(LogLevel::debug, "learnings", "not recorded: " + s);
    } catch (const std::exception& e) {
        warn(logger, std::string("the campaign's rules were not shared with the learnings store: ") + e.what());
    }
}

std::string bring_store_into_new_workspace(const fs::path& workspace) {
    json::object raw;
    if (const auto text = read_file_if_exists(workspace / "config.json")) {
        boost::system::error_code ec;
        auto v = json::parse(*text, ec);
        if (!ec && v.is_object()) raw = v.as_object();
    }
    const auto store_file = store_location(raw, workspace);
    if (!store_file) return "LEARNINGS.md: no learnings store (config.json sets \"learnings_store\": false)";
    const auto shown = import_store(*store_file, workspace / "LEARNINGS.md");
    return "LEARNINGS.md: " + std::to_string(shown) + " rules from the learnings store " + store_file->string();
}

}  // namespace autokaggle::learnings
