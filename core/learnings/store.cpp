#include "learnings/store.hpp"

#include "learnings/rule_check.hpp"

#include "base/atomic_file.hpp"
#include "base/install_paths.hpp"
#include "base/text.hpp"
#include "base/utc_time.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <regex>
#include <sstream>
#include <sys/file.h>
#include <unistd.h>

namespace autokaggle::learnings {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kFooter = "<!-- autokaggle learnings store, format 1; rules at the last write:";

const char* kDefaultPreamble =
    "# Learnings store\n"
    "\n"
    "Rules earned by earlier AutoKaggle campaigns. `autokaggle init` and the first run of a campaign\n"
    "copy them into the workspace's LEARNINGS.md; each retrospective and the end of a campaign add the\n"
    "rules it earned and its evidence (docs/learnings.md).\n"
    "\n"
    "- Reword a rule freely: it keeps your wording, its id and its evidence.\n"
    "- Delete a rule's bullet (with the lines under it) to retire it: no campaign brings it back.\n"
    "- Add a rule as a plain bullet under `## Rules`: it is yours (source: user).\n"
    "- Raise or lower a rule's `prior=` to trust it more or less; `confidence=` is recomputed.\n"
    "- Lines in `<!-- -->` belong to autokaggle: keep them, and keep the last line of the file.\n"
    "\n";

std::string format_fixed(double v, int digits) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

bool indented(const std::string& line) { return !line.empty() && (line[0] == ' ' || line[0] == '\t'); }

bool is_heading(const std::string& line, std::string_view name) {
    return line.rfind("## ", 0) == 0 && iequals(trim(line.substr(3)), name);
}

/// "<!-- id=3f2a9c1e source=starter prior=0.40 ... -->" into the rule.
void read_machine_line(const std::string& line, Rule& rule) {
    std::istringstream in(line.substr(4, line.rfind("-->") == std::string::npos ? std::string::npos : line.rfind("-->") - 4));
    for (std::string item; in >> item;) {
        const auto eq = item.find('=');
        if (eq == std::string::npos) continue;
        const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
        if (key == "id" && is_rule_id(value)) {
            rule.id = value;
        } else if (key == "source" && !value.empty()) {
            rule.source = value;
        } else if (key == "text" && is_rule_id(value)) {
            rule.written_id = value;
        } else if (key == "prior") {
            char* end = nullptr;
            const double p = std::strtod(value.c_str(), &end);
            if (end != value.c_str() && std::isfinite(p)) rule.prior = std::clamp(p, 0.02, 0.98);
        }
    }
}

std::optional<Evidence> read_evidence(const std::string& item) {
    static const std::regex pattern(R"(^(\d{4}-\d{2}-\d{2})\s+(\S+)\s+(confirmed|contradicted|mixed)\s*(?::\s*(.*))?$)",
                                    std::regex::icase);
    std::smatch m;
    if (!std::regex_match(item, m, pattern)) return std::nullopt;
    Evidence e;
    e.date = m[1].str();
    e.campaign = m[2].str();
    e.verdict = *parse_verdict(to_lower(m[3].str()));
    e.what = trim(m[4].str());
    return e;
}

double logit(double p) {
    p = std::clamp(p, 0.02, 0.98);
    return std::log(p / (1 - p));
}

/// The exclusive lock of a store, held on `<store>.lock` for the life of the object.
class StoreLock {
public:
    explicit StoreLock(const fs::path& store) : path_(store.string() + ".lock") {
        fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0) throw Error("cannot open the learnings store's lock " + path_ + ": " + std::strerror(errno));
        while (::flock(fd_, LOCK_EX) != 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd_);
            throw Error("cannot lock the learnings store " + store.string() + ": " + std::strerror(err));
        }
    }
    ~StoreLock() {
        ::flock(fd_, LOCK_UN);
        ::close(fd_);
    }
    StoreLock(const StoreLock&) = delete;
    StoreLock& operator=(const StoreLock&) = delete;

private:
    std::string path_;
    int fd_ = -1;
};

}  // namespace

std::string_view to_string(Verdict v) {
    switch (v) {
        case Verdict::confirmed: return "confirmed";
        case Verdict::contradicted: return "contradicted";
        case Verdict::mixed: return "mixed";
    }
    return "mixed";
}

std::optional<Verdict> parse_verdict(std::string_view word) {
    if (word == "confirmed") return Verdict::confirmed;
    if (word == "contradicted") return Verdict::contradicted;
    if (word == "mixed") return Verdict::mixed;
    return std::nullopt;
}

std::string Rule::rule_id_of_text() const { return rule_id(text); }

int Rule::count(Verdict v) const {
    return static_cast<int>(std::count_if(evidence.begin(), evidence.end(), [&](const Evidence& e) { return e.verdict == v; }));
}

double Rule::confidence() const {
    const double x = logit(prior) + 0.6 * count(Verdict::confirmed) - 0.9 * count(Verdict::contradicted);
    return std::clamp(1 / (1 + std::exp(-x)), 0.02, 0.98);
}

Rule* Store::find(std::string_view id) {
    for (auto& r : rules)
        if (r.id == id) return &r;
    return nullptr;
}

bool Store::is_retired(std::string_view id) const {
    return std::any_of(retired.begin(), retired.end(), [&](const RetiredRule& r) { return r.id == id; });
}

Store parse_store(std::string_view text, std::string_view default_source, double default_prior) {
    Store store;
    enum class Part { preamble, rules, retired, other } part = Part::preamble;
    Rule* current = nullptr;
    std::istringstream in{std::string(text)};
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const std::string t = trim(line);
        if (t.rfind(kFooter, 0) == 0) {
            std::istringstream ids(t.substr(kFooter.size(), t.rfind("-->") - kFooter.size()));
            for (std::string id; ids >> id;)
                if (is_rule_id(id)) store.written_ids.push_back(id);
            continue;
        }
        if (is_heading(line, "Rules")) { part = Part::rules; current = nullptr; continue; }
        if (is_heading(line, "Retired")) { part = Part::retired; current = nullptr; continue; }
        if (line.rfind("## ", 0) == 0 && part != Part::preamble) { part = Part::other; current = nullptr; }
        switch (part) {
            case Part::preamble:
                store.preamble += line + "\n";
                break;
            case Part::rules:
                if (t.empty()) break;
                if (!indented(line) && (line.rfind("- ", 0) == 0 || line.rfind("* ", 0) == 0)) {
                    Rule r;
                    r.text = trim(line.substr(2));
                    r.id = rule_id(r.text);
                    r.source = std::string(default_source);
                    r.prior = default_prior;
                    store.rules.push_back(std::move(r));
                    current = &store.rules.back();
                } else if (current && t.rfind("<!--", 0) == 0 && t.find("id=") != std::string::npos) {
                    read_machine_line(t, *current);
                } else if (current && (t.rfind("- ", 0) == 0 || t.rfind("* ", 0) == 0)) {
                    if (auto e = read_evidence(trim(t.substr(2)))) current->evidence.push_back(std::move(*e));
                    else current->notes.push_back(t);
                } else if (current) {
                    current->notes.push_back(t);
                }
                break;
            case Part::retired:
                if (t.rfind("- ", 0) == 0) {
                    const std::string rest = trim(t.substr(2));
                    const std::string id = rest.substr(0, rest.find(' '));
                    if (is_rule_id(id)) store.retired.push_back({id, trim(rest.substr(id.size()))});
                }
                break;
            case Part::other:
                store.other_sections += line + "\n";
                break;
        }
    }
    if (trim(store.preamble).empty()) store.preamble.clear();
    // A rule restored by the user (written again under ## Rules) is no longer retired.
    std::erase_if(store.retired, [&](const RetiredRule& r) { return store.find(r.id) != nullptr; });
    return store;
}

std::string render_store(const Store& store) {
    std::ostringstream out;
    std::string preamble = store.preamble.empty() ? kDefaultPreamble : store.preamble;
    while (preamble.size() >= 2 && preamble.substr(preamble.size() - 2) == "\n\n") preamble.pop_back();
    out << preamble << "\n## Rules\n\n";
    for (const auto& r : store.rules) {
        out << "- " << r.text << "\n";
        out << "  <!-- id=" << r.id << " source=" << r.source << " prior=" << format_fixed(r.prior, 2)
            << " confidence=" << format_fixed(r.confidence(), 2)
            << " text=" << (r.written_id.empty() ? r.rule_id_of_text() : r.written_id) << " -->\n";
        for (const auto& e : r.evidence)
            out << "  - " << e.date << " " << e.campaign << " " << to_string(e.verdict) << (e.what.empty() ? "" : ": " + e.what)
                << "\n";
        for (const auto& n : r.notes) out << "  " << n << "\n";
        out << "\n";
    }
    if (!store.retired.empty()) {
        out << "## Retired\n\n"
               "Rules deleted from `## Rules`; no campaign brings them back. To restore one, write it again "
               "under `## Rules`.\n\n";
        for (const auto& r : store.retired) out << "- " << r.id << (r.line.empty() ? "" : " " + r.line) << "\n";
        out << "\n";
    }
    if (!trim(store.other_sections).empty()) out << trim(store.other_sections) << "\n\n";
    out << kFooter;
    for (const auto& r : store.rules) out << " " << r.id;
    out << " -->\n";
    return out.str();
}

void retire_deleted(Store& store, std::string_view today) {
    for (const auto& id : store.written_ids) {
        if (store.find(id) || store.is_retired(id)) continue;
        store.retired.push_back({id, "deleted before " + std::string(today)});
    }
}

void add_starters(Store& store, const std::vector<Rule>& starters) {
    for (const auto& s : starters) {
        if (store.find(s.id) || store.is_retired(s.id)) continue;
        store.rules.push_back(s);
    }
}

MergeSummary merge(Store& store, const CampaignReport& report) {
    MergeSummary summary;
    for (const auto& f : report.findings) {
        Rule* rule = store.find(f.id);
        if (!rule) {  // a rule the user reworded is also found by its current wording
            for (auto& r : store.rules)
                if (r.rule_id_of_text() == f.id) rule = &r;
        }
        if (!rule) {
            if (store.is_retired(f.id)) {
                summary.skipped.push_back(f.id + ": retired by the user");
            } else if (f.verdict != Verdict::confirmed || f.text.empty()) {
                summary.skipped.push_back(f.id + ": " + std::string(to_string(f.verdict)) + " a rule the store does not hold");
            } else {
                Rule r;
                r.id = f.id;
                r.text = f.text;
                r.source = "campaign";
                r.prior = kCampaignPrior;
                r.evidence.push_back({report.date, report.campaign, f.verdict, f.what});
                store.rules.push_back(std::move(r));
                ++summary.added;
            }
            continue;
        }
        auto& ev = rule->evidence;
        auto earlier = std::find_if(ev.begin(), ev.end(), [&](const Evidence& e) { return e.campaign == report.campaign; });
        if (earlier != ev.end() && earlier->verdict == f.verdict && earlier->what == f.what) {
            ++summary.unchanged;
            continue;
        }
        if (earlier != ev.end()) ev.erase(earlier);
        ev.push_back({report.date, report.campaign, f.verdict, f.what});
        if (f.verdict == Verdict::confirmed) ++summary.confirmed;
        else if (f.verdict == Verdict::contradicted) ++summary.contradicted;
        else ++summary.unchanged;
    }
    return summary;
}

std::vector<Rule> shipped_starters() {
    const auto file = find_data("competitions/learnings-starter.md");
    if (!file) return {};
    return parse_store(read_file(*file), "starter", kStarterPrior).rules;
}

Store update_store_file(const fs::path& store_file, const std::vector<Rule>& starters,
                        const std::function<void(Store&)>& change) {
    if (store_file.has_parent_path()) {
        std::error_code ec;
        fs::create_directories(store_file.parent_path(), ec);
        if (ec) throw Error("cannot create the folder of the learnings store " + store_file.string() + ": " + ec.message());
    }
    StoreLock lock(store_file);
    const auto before = read_file_if_exists(store_file);
    Store store = before ? parse_store(*before) : Store{};
    retire_deleted(store, utc_date());
    add_starters(store, starters);
    if (change) change(store);
    store.written_ids.clear();
    for (const auto& r : store.rules) {
        store.written_ids.push_back(r.id);
    }
    for (auto& r : store.rules)
        if (r.written_id.empty()) r.written_id = r.rule_id_of_text();
    const std::string after = render_store(store);
    if (!before || *before != after) atomic_write(store_file, after);
    return store;
}

}  // namespace autokaggle::learnings
