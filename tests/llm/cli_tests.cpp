// The CLI end to end with LLM agents: `autokaggle llm test` against fake servers, and a 3-round
// campaign (`autokaggle run`) in which every agent is the `llm` plugin and a scripted fake model
// writes real plans and a real experiment script that the local runner executes.
#define BOOST_TEST_MODULE llm_cli
#include <boost/test/unit_test.hpp>

#include "llm/llm_test_support.hpp"

#include <boost/json.hpp>

#include <regex>

using namespace autokaggle;
using namespace autokaggle::test;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

/// A workspace copied from the shipped demo competition, with every role on the `llm` plugin.
fs::path make_workspace(const fs::path& dir, const std::string& base_url, json::object extra_llms = {}) {
    const fs::path ws = dir / "ws";
    fs::copy(source_dir() / "competitions" / "pima-diabetes", ws, fs::copy_options::recursive);
    json::object config = json::parse(read_text(ws / "config.json")).as_object();
    config["agents"] = json::object{{"researcher", json::object{{"plugin", "llm"}, {"options", json::object{{"llm", "fake"}}}}},
                                    {"builder", json::object{{"plugin", "llm"}, {"options", json::object{{"llm", "fake"}}}}},
                                    {"reviewer", json::object{{"plugin", "llm"}, {"options", json::object{{"llm", "fake"}}}}}};
    json::object llms{{"fake", json::object{{"plugin", "anthropic"},
                                            {"options", json::object{{"model", "claude-fake"}, {"base_url", base_url},
                                                                     {"max_retries", 1}, {"price_input", 3.0}, {"price_output", 15.0}}}}}};
    for (const auto& [k, v] : extra_llms) llms[k] = v;
    config["llms"] = std::move(llms);
    config["kill_gate"] = json::object{{"enabled", false}};
    config["plugin_dirs"] = json::array{plugin_dir().string()};
    write_text(ws / "config.json", json::serialize(config));
    return ws;
}

std::map<std::string, std::string> env_with_key() { return {{"ANTHROPIC_API_KEY", kFakeKey}}; }

// --- The scripted model that plays all three roles --------------------------------------------

const char* kExperiment = R"PY(import argparse, os, numpy as np, pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.impute import SimpleImputer
MODEL
p = argparse.ArgumentParser()
for a in ["--data-dir", "--oof-out", "--test-out", "--oof-partial"]: p.add_argument(a)
p.add_argument("--folds", type=int); p.add_argument("--seed", type=int)
a = p.parse_args()
train = pd.read_csv(a.data_dir + "/train.csv"); test = pd.read_csv(a.data_dir + "/test.csv")
features = [c for c in train.columns if c not in ("id", "diabetes")]
X, y, T = train[features].values, train["diabetes"].values, test[features].values
oof = np.full(len(train), np.nan); pred = np.zeros(len(test))
for k, (tr, va) in enumerate(StratifiedKFold(a.folds, shuffle=True, random_state=a.seed).split(X, y), 1):
    m = make_pipeline(SimpleImputer(), StandardScaler(), model()).fit(X[tr], y[tr])
    oof[va] = m.predict_proba(X[va])[:, 1]; pred += m.predict_proba(T)[:, 1] / a.folds
    np.save(a.oof_partial + ".tmp.npy", oof); os.replace(a.oof_partial + ".tmp.npy", a.oof_partial)
    print(f"FOLD {k} SCORE={roc_auc_score(y[va], oof[va]):.6f}", flush=True)
np.save(a.oof_out, oof); np.save(a.test_out, pred)
print(f"CV_SCORE={roc_auc_score(y, oof):.6f}")
)PY";

const std::vector<std::string> kModels = {
    "from sklearn.linear_model import LogisticRegression\ndef model(): return LogisticRegression(C=1.0, max_iter=500)",
    "from sklearn.ensemble import RandomForestClassifier\ndef model(): return RandomForestClassifier(n_estimators=150, min_samples_leaf=3, random_state=0, n_jobs=1)",
    "from sklearn.ensemble import ExtraTreesClassifier\ndef model(): return ExtraTreesClassifier(n_estimators=150, min_samples_leaf=3, random_state=0, n_jobs=1)",
};

std::string block_text(const json::value& block) {
    const auto& o = block.as_object();
    if (o.at("type").as_string() == "text") return std::string(o.at("text").as_string());
    if (o.at("type").as_string() == "tool_result") return std::string(o.at("content").as_string());
    return {};
}

std::string message_text(const json::object& message) {
    const auto& content = message.at("content");
    if (content.is_string()) return std::string(content.as_string());
    std::string out;
    for (const auto& block : content.as_array()) out += block_text(block) + "\n";
    return out;
}

/// Plays Researcher, Builder and Reviewer from the request alone: finds the current phase's
/// trigger, counts the steps taken since, and makes the next move.
std::string brain(const json::object& request) {
    const auto& messages = request.at("messages").as_array();
    const std::regex trigger_re(R"(Round (\d+) - phase: (\w+)[\s\S]*?\nWrite: (\S+))");
    std::size_t at = messages.size();
    std::smatch m;
    std::string trigger;
    for (std::size_t i = messages.size(); i-- > 0;) {
        if (messages[i].as_object().at("role").as_string() != "user") continue;
        const std::string text = message_text(messages[i].as_object());
        if (std::regex_search(text, m, trigger_re)) {
            at = i;
            trigger = text;
            break;
        }
    }
    if (at == messages.size()) throw std::runtime_error("no phase trigger in the conversation");  // becomes a 500
    std::regex_search(trigger, m, trigger_re);
    const int round = std::stoi(m[1]);
    const std::string phase = m[2], output = m[3];
    std::size_t steps = 0;
    for (std::size_t i = at + 1; i < messages.size(); ++i)
        if (messages[i].as_object().at("role").as_string() == "assistant") ++steps;
    const std::string last = message_text(messages.back().as_object());

    if (phase == "code") {
        if (steps == 0) {
            std::string script = kExperiment;
            script.replace(script.find("MODEL"), 5, kModels[static_cast<std::size_t>((round - 1) % 3)]);
            return anthropic_tool("w" + std::to_string(round), "write_file", {{"path", output}, {"content", script}})(request);
        }
        if (steps == 1)
            return anthropic_tool("r" + std::to_string(round), "run_experiment", {{"script", output}, {"description", "round model"}})(request);
        std::smatch cv;
        const bool ok = std::regex_search(last, cv, std::regex(R"(claimed CV_SCORE: ([0-9.]+))"));
        return anthropic_text("The run finished.\nCV_SCORE=" + (ok ? cv[1].str() : std::string("crash")))(request);
    }
    if (steps == 0) {
        std::string content = "# " + phase + " for round " + std::to_string(round) + "\n\n";
        if (phase == "plan")
            content += "## Situation\nBaseline stage.\n## Last-round assessment\nn/a\n## Hypothesis\nA different model family adds diversity.\n"
                       "## Experiment specification\nSee the script.\n## Success criterion\nCV above 0.80.\n";
        if (phase == "findings") content += "The model ran.\n\n## Learnings\n- Tree ensembles and linear models disagree usefully on this data (round " +
                                            std::to_string(round) + ").\n";
        if (phase == "review") content += "1. Tunnel vision: no.\n2-6: fine.\n\nAPPROVED\n";
        return anthropic_tool("f" + std::to_string(round), "write_file", {{"path", output}, {"content", content}})(request);
    }
    const std::string token = phase == "review" || phase == "verify" ? "APPROVED" : phase == "revise" ? "REVISED" : "DONE";
    return anthropic_text("Written.\n" + token)(request);
}

}  // namespace

BOOST_AUTO_TEST_CASE(llm_test_prints_reply_usage_and_latency) {
    TempDir dir;
    FakeServer server;
    ScriptedModel model(server, "/v1/messages");
    model.push(anthropic_text("pong"));
    const fs::path ws = make_workspace(dir.path(), server.base_url());
    const auto r = run_cli({"llm", "test", "--llm", "fake", "--dir", ws.string()}, {}, env_with_key());
    BOOST_TEST_MESSAGE(r.out << r.err);
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.out.find("reply: pong") != std::string::npos, r.out);
    BOOST_TEST(r.out.find("model: claude-test-1") != std::string::npos);
    BOOST_TEST(std::regex_search(r.out, std::regex(R"(usage: \d+ input, 20 output)")), r.out);
    BOOST_TEST(r.out.find("latency: ") != std::string::npos);
    BOOST_TEST((r.out + r.err).find(kFakeKey) == std::string::npos);
    BOOST_TEST(server.requests().at(0).headers.get("x-api-key").value_or("") == kFakeKey);
}

BOOST_AUTO_TEST_CASE(llm_test_checks_tool_calling) {
    TempDir dir;
    FakeServer server;
    ScriptedModel model(server, "/v1/messages");
    model.push(anthropic_tool("toolu_1", "record_answer", {{"word", "pong"}}));
    model.push(anthropic_text("pong"));  // a model that ignores tools
    const fs::path ws = make_workspace(dir.path(), server.base_url());
    auto r = run_cli({"llm", "test", "--llm", "fake", "--tools", "--dir", ws.string()}, {}, env_with_key());
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.out.find(R"(tool call: record_answer {"word":"pong"})") != std::string::npos, r.out);
    const auto body = json::parse(server.requests().at(0).body).as_object();
    BOOST_TEST(body.at("tools").as_array().at(0).as_object().at("name").as_string() == "record_answer");
    r = run_cli({"llm", "test", "--llm", "fake", "--tools", "--dir", ws.string()}, {}, env_with_key());
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(r.err.find("without calling the tool") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(llm_test_by_role_and_failures_say_what_to_check) {
    TempDir dir;
    FakeServer server;
    server.route("POST", "/v1/messages", respond_in_order({FakeResponse::json(
        401, R"({"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}})")}));
    server.route("POST", "/v1/chat/completions", respond_in_order({FakeResponse::json(
        404, R"({"error":{"message":"model 'nope' not found","type":"not_found_error"}})")}));
    json::object local{{"plugin", "openai"}, {"options", json::object{{"model", "nope"}, {"base_url", server.base_url() + "/v1"}}}};
    const fs::path ws = make_workspace(dir.path(), server.base_url(), {{"local", local}});

    auto r = run_cli({"llm", "test", "--role", "builder", "--dir", ws.string()}, {}, env_with_key());
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(r.err.find("authentication_error") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("ANTHROPIC_API_KEY") != std::string::npos, r.err);
    BOOST_TEST((r.out + r.err).find(kFakeKey) == std::string::npos);

    r = run_cli({"llm", "test", "--llm", "local", "--dir", ws.string()}, {}, {{"OPENAI_API_KEY", ""}});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(r.err.find("model 'nope' not found") != std::string::npos, r.err);
    BOOST_TEST(r.err.find("the model name 'nope'") != std::string::npos, r.err);

    r = run_cli({"llm", "test", "--llm", "fake", "--dir", ws.string()}, {}, {{"ANTHROPIC_API_KEY", ""}});
    BOOST_TEST(r.exit_code == 2);
    BOOST_TEST(r.err.find("ANTHROPIC_API_KEY") != std::string::npos, r.err);

    r = run_cli({"llm", "test", "--llm", "missing", "--dir", ws.string()}, {}, env_with_key());
    BOOST_TEST(r.exit_code == 2);
    BOOST_TEST(r.err.find("llms.missing") != std::string::npos, r.err);
}

BOOST_AUTO_TEST_CASE(a_key_pasted_into_api_key_env_is_refused_and_never_printed) {
    TempDir dir;
    FakeServer server;
    const std::string pasted = "sk-ant-api03-PastedByMistake0123456789abcdef";
    json::object local{{"plugin", "anthropic"},
                       {"options", json::object{{"model", "m"}, {"base_url", server.base_url()}, {"api_key_env", pasted}}}};
    const fs::path ws = make_workspace(dir.path(), server.base_url(), {{"pasted", local}});
    for (const std::vector<std::string>& command :
         {std::vector<std::string>{"validate", ws.string()}, {"llm", "test", "--llm", "pasted", "--dir", ws.string()},
          {"run", ws.string(), "--max-rounds", "1"}}) {
        const auto r = run_cli(command, {}, env_with_key());
        BOOST_TEST(r.exit_code == 2, command[0] << ": exit " << r.exit_code << "\n" << r.out << r.err);
        BOOST_TEST((r.out + r.err).find("llms.pasted.options.api_key_env: holds what looks like a key") != std::string::npos,
                   command[0] << ": " << r.out << r.err);
        BOOST_TEST((r.out + r.err).find("PastedByMistake") == std::string::npos, command[0] << ": " << r.out << r.err);
    }
    BOOST_TEST(server.requests().empty());
}

BOOST_AUTO_TEST_CASE(three_round_campaign_driven_by_a_scripted_model) {
    TempDir dir;
    FakeServer server;
    server.route("POST", "/v1/messages", [](const RecordedRequest& r) {
        auto response = FakeResponse::json(200, brain(json::parse(r.body).as_object()));
        response.headers.set("request-id", "req_campaign");
        return response;
    });
    const fs::path ws = make_workspace(dir.path(), server.base_url());
    const auto r = run_cli({"run", ws.string(), "--max-rounds", "3"}, {}, env_with_key(), std::chrono::seconds(600));
    BOOST_TEST_MESSAGE("autokaggle run: exit " << r.exit_code << "\n" << r.out << r.err);
    BOOST_REQUIRE_EQUAL(r.exit_code, 0);

    for (const char* file : {"rounds/R00_eda.md", "rounds/R01_plan.md", "rounds/R01_review.md", "rounds/R03_findings.md",
                             "agents/builder/conversation.json", "agents/reviewer/conversation.json",
                             "agents/researcher/conversation.json"})
        BOOST_TEST(fs::exists(ws / file), file);
    for (int round = 1; round <= 3; ++round) {
        char name[64];
        std::snprintf(name, sizeof name, "rounds/R%02d_oof.npy", round);
        BOOST_TEST(fs::exists(ws / name), name);
    }
    const std::string results = read_text(ws / "results.tsv");
    BOOST_TEST_MESSAGE("results.tsv:\n" << results);
    BOOST_TEST(std::count(results.begin(), results.end(), '\n') >= 4);  // header + 3 rounds
    BOOST_TEST(read_text(ws / "LEARNINGS.md").find("disagree usefully") != std::string::npos);
    const json::object state = json::parse(read_text(ws / "state.json")).as_object();
    const auto& spent = state.at("budget_spent").as_object();
    BOOST_TEST_MESSAGE("state.json budget_spent: " << json::serialize(spent));
    for (const char* role : {"researcher", "builder", "reviewer"}) {
        const auto& usage = spent.at("by_role").as_object().at(role).as_object();
        BOOST_TEST(usage.at("input_tokens").to_number<double>() > 0, role);
        BOOST_TEST(usage.at("usd").to_number<double>() > 0, role);  // priced from the options
    }

    // The key was sent to the server and went nowhere else.
    BOOST_TEST(server.requests().at(0).headers.get("x-api-key").value_or("") == kFakeKey);
    const auto leaks = files_containing(ws, kFakeKey);
    BOOST_TEST(leaks.empty(), "the key leaked into " << (leaks.empty() ? "" : leaks.front().string()));
    BOOST_TEST((r.out + r.err).find(kFakeKey) == std::string::npos);
}
