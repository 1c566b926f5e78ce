// A scripted tool-using competitor for campaign tests: it plays Researcher, Builder and Reviewer
// from what a real model would see (the phase trigger and the results of its own tool calls)
// and answers with tool calls or the phase's token. The fake LLM servers (Anthropic and OpenAI
// wire formats) and the fake coding-agent CLIs (speaking MCP to `autokaggle mcp`) share it, so
// every kind of agent plays the same 6-round campaign on the shipped pima-diabetes competition:
//   R00  EDA with run_python (scratch code: no crash record)
//   R01  logistic regression          R04  a constant model, stopped by the fold-1 kill gate
//   R02  random forest                R05  gradient boosting
//   R03  extra trees, answered with the script's own 4-decimal CV print
//   R05  first answered with a CV its OOF file does not give, then, when the code phase comes back
//        with the reason, with the verified CV
//   R06  Gaussian naive Bayes
// Every plan states its family; the Researcher tries to read the held-out answers and notes the
// refusal; the Reviewer looks inside the previous round's OOF .npy with run_python.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace autokaggle::test {

/// The phase in progress as the competitor reads it from the prompt.
struct PhaseView {
    int round = 0;
    std::string phase;    ///< "eda", "research", "plan", "review", "revise", "code", "verify", "findings", "retro"
    std::string output;   ///< the file to write, as the prompt gives it
    std::string workspace;  ///< the workspace folder (for the held-out probe), when known
    std::string problem;    ///< why the previous answer to this phase was refused, when it was
    std::vector<std::string> results;  ///< the texts of its tool calls' results in this phase, in order
};

/// The next move: a tool call, or (tool empty) the final text ending with the token.
struct Move {
    std::string tool;
    boost::json::object arguments;
    std::string text;
};

/// The phase named in a prompt: the `llm` agent's "Round 3 - phase: code ... Write: path" or a
/// CLI agent's "Round 3, phase code. ... Write the phase's output to: path". nullopt when none.
std::optional<PhaseView> parse_phase(const std::string& prompt);

Move next_move(const PhaseView& view);

/// The family the competitor's plan states in `round`.
std::string family_of_round(int round);

/// A contract-following experiment on pima-diabetes: the sklearn estimator `model` (an
/// expression: LogisticRegression, RandomForestClassifier, ExtraTreesClassifier,
/// HistGradientBoostingClassifier, GaussianNB or DummyClassifier) in an impute-and-scale
/// pipeline, partial OOF after each fold, fold lines, and CV_SCORE with `decimals` decimals.
std::string experiment_script(const std::string& model, int decimals);

}  // namespace autokaggle::test
