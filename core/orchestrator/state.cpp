#include "orchestrator/state.hpp"

#include "base/atomic_file.hpp"
#include "orchestrator/json_util.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <boost/json.hpp>

#include <charconv>
#include <chrono>
#include <ctime>

namespace autokaggle {
namespace fs = std::filesystem;
namespace json = boost::json;
using json_util::Fields;
using json_util::opt;

namespace {

json::value to_json(const PhaseRecord& r) {
    return json::object{{"token", r.token}, {"output", r.output}, {"finished_at", r.finished_at}};
}

json::value to_json(const RoundProgress& p) {
    json::object done;
    for (const auto& [k, v] : p.done) done[k] = to_json(v);
    json::object o{{"done", std::move(done)},
                   {"failure", p.failure ? json::value(*p.failure) : json::value(nullptr)},
                   {"claimed_cv", opt(p.claimed_cv)},
                   {"code_crashed", p.code_crashed},
                   {"run_status", p.run_status},
                   {"verified_cv", opt(p.verified_cv)},
                   {"verify_message", p.verify_message},
                   {"scrape_note", p.scrape_note}};
    if (p.decision)
        o["decision"] = json::object{{"submit", p.decision->submit},
                                     {"reason", p.decision->reason},
                                     {"recommendation", p.decision->recommendation},
                                     {"followed", p.decision->followed}};
    else o["decision"] = nullptr;
    return o;
}

RoundProgress progress_from(const Fields& f) {
    RoundProgress p;
    const Fields done = f.child("done");
    for (const auto& kv : done.object()) {
        Fields r(kv.value(), done.where() + "." + std::string(kv.key()));
        p.done[std::string(kv.key())] = PhaseRecord{r.str("token"), r.str("output"), r.str("finished_at")};
    }
    if (f.find("failure")) p.failure = f.str("failure");
    p.claimed_cv = f.opt_number("claimed_cv");
    p.code_crashed = f.boolean("code_crashed");
    if (f.find("run_status")) p.run_status = f.str("run_status");
    p.verified_cv = f.opt_number("verified_cv");
    p.verify_message = f.str("verify_message");
    p.scrape_note = f.str("scrape_note");
    if (f.find("decision")) {
        const Fields d = f.child("decision");
        p.decision = DecisionRecord{d.boolean("submit"), d.str("reason"), d.str("recommendation"), d.str("followed")};
    }
    return p;
}

json::value to_json(const SubmissionRecord& s) {
    return json::object{{"round", s.round}, {"regime", s.regime}, {"ref", s.ref}, {"description", s.description},
                        {"file", s.file},   {"day", s.day},     {"state", s.state},
                        {"cv", opt(s.cv)},  {"lb", opt(s.lb)},  {"message", s.message}};
}

SubmissionRecord submission_from(const Fields& f) {
    SubmissionRecord s;
    s.round = static_cast<int>(f.integer("round"));
    s.regime = static_cast<int>(f.integer("regime", 1));
    s.ref = f.str("ref");
    s.description = f.str("description");
    s.file = f.str("file");
    s.day = f.str("day");
    s.state = f.str("state");
    s.cv = f.opt_number("cv");
    s.lb = f.opt_number("lb");
    s.message = f.str("message");
    return s;
}

json::object to_json(const std::map<std::string, std::string>& texts) {
    json::object o;
    for (const auto& [k, v] : texts) o[k] = v;
    return o;
}

std::map<std::string, std::string> texts_from(const Fields& f) {
    std::map<std::string, std::string> out;
    for (const auto& kv : f.object()) out[std::string(kv.key())] = f.str(kv.key());
    return out;
}

}  // namespace

json::value to_json(const Usage& u) {
    return json::object{{"input_tokens", u.input_tokens},
                        {"output_tokens", u.output_tokens},
                        {"cache_creation_input_tokens", u.cache_creation_input_tokens},
                        {"cache_read_input_tokens", u.cache_read_input_tokens},
                        {"usd", u.usd}};
}

Usage usage_from_json(const json::value& value) {
    Fields f(value, "usage");
    // Counts are what providers reported (each at most 2^53): anything else is a damaged file,
    // and summing it could overflow.
    auto count = [&](std::string_view key) {
        const long long n = f.integer(key);
        if (n < 0 || n > (1LL << 53))
            throw Error(f.where() + "." + std::string(key) + ": " + std::to_string(n) + " is not a token count; fix or remove it");
        return n;
    };
    Usage u;
    u.input_tokens = count("input_tokens");
    u.output_tokens = count("output_tokens");
    u.cache_creation_input_tokens = count("cache_creation_input_tokens");
    u.cache_read_input_tokens = count("cache_read_input_tokens");
    u.usd = f.number("usd");
    return u;
}

Usage total_usage(const CampaignState& state) {
    Usage total;
    for (const auto& [role, u] : state.usage_by_role) total += u;
    return total;
}

json::value to_json(const CampaignState& s) {
    json::object agents;
    for (const auto& [role, a] : s.agents)
        agents[role] = json::object{{"plugin", a.plugin}, {"session", a.session}, {"spawn_round", a.spawn_round}};
    json::object per_day;
    for (const auto& [day, n] : s.submissions_per_day) per_day[day] = n;
    json::array subs;
    for (const auto& sub : s.submissions) subs.push_back(to_json(sub));
    json::value pending = nullptr;
    if (s.pending_submission) {
        const auto& p = *s.pending_submission;
        pending = json::object{{"round", p.round},
                               {"description", p.description},
                               {"file", p.file},
                               {"started_at", p.started_at},
                               {"cv", opt(p.cv)}};
    }
    json::object by_role;
    for (const auto& [role, u] : s.usage_by_role) by_role[role] = to_json(u);
    json::object by_round;
    for (const auto& [round, u] : s.usage_by_round) by_round[std::to_string(round)] = to_json(u);
    const Usage total = total_usage(s);

    return json::object{
        {"schema_version", s.schema_version},
        {"round", s.round},
        {"phase", s.phase},
        {"max_rounds", s.max_rounds ? json::value(*s.max_rounds) : json::value(nullptr)},
        {"current", to_json(s.current)},
        {"regime", json::object{{"number", s.regime.number},
                                {"since_round", s.regime.since_round},
                                {"started_at", s.regime.started_at},
                                {"fingerprint", to_json(s.regime.fingerprint)}}},
        {"free_settings", to_json(s.free_settings)},
        {"best", json::object{{"cv", opt(s.best_cv)},
                              {"cv_round", s.best_cv_round},
                              {"lb", opt(s.best_lb)},
                              {"lb_round", s.best_lb_round},
                              {"submitted_cv", opt(s.best_submitted_cv)},
                              {"submitted_round", s.best_submitted_round}}},
        {"agents", std::move(agents)},
        {"submissions_per_day", std::move(per_day)},
        {"submissions", std::move(subs)},
        {"pending_submission", std::move(pending)},
        {"budget_spent", json::object{{"hours", s.seconds_spent / 3600.0},
                                      {"seconds", s.seconds_spent},
                                      {"total", to_json(total)},
                                      {"by_role", std::move(by_role)},
                                      {"by_round", std::move(by_round)}}},
        {"run_records", s.run_records},
        {"cv_lb_divergence", json::object{{"flag", s.cv_lb_divergence}, {"note", s.divergence_note}}},
        {"stop", json::object{{"reason", s.stop_reason}, {"at", s.stopped_at}}},
        {"started_at", s.started_at},
        {"updated_at", s.updated_at},
    };
}

CampaignState state_from_json(const json::value& value, const std::string& source) {
    Fields f(value, source);
    CampaignState s;
    s.schema_version = static_cast<int>(f.integer("schema_version", 0));
    if (s.schema_version != kStateSchemaVersion) {
        throw Error(source + ": schema_version " + std::to_string(s.schema_version) + " is not supported (this build reads " +
                    std::to_string(kStateSchemaVersion) + "); use the autokaggle version that wrote it");
    }
    s.round = static_cast<int>(f.integer("round"));
    if (s.round < 0) throw Error(source + ".round: must be >= 0");
    s.phase = f.str("phase", "start");
    if (f.find("max_rounds")) s.max_rounds = static_cast<int>(f.integer("max_rounds"));
    s.current = progress_from(f.child("current"));
    if (f.find("regime")) {
        const Fields regime = f.child("regime");
        s.regime.number = static_cast<int>(regime.integer("number", 1));
        s.regime.since_round = static_cast<int>(regime.integer("since_round"));
        s.regime.started_at = regime.str("started_at");
        s.regime.fingerprint = texts_from(regime.child("fingerprint"));
    }
    s.free_settings = texts_from(f.child("free_settings"));
    const Fields best = f.child("best");
    s.best_cv = best.opt_number("cv");
    s.best_cv_round = static_cast<int>(best.integer("cv_round", -1));
    s.best_lb = best.opt_number("lb");
    s.best_lb_round = static_cast<int>(best.integer("lb_round", -1));
    s.best_submitted_cv = best.opt_number("submitted_cv");
    s.best_submitted_round = static_cast<int>(best.integer("submitted_round", -1));
    const Fields agents = f.child("agents");
    for (const auto& kv : agents.object()) {
        Fields a(kv.value(), agents.where() + "." + std::string(kv.key()));
        s.agents[std::string(kv.key())] =
            AgentRecord{a.str("plugin"), a.str("session"), static_cast<int>(a.integer("spawn_round"))};
    }
    const Fields per_day = f.child("submissions_per_day");
    for (const auto& kv : per_day.object()) {
        s.submissions_per_day[std::string(kv.key())] = static_cast<int>(per_day.integer(kv.key()));
    }
    for (std::size_t i = 0; const auto& v : f.array("submissions")) {
        s.submissions.push_back(submission_from(Fields(v, source + ".submissions[" + std::to_string(i++) + "]")));
    }
    if (f.find("pending_submission")) {
        const Fields p = f.child("pending_submission");
        s.pending_submission = PendingSubmission{static_cast<int>(p.integer("round")), p.str("description"),
                                                 p.str("file"), p.str("started_at"), p.opt_number("cv")};
    }
    const Fields budget = f.child("budget_spent");
    s.seconds_spent = budget.number("seconds");
    for (const auto& kv : budget.child("by_role").object()) s.usage_by_role[std::string(kv.key())] = usage_from_json(kv.value());
    for (const auto& kv : budget.child("by_round").object()) {
        int round = 0;
        const std::string_view key = kv.key();
        const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), round);
        if (ec != std::errc() || end != key.data() + key.size() || round < 0)
            throw Error(source + ".budget_spent.by_round: \"" + std::string(key) + "\" is not a round number; fix or remove the entry");
        s.usage_by_round[round] = usage_from_json(kv.value());
    }
    s.run_records = f.child("run_records").object();
    const Fields div = f.child("cv_lb_divergence");
    s.cv_lb_divergence = div.boolean("flag");
    s.divergence_note = div.str("note");
    const Fields stop = f.child("stop");
    s.stop_reason = stop.str("reason");
    s.stopped_at = stop.str("at");
    s.started_at = f.str("started_at");
    s.updated_at = f.str("updated_at");
    return s;
}

StateStore::StateStore(fs::path state_file) : file_(std::move(state_file)) {}

fs::path StateStore::backup_file() const {
    fs::path bak = file_;
    bak += ".bak";
    return bak;
}

namespace {
/// The parsed state, or the reason it cannot be used.
std::optional<CampaignState> try_parse(const fs::path& file, std::string& why) {
    std::optional<std::string> text;
    try {
        text = read_file_if_exists(file);
    } catch (const std::exception& e) {
        why = e.what();
        return std::nullopt;
    }
    if (!text) { why = "missing"; return std::nullopt; }
    if (text->find_first_not_of(" \t\r\n") == std::string::npos) { why = "empty"; return std::nullopt; }
    boost::system::error_code ec;
    json::value v = json::parse(*text, ec);
    if (ec) { why = "not valid JSON (" + ec.message() + ")"; return std::nullopt; }
    try {
        return state_from_json(v, file.filename().string());
    } catch (const std::exception& e) {
        why = e.what();
        return std::nullopt;
    }
}
}  // namespace

CampaignState StateStore::read(const Warn& warn, bool repair) const {
    std::string why_main, why_bak;
    if (auto state = try_parse(file_, why_main)) return *state;
    const bool main_exists = fs::exists(file_);
    auto backup = try_parse(backup_file(), why_bak);
    if (!main_exists && !backup) return CampaignState{};  // a new campaign
    if (!backup) {
        throw Error(file_.string() + " is " + why_main + " and its last good copy " + backup_file().string() + " is " +
                    why_bak + "; restore one of them or move both away to start the campaign afresh");
    }
    if (warn) {
        warn(file_.string() + " is " + why_main + "; " + (repair ? "repaired" : "read") + " from the last good copy " +
             backup_file().filename().string() + " (round " + std::to_string(backup->round) + ", phase " + backup->phase + ")");
    }
    if (repair) atomic_write(file_, json_util::pretty(to_json(*backup)));
    return *backup;
}

CampaignState StateStore::load(const Warn& warn) const { return read(warn, true); }
CampaignState StateStore::peek(const Warn& warn) const { return read(warn, false); }

void StateStore::save(const CampaignState& state) const {
    const std::string text = json_util::pretty(to_json(state));
    atomic_write(file_, text);
    atomic_write(backup_file(), text);
}

}  // namespace autokaggle
