// The `llm` agent plugin driven by scripted fake models: tools confined to the workspace, the
// conversation persisted and resumed, the tool-step cap, re-spawn, a real experiment run, a lean
// context over 20 rounds, and no key in any file.
#define BOOST_TEST_MODULE llm_agent
#include <boost/test/unit_test.hpp>

#include "support/llm_support.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <regex>

using namespace autokaggle;
using namespace autokaggle::test;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

struct AgentFixture {
    TempDir dir;
    TestHost host{dir.path()};
    FakeServer server;
    ScopedEnv key{"ANTHROPIC_API_KEY", kFakeKey};
    ScriptedModel claude{server, "/v1/messages"};
    ScriptedModel local{server, "/v1/chat/completions"};

    AgentFixture() {
        host.add_llm("strong", "anthropic", {{"model", "claude-test"}, {"base_url", server.base_url()}, {"max_retries", 0}});
        host.add_llm("local", "openai", {{"model", "qwen-test"}, {"base_url", server.base_url() + "/v1"}, {"max_retries", 0}});
    }

    PhaseRequest phase(int round, Phase p, const std::string& output) {
        PhaseRequest r;
        r.round = round;
        r.phase = p;
        r.trigger = "Do the " + std::string(to_string(p)) + " phase.";
        r.output = host.paths().root / output;
        r.inputs = {host.paths().learnings};
        return r;
    }

    /// The index-th model call (the openai provider also asks the server for its context window).
    json::object request_body(std::size_t index) {
        std::vector<RecordedRequest> calls;
        for (const auto& r : server.requests())
            if (r.path().ends_with("/messages") || r.path().ends_with("/chat/completions")) calls.push_back(r);
        return json::parse(calls.at(index).body).as_object();
    }

    ~AgentFixture() {
        // No test may leave the key in the workspace or the log.
        const auto leaks = files_containing(dir.path(), kFakeKey);
        BOOST_TEST(leaks.empty(), "the API key leaked into " << (leaks.empty() ? "" : leaks.front().string()));
        for (const auto& line : host.log_lines()) BOOST_TEST(line.find(kFakeKey) == std::string::npos, line);
    }
};

/// The tool_result blocks of the last user message of an Anthropic request.
json::array last_tool_results(const json::object& body) {
    json::array out;
    const auto& messages = body.at("messages").as_array();
    for (const auto& block : messages.back().as_object().at("content").as_array())
        if (block.as_object().at("type").as_string() == "tool_result") out.push_back(block);
    return out;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(agent, AgentFixture)

BOOST_AUTO_TEST_CASE(phase_with_tools_writes_the_output_and_returns_the_token) {
    claude.push(anthropic_tool("t1", "write_file", {{"path", "rounds/R01_plan.md"}, {"content", "# Plan\nHypothesis: trees.\n"}}));
    claude.push(anthropic_tool("t2", "read_file", {{"path", "../../etc/passwd"}}));
    claude.push(anthropic_tool("t3", "write_file", {{"path", "config.json"}, {"content", "{}"}}));
    claude.push(anthropic_text("The plan is written.\n\n**DONE**"));
    auto agent = host.make_agent("builder", {{"llm", "strong"}});
    const std::string token = agent->run_phase(phase(1, Phase::plan, "rounds/R01_plan.md"));
    BOOST_TEST(token == "DONE");
    BOOST_TEST(read_text(host.paths().rounds / "R01_plan.md") == "# Plan\nHypothesis: trees.\n");
    BOOST_TEST(!fs::exists(host.paths().config));
    BOOST_REQUIRE_EQUAL(server.request_count(), 4u);

    const auto first = request_body(0);
    const std::string system(first.at("system").as_array().at(0).as_object().at("text").as_string());
    BOOST_TEST(system.find("auc_roc") != std::string::npos);             // placeholders filled
    BOOST_TEST(system.find("{{metric}}") == std::string::npos);
    BOOST_TEST(system.find("StratifiedKFold") != std::string::npos);
    std::vector<std::string> tools;
    for (const auto& t : first.at("tools").as_array()) tools.emplace_back(t.as_object().at("name").as_string());
    BOOST_TEST((tools == std::vector<std::string>{"read_file", "write_file", "list_files", "grep", "run_python",
                                                  "run_experiment", "blend", "leaderboard"}));
    const std::string trigger(first.at("messages").as_array().at(0).as_object().at("content").as_array().at(0).as_object().at("text").as_string());
    BOOST_TEST(trigger.find("Write: rounds/R01_plan.md") != std::string::npos, trigger);
    BOOST_TEST(trigger.find("Read: LEARNINGS.md") != std::string::npos, trigger);
    BOOST_TEST(trigger.find("Fit encoders") == std::string::npos);  // paths, never contents

    const auto escape = last_tool_results(request_body(2));
    BOOST_TEST(escape.at(0).as_object().at("is_error").as_bool());
    BOOST_TEST(std::string(escape.at(0).as_object().at("content").as_string()).find("..") != std::string::npos);
    const auto protected_write = last_tool_results(request_body(3));
    BOOST_TEST(protected_write.at(0).as_object().at("is_error").as_bool());

    const Usage u = host.usage_of("builder");
    BOOST_TEST(u.output_tokens == 4 * 20);
    BOOST_TEST(u.input_tokens > 0);
    BOOST_TEST(fs::exists(host.paths().agents / "builder" / "conversation.json"));
}

BOOST_AUTO_TEST_CASE(reviewer_has_no_run_experiment_and_conversation_resumes) {
    claude.push(anthropic_tool("t1", "write_file", {{"path", "rounds/R01_review.md"}, {"content", "six checks\nAPPROVED\n"}}));
    claude.push(anthropic_text("APPROVED"));
    std::string session;
    {
        auto agent = host.make_agent("reviewer", {{"llm", "strong"}});
        BOOST_TEST(agent->run_phase(phase(1, Phase::review, "rounds/R01_review.md")) == "APPROVED");
        session = agent->session_id();
        BOOST_TEST(!session.empty());
    }
    std::vector<std::string> tools;
    const auto first_body = request_body(0);
    for (const auto& t : first_body.at("tools").as_array()) tools.emplace_back(t.as_object().at("name").as_string());
    BOOST_TEST((tools == std::vector<std::string>{"read_file", "write_file", "list_files", "grep", "run_python", "blend",
                                                  "leaderboard"}));  // no run_experiment
    // A new process: the same conversation continues.
    claude.push(anthropic_text("REVISE: the success criterion has no number"));
    auto again = host.make_agent("reviewer", {{"llm", "strong"}});
    BOOST_TEST(again->session_id() == session);
    BOOST_TEST(again->run_phase(phase(2, Phase::review, "rounds/R02_review.md")) == "REVISE: the success criterion has no number");
    const auto body = request_body(server.request_count() - 1);
    const auto& messages = body.at("messages").as_array();
    BOOST_TEST(messages.size() == 5u);  // phase 1: user, tool_use, tool_result, answer; phase 2: user
    const std::string first_trigger(messages.at(0).as_object().at("content").as_array().at(0).as_object().at("text").as_string());
    BOOST_TEST(first_trigger.find("Round 1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(interrupted_tool_calls_are_answered_on_resume) {
    // A conversation that ended with a tool call the previous process never answered.
    claude.push(anthropic_tool("t1", "list_files", json::object{}));
    {
        auto agent = host.make_agent("researcher", {{"llm", "strong"}, {"max_tool_steps", 1}});
        BOOST_CHECK_THROW(agent->run_phase(phase(1, Phase::research, "rounds/R01_research_brief.md")), Error);
    }
    claude.push(anthropic_text("DONE"));
    auto agent = host.make_agent("researcher", {{"llm", "strong"}});
    BOOST_TEST(agent->run_phase(phase(2, Phase::research, "rounds/R02_research_brief.md")) == "DONE");
    const auto body = request_body(server.request_count() - 1);
    const auto& messages = body.at("messages").as_array();
    // roles alternate and every tool_use has its tool_result
    for (std::size_t i = 1; i < messages.size(); ++i)
        BOOST_TEST(messages[i].as_object().at("role") != messages[i - 1].as_object().at("role"));
    const auto& last = messages.back().as_object().at("content").as_array();
    BOOST_TEST(last.at(0).as_object().at("type").as_string() == "tool_result");
    BOOST_TEST(std::string(last.back().as_object().at("text").as_string()).find("Round 2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(tool_step_cap_fails_the_phase_with_a_reason) {
    claude.push(anthropic_tool("loop", "list_files", json::object{}));
    auto agent = host.make_agent("builder", {{"llm", "strong"}, {"max_tool_steps", 3}});
    try {
        agent->run_phase(phase(1, Phase::plan, "rounds/R01_plan.md"));
        BOOST_FAIL("expected the phase to fail");
    } catch (const Error& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find("max_tool_steps=3") != std::string::npos, what);
        BOOST_TEST(what.find("plan") != std::string::npos, what);
    }
    BOOST_TEST(claude.calls() == 4u);
}

BOOST_AUTO_TEST_CASE(malformed_tool_arguments_become_recoverable_errors) {
    local.push(openai_tool("c1", "read_file", ""));
    local.push(openai_tool("c2", "read_file", "LEARNINGS.md"));
    local.push(openai_tool("c3", "read_file", R"({"path":"LEARNINGS.md","start_line":"2"})"));
    local.push(openai_text("DONE"));
    auto agent = host.make_agent("researcher", {{"llm", "local"}});
    BOOST_TEST(agent->run_phase(phase(1, Phase::research, "rounds/R01_research_brief.md")) == "DONE");
    auto tool_message = [&](std::size_t request) {
        const auto body = request_body(request);
        return body.at("messages").as_array().back().as_object();
    };
    BOOST_TEST(tool_message(1).at("role").as_string() == "tool");
    BOOST_TEST(std::string(tool_message(1).at("content").as_string()).find("must be a JSON object") != std::string::npos);
    BOOST_TEST(std::string(tool_message(2).at("content").as_string()).find("'LEARNINGS.md'") != std::string::npos);
    const std::string read(tool_message(3).at("content").as_string());
    BOOST_TEST(read.find("- Fit encoders inside folds.") != std::string::npos, read);
    BOOST_TEST(read.find("# Learnings") == std::string::npos, read);  // started at line 2
}

BOOST_AUTO_TEST_CASE(respawn_starts_a_fresh_session_from_the_summary) {
    claude.push(anthropic_text("DONE"));
    auto agent = host.make_agent("builder", {{"llm", "strong"}});
    agent->run_phase(phase(1, Phase::findings, "rounds/R01_findings.md"));
    const std::string before = agent->session_id();
    write_text(host.paths().rounds / "R15_summary.md", "Best CV 0.91 with XGBoost; linear models add diversity.");
    agent->respawn(host.paths().rounds / "R15_summary.md");
    BOOST_TEST(agent->session_id() != before);
    agent->run_phase(phase(16, Phase::plan, "rounds/R16_plan.md"));
    const auto respawned = request_body(server.request_count() - 1);
    const auto& messages = respawned.at("messages").as_array();
    BOOST_REQUIRE_EQUAL(messages.size(), 1u);
    const std::string text(messages[0].as_object().at("content").as_array().at(0).as_object().at("text").as_string());
    BOOST_TEST(text.find("Best CV 0.91") != std::string::npos);
    BOOST_TEST(text.find("Round 16") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(builder_writes_and_runs_a_real_experiment) {
    const std::string script = R"PY(import argparse, numpy as np, pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
p = argparse.ArgumentParser()
for a in ["--data-dir", "--oof-out", "--test-out", "--oof-partial"]: p.add_argument(a)
p.add_argument("--folds", type=int); p.add_argument("--seed", type=int)
a = p.parse_args()
train = pd.read_csv(a.data_dir + "/train.csv"); test = pd.read_csv(a.data_dir + "/test.csv")
X, y, T = train[["x1", "x2"]].values, train["target"].values, test[["x1", "x2"]].values
oof = np.full(len(train), np.nan); pred = np.zeros(len(test))
for k, (tr, va) in enumerate(StratifiedKFold(a.folds, shuffle=True, random_state=a.seed).split(X, y), 1):
    m = LogisticRegression().fit(X[tr], y[tr])
    oof[va] = m.predict_proba(X[va])[:, 1]; pred += m.predict_proba(T)[:, 1] / a.folds
    print(f"FOLD {k} SCORE={roc_auc_score(y[va], oof[va]):.6f}", flush=True)
    if k == 1: np.save(a.oof_partial, oof)
np.save(a.oof_out, oof); np.save(a.test_out, pred)
print(f"CV_SCORE={roc_auc_score(y, oof):.6f}")
)PY";
    claude.push(anthropic_tool("w", "write_file", {{"path", "rounds/R01_experiment.py"}, {"content", script}}));
    claude.push(anthropic_tool("r", "run_experiment", {{"script", "rounds/R01_experiment.py"}, {"description", "logistic baseline"}}));
    // The fake model reads the score from the tool result, like a real one would.
    claude.push([](const json::object& request) {
        const auto& content = request.at("messages").as_array().back().as_object().at("content").as_array();
        const std::string result(content.at(0).as_object().at("content").as_string());
        std::smatch m;
        const std::string answer = std::regex_search(result, m, std::regex(R"(answer for the code phase: (CV_SCORE=\S+))")) ? m[1].str() : "none";
        return anthropic_text(answer)(request);
    });
    auto agent = host.make_agent("builder", {{"llm", "strong"}});
    const std::string token = agent->run_phase(phase(1, Phase::code, "rounds/R01_experiment.py"));
    BOOST_TEST_MESSAGE("builder answered " << token);
    BOOST_TEST(token.starts_with("CV_SCORE=0."), token);
    BOOST_TEST(fs::file_size(host.paths().rounds / "R01_oof.npy") > 120u * 8u);
    BOOST_TEST(fs::exists(host.paths().rounds / "R01_test.npy"));
    const double cv = std::stod(token.substr(9));
    BOOST_TEST((cv > 0.6 && cv <= 1.0));
    // The tools knew whose call it was and when.
    const auto contexts = host.tool_contexts();
    BOOST_REQUIRE(!contexts.empty());
    BOOST_TEST(contexts.back().role == "builder");
    BOOST_TEST(contexts.back().round == 1);
    BOOST_TEST(contexts.back().phase == "code");
}

BOOST_AUTO_TEST_CASE(scratch_code_looks_inside_a_npy_file) {
    write_text(host.paths().rounds / "R01_notes.md", "x");
    claude.push(anthropic_tool("p", "run_python", {{"code", "import numpy as np\nnp.save('a.npy', np.arange(4.0))\n"
                                                            "print('mean', np.load('a.npy').mean())"}}));
    claude.push(anthropic_text("Looked.\nDONE"));
    auto agent = host.make_agent("reviewer", {{"llm", "strong"}});
    BOOST_TEST(agent->run_phase(phase(1, Phase::review, "rounds/R01_notes.md")) == "DONE");
    const auto results = last_tool_results(request_body(1));
    const std::string text(results.at(0).as_object().at("content").as_string());
    BOOST_TEST(text.find("mean 1.5") != std::string::npos, text);
    BOOST_TEST(!results.at(0).as_object().at("is_error").as_bool());
}

BOOST_AUTO_TEST_CASE(a_phase_that_outgrows_the_budget_is_compacted_while_it_runs) {
    // Each tool result is about 6 KB; the budget is 3000 tokens (about 12 KB of prompt).
    std::string big;
    for (int i = 0; i < 120; ++i) big += "line " + std::to_string(i) + " of a long file with numbers 0123456789\n";
    write_text(host.paths().knowledge / "long.md", big);
    for (int i = 0; i < 8; ++i)
        claude.push(anthropic_tool("r" + std::to_string(i), "read_file", {{"path", "knowledge/long.md"}, {"start_line", 1 + i}}));
    claude.push(anthropic_text("DONE"));
    auto agent = host.make_agent("researcher", {{"llm", "strong"}, {"max_context_tokens", 3000}});
    BOOST_TEST(agent->run_phase(phase(1, Phase::research, "rounds/R01_research_brief.md")) == "DONE");
    std::size_t largest = 0;
    for (std::size_t i = 0; i < server.request_count(); ++i) largest = std::max(largest, server.requests().at(i).body.size());
    BOOST_TEST_MESSAGE("largest request of the phase: " << largest << " bytes");
    // Without compaction inside the phase the last request carries all eight results (48 KB).
    BOOST_TEST(largest < 3000u * 4u + 20000u, "largest request " << largest << " bytes");
    const auto last = request_body(server.request_count() - 1);
    const std::string first_text = json::serialize(last.at("messages").as_array().at(0));
    BOOST_TEST(first_text.find("Round 1 - phase: research") != std::string::npos, first_text.substr(0, 300));
    BOOST_TEST(host.log_text().find("cut") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_key_echoed_by_a_provider_error_is_never_stored) {
    // The orchestrator retries a failed phase with the error as the problem: that text reaches
    // the conversation file, which must hold [redacted] (the fixture checks every file).
    claude.push(anthropic_text("DONE"));
    auto agent = host.make_agent("researcher", {{"llm", "strong"}});
    PhaseRequest r = phase(1, Phase::research, "rounds/R01_research_brief.md");
    r.problem = std::string("the previous attempt failed: Anthropic API: 401 invalid x-api-key ") + kFakeKey;
    BOOST_TEST(agent->run_phase(r) == "DONE");
    const std::string saved = read_text(host.paths().agents / "researcher" / "conversation.json");
    BOOST_TEST(saved.find("invalid x-api-key [redacted]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(context_stays_lean_over_twenty_rounds) {
    // Every round: the model writes a 3 KB plan, then answers. The trigger names files only, so
    // the request grows by the agent's own exchange per round and nothing else.
    const std::string plan(3000, 'p');
    auto script_round = [&](ScriptedModel& model) {
        model.push(anthropic_tool("w", "write_file", {{"path", "rounds/plan.md"}, {"content", plan}}));
        model.push(anthropic_text("DONE"));
    };
    auto measure = [&](const json::object& agent_options, std::vector<std::size_t>& bytes, std::vector<long long>& tokens) {
        auto agent = host.make_agent("builder", agent_options);
        for (int round = 1; round <= 20; ++round) {
            server.clear_requests();
            script_round(claude);
            char name[32];
            std::snprintf(name, sizeof name, "rounds/R%02d_plan.md", round);
            PhaseRequest r = phase(round, Phase::plan, name);
            for (int earlier = 1; earlier < round; ++earlier) {  // more and more files exist...
                std::snprintf(name, sizeof name, "rounds/R%02d_plan.md", earlier);
                r.inputs.push_back(host.paths().root / name);
            }
            if (r.inputs.size() > 3) r.inputs.erase(r.inputs.begin() + 1, r.inputs.end() - 2);  // ...the trigger names the latest
            const Usage before = host.usage_of("builder");
            BOOST_REQUIRE(agent->run_phase(r) == "DONE");
            bytes.push_back(server.requests().at(0).body.size());
            tokens.push_back(host.usage_of("builder").input_tokens - before.input_tokens);
        }
    };

    std::vector<std::size_t> bytes;
    std::vector<long long> tokens;
    measure({{"llm", "strong"}}, bytes, tokens);
    std::vector<long long> growth;
    for (std::size_t i = 1; i < bytes.size(); ++i) growth.push_back(static_cast<long long>(bytes[i]) - static_cast<long long>(bytes[i - 1]));
    for (std::size_t i = 0; i < bytes.size(); ++i)
        BOOST_TEST_MESSAGE("round " << i + 1 << ": first request " << bytes[i] << " bytes, input tokens this round "
                                    << tokens[i] << (i ? ", growth " + std::to_string(growth[i - 1]) + " bytes" : std::string()));
    // The growth per round is the agent's own exchange (about the 3 KB plan it wrote plus a
    // trigger), constant from round to round: it does not grow with the round number.
    const auto [min_growth, max_growth] = std::minmax_element(growth.begin() + 2, growth.end());
    BOOST_TEST(*min_growth > 3000);
    BOOST_TEST(*max_growth - *min_growth < 200, "growth varies from " << *min_growth << " to " << *max_growth);
    BOOST_TEST(*max_growth < 4000);

    // With a context budget the conversation is compacted and the request size stays bounded.
    fs::remove(host.paths().agents / "builder" / "conversation.json");
    std::vector<std::size_t> bounded;
    std::vector<long long> bounded_tokens;
    measure({{"llm", "strong"}, {"max_context_tokens", 8000}}, bounded, bounded_tokens);
    for (std::size_t i = 0; i < bounded.size(); ++i)
        BOOST_TEST_MESSAGE("with max_context_tokens=8000, round " << i + 1 << ": first request " << bounded[i] << " bytes");
    const auto largest = *std::max_element(bounded.begin(), bounded.end());
    BOOST_TEST(largest < 8000u * 4u + 4000u, "largest request " << largest << " bytes");
    BOOST_TEST(bounded.back() < bytes.back() / 2);
}

BOOST_AUTO_TEST_CASE(the_default_budget_is_the_servers_window_else_32k) {
    // Every answer reports a 40 000-token prompt.
    auto big_prompt = [](const std::string& text) {
        return [text](const json::object&) {
            return json::serialize(json::object{
                {"id", "c"}, {"model", "m"},
                {"choices", json::array{json::object{{"index", 0}, {"message", json::object{{"role", "assistant"}, {"content", text}}},
                                                     {"finish_reason", "stop"}}}},
                {"usage", json::object{{"prompt_tokens", 40000}, {"completion_tokens", 5}}}});
        };
    };
    local.push(big_prompt("DONE"));
    auto agent = host.make_agent("researcher", {{"llm", "local"}});  // the server reports no window
    agent->run_phase(phase(1, Phase::research, "rounds/R01_research_brief.md"));
    agent->run_phase(phase(2, Phase::research, "rounds/R02_research_brief.md"));
    BOOST_TEST(host.log_text().find("budget of 32000 tokens") != std::string::npos, host.log_text());

    // A vLLM server with a 100 000-token window: 40 000 tokens fit in 3/4 of it.
    FakeServer vllm;
    vllm.route("GET", "/v1/models", respond_in_order({FakeResponse::json(200, R"({"data":[{"id":"big","max_model_len":100000}]})")}));
    ScriptedModel big(vllm, "/v1/chat/completions");
    big.push(big_prompt("DONE"));
    host.add_llm("vllm", "openai", {{"model", "big"}, {"base_url", vllm.base_url() + "/v1"}, {"max_retries", 0}});
    fs::remove(host.paths().agents / "reviewer" / "conversation.json");
    auto reviewer = host.make_agent("reviewer", {{"llm", "vllm"}});
    reviewer->run_phase(phase(1, Phase::review, "rounds/R01_review.md"));
    reviewer->run_phase(phase(2, Phase::review, "rounds/R02_review.md"));
    BOOST_TEST(host.log_text().find("budget of 75000 tokens") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
