#include "orchestrator/fingerprint.hpp"

#include "base/utc_time.hpp"
#include "orchestrator/results.hpp"

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/host.hpp>

#include <boost/json/serialize.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <memory>

namespace autokaggle {
namespace fs = std::filesystem;

namespace {

/// The keys of config.json that the fingerprint reads as they are written.
constexpr std::array<const char*, 5> kRawKeys{"metric_options", "group_column", "time_column", "cv_gap", "seed"};
/// Every key of config.json the fingerprint covers (the rest may change freely).
constexpr std::array<std::string_view, 10> kFingerprintKeys{"metric",        "metric_options", "cv_strategy",
                                                            "cv_folds",      "seed",           "target_column",
                                                            "id_column",     "group_column",   "time_column",
                                                            "cv_gap"};

std::string raw_text(const Config& config, const char* key) {
    const auto* v = config.raw.if_contains(key);
    if (!v || v->is_null()) return {};
    return v->is_string() ? std::string(v->get_string()) : boost::json::serialize(*v);
}

std::string file_identity(const fs::path& file) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) return "missing";
    return std::to_string(fs::file_size(file)) + " bytes, sha256 " + file_sha256(file);
}

}  // namespace

std::string file_sha256(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error("cannot read " + file.string() + " to fingerprint it");
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) throw Error("SHA-256 is not available");
    std::vector<char> block(1 << 20);
    while (in) {
        in.read(block.data(), static_cast<std::streamsize>(block.size()));
        if (in.gcount() > 0) EVP_DigestUpdate(ctx.get(), block.data(), static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad()) throw Error("cannot read " + file.string() + " to fingerprint it");
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    EVP_DigestFinal_ex(ctx.get(), digest.data(), &size);
    std::string hex;
    char two[3];
    for (unsigned int i = 0; i < size; ++i) {
        std::snprintf(two, sizeof two, "%02x", digest[i]);
        hex += two;
    }
    return hex;
}

Fingerprint campaign_fingerprint(const Config& config) {
    const CompetitionInfo& c = config.competition;
    Fingerprint f;
    f["metric"] = c.metric;
    f["cv_strategy"] = c.cv_strategy;
    f["cv_folds"] = std::to_string(c.cv_folds);
    f["target_column"] = c.target_column;
    f["id_column"] = c.id_column;
    for (const char* key : kRawKeys) f[key] = raw_text(config, key);
    if (f["seed"].empty()) f["seed"] = std::to_string(c.seed);
    for (const auto& file : {c.train_csv, c.test_csv, c.sample_submission_csv}) f[file.filename().string()] = file_identity(file);
    return f;
}

std::vector<SettingChange> compare_settings(const std::map<std::string, std::string>& recorded,
                                            const std::map<std::string, std::string>& now) {
    std::map<std::string, std::pair<std::string, std::string>> both;
    for (const auto& [k, v] : recorded) both[k].first = v;
    for (const auto& [k, v] : now) both[k].second = v;
    std::vector<SettingChange> changes;
    for (const auto& [k, v] : both)
        if (v.first != v.second) changes.push_back(SettingChange{k, v.first, v.second});
    return changes;
}

std::map<std::string, std::string> free_settings(const Config& config) {
    std::map<std::string, std::string> out;
    for (const auto& [key, value] : config.raw) {
        const std::string k(key);
        const bool covered = std::find(kFingerprintKeys.begin(), kFingerprintKeys.end(), k) != kFingerprintKeys.end();
        if (k.rfind('_', 0) == 0 || covered) continue;
        out[k] = boost::json::serialize(value);
    }
    return out;
}

std::string describe_changes(const std::vector<SettingChange>& changes) {
    std::string out;
    auto shown = [](const std::string& v) { return v.empty() ? std::string("(none)") : v; };
    for (const auto& c : changes) out += "  " + c.key + ": " + shown(c.before) + " -> " + shown(c.after) + "\n";
    return out;
}

int settle_fingerprint(StateJournal& journal, const Config& config, bool rebaseline,
                       const std::function<void(LogLevel, const std::string&)>& log) {
    const Fingerprint now = campaign_fingerprint(config);
    const auto free_now = free_settings(config);
    const CampaignState s = journal.snapshot();
    const bool first = s.regime.fingerprint.empty();
    const auto changes = compare_settings(s.regime.fingerprint, now);
    const bool rebase = !first && !changes.empty();
    const std::string regime = std::to_string(s.regime.number), next = std::to_string(s.regime.number + 1);
    if (rebase && !rebaseline) {
        throw ConfigError("config.json changed what makes CV scores comparable since CV regime " + regime + " began at " +
                          round_tag(s.regime.since_round) + ":\n" + describe_changes(changes) +
                          "Scores under the new settings cannot be compared with the recorded ones. Either undo the "
                          "change, or run `autokaggle run " + config.root.string() + " --rebaseline` to start CV regime " +
                          next + ": earlier rounds stay recorded under regime " + regime +
                          ", the best CV starts afresh and blends use only the new regime");
    }
    if (rebaseline && !rebase)
        log(LogLevel::info, "--rebaseline: nothing that makes CV scores comparable changed; CV regime " + regime + " goes on");
    if (!s.free_settings.empty())
        for (const auto& c : compare_settings(s.free_settings, free_now))
            log(LogLevel::info, "config.json: " + c.key + " changed (free to change): " + one_line(c.before, 100) + " -> " +
                                    one_line(c.after, 100));
    const int number = journal.update([&](CampaignState& st) {
        if (first || rebase) {
            st.regime.number += rebase ? 1 : 0;
            st.regime.since_round = st.round;
            st.regime.started_at = utc_timestamp();
            st.regime.fingerprint = now;
        }
        if (rebase) {
            st.best_cv.reset();
            st.best_cv_round = -1;
            st.best_submitted_cv.reset();
            st.best_submitted_round = -1;
            st.cv_lb_divergence = false;
            st.divergence_note.clear();
        }
        st.free_settings = free_now;
        return st.regime.number;
    });
    if (rebase)
        log(LogLevel::warn, "CV regime " + next + " begins at " + round_tag(s.round) +
                                " (--rebaseline); the best CV starts afresh. Changes:\n" + describe_changes(changes));
    return number;
}

}  // namespace autokaggle
