#include "orchestrator/phase_plan.hpp"

#include "base/atomic_file.hpp"
#include "orchestrator/workspace.hpp"

#include <autokaggle/sdk/errors.hpp>

#include <sstream>

namespace autokaggle {
namespace fs = std::filesystem;

namespace {

RoundStep agent_step(std::string_view key, Phase phase, StepWhen when, std::string_view who, std::string_view output,
                     std::vector<std::string_view> inputs, std::string_view trigger, std::string_view reply,
                     std::vector<std::string_view> also = {}) {
    RoundStep s;
    s.key = key;
    s.kind = StepKind::agent;
    s.phase = phase;
    s.when = when;
    s.who = who;
    s.output = output;
    s.also = std::move(also);
    s.inputs = std::move(inputs);
    s.trigger = trigger;
    s.reply = reply;
    return s;
}

RoundStep core_step(std::string_view key, StepKind kind, StepWhen when, std::string_view who, std::string_view output,
                    std::vector<std::string_view> also = {}) {
    RoundStep s;
    s.key = key;
    s.kind = kind;
    s.when = when;
    s.who = who;
    s.output = output;
    s.also = std::move(also);
    s.reply = "-";
    return s;
}

std::vector<RoundStep> make_round_steps() {
    using W = StepWhen;
    return {
        agent_step("eda", Phase::eda, W::round_zero, "builder", "R{NN}_eda.md",
                   {"train.csv", "test.csv", "sample_submission.csv", "LEARNINGS.md", "knowledge files"},
                   "{R}: explore the data and write the EDA.", "DONE"),
        core_step("respawn", StepKind::respawn, W::later_rounds, "core, then each agent", "agents/summary_R{NN}.md"),
        agent_step("retro", Phase::retro, W::retro_rounds, "reviewer", "R{NN}_retro.md",
                   {"results.tsv", "experiments.json", "LEARNINGS.md", "R{NN-1}_findings.md"},
                   "{R}: retrospective of the campaign so far; list the top 5 next experiments.", "DONE"),
        core_step("scrape", StepKind::scrape, W::later_rounds, "scraper plugin", "R{NN}_research_raw.md"),
        agent_step("research", Phase::research, W::later_rounds, "researcher", "R{NN}_research_brief.md",
                   {"R{NN}_research_raw.md", "R00_eda.md", "results.tsv", "LEARNINGS.md", "R{NN-1}_findings.md",
                    "knowledge files"},
                   "{R}: research what to try next and write the brief.", "DONE"),
        agent_step("plan", Phase::plan, W::later_rounds, "builder", "R{NN}_plan.md",
                   {"R{NN}_retro.md", "R{NN}_research_brief.md", "R00_eda.md", "results.tsv", "LEARNINGS.md",
                    "R{NN-1}_findings.md"},
                   "{R}: plan one experiment{from_retro}.", "DONE"),
        agent_step("review", Phase::review, W::later_rounds, "reviewer", "R{NN}_review.md",
                   {"R{NN}_plan.md", "R{NN}_research_brief.md", "results.tsv", "LEARNINGS.md"},
                   "{R}: review the plan; answer APPROVED or REVISE: <why>.", "APPROVED or REVISE: <why>"),
        agent_step("revise", Phase::revise, W::after_revise, "builder", "R{NN}_plan.md", {"R{NN}_plan.md", "R{NN}_review.md"},
                   "{R}: revise the plan as the review asks: {why}", "REVISED"),
        agent_step("code", Phase::code, W::later_rounds, "builder", "R{NN}_experiment.py",
                   {"R{NN}_plan.md", "R{NN}_review.md", "R00_eda.md"},
                   "{R}: write the experiment script and run it; answer CV_SCORE=<number> or CV_SCORE=crash.",
                   "CV_SCORE=<number> or CV_SCORE=crash", {"R{NN}_run.log", "R{NN}_oof.npy", "R{NN}_test.npy"}),
        core_step("core_verify", StepKind::core_verify, W::later_rounds, "core", "R{NN}_verification.md"),
        agent_step("verify", Phase::verify, W::later_rounds, "reviewer", "R{NN}_verify.md",
                   {"R{NN}_verification.md", "R{NN}_experiment.py", "R{NN}_run.log", "R{NN}_plan.md"},
                   "{R}: check the experiment and the core's verification; answer APPROVED or REVISE: <why>.",
                   "APPROVED or REVISE: <why>"),
        agent_step("findings", Phase::findings, W::later_rounds, "builder", "R{NN}_findings.md",
                   {"R{NN}_plan.md", "R{NN}_review.md", "R{NN}_verification.md", "R{NN}_verify.md", "R{NN}_run.log",
                    "results.tsv"},
                   "{R}: write the findings, with a '## Learnings' section of general rules and a line "
                   "'Recommendation: submit - <why>' or 'Recommendation: do not submit - <why>'.",
                   "DONE"),
        core_step("decision", StepKind::decision, W::later_rounds, "core", "R{NN}_decision.md"),
        core_step("submit", StepKind::submit, W::later_rounds, "core + submitter", "R{NN}_submission.csv"),
        core_step("record", StepKind::record, W::every_round, "core", "results.tsv",
                  {"experiments.json", "LEARNINGS.md", "state.json"}),
    };
}

std::string_view when_text(const RoundStep& step) {
    switch (step.when) {
        case StepWhen::round_zero: return "round 0 only";
        case StepWhen::later_rounds:
            if (step.kind == StepKind::respawn) return "an agent `orchestrator.respawn_every` rounds after its spawn";
            if (step.kind == StepKind::submit) return "when the decision is to submit";
            return "rounds 1+";
        case StepWhen::retro_rounds: return "every `orchestrator.retro_every` rounds, first";
        case StepWhen::after_revise: return "after `REVISE`, once";
        case StepWhen::every_round: return "every round, last (also after a failure)";
    }
    return "";
}

std::string replace_all(std::string text, std::string_view from, const std::string& to) {
    for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
        text.replace(pos, from.size(), to);
    return text;
}

std::string joined(const std::vector<std::string_view>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + std::string("`") + std::string(i) + "`";
    return out.empty() ? "-" : out;
}

}  // namespace

const std::vector<RoundStep>& round_steps() {
    static const std::vector<RoundStep> steps = make_round_steps();
    return steps;
}

const RoundStep& step_of(Phase phase) {
    for (const auto& s : round_steps())
        if (s.phase == phase) return s;
    throw std::logic_error("no round step for the phase " + std::string(to_string(phase)));
}

std::vector<fs::path> resolve_reference(std::string_view ref, int round, const WorkspacePaths& paths,
                                        const CompetitionInfo& competition) {
    if (ref == "knowledge files") return competition.knowledge_files;
    if (ref == "train.csv") return {competition.train_csv};
    if (ref == "test.csv") return {competition.test_csv};
    if (ref == "sample_submission.csv") return {competition.sample_submission_csv};
    if (ref == "results.tsv") return {paths.results};
    if (ref == "experiments.json") return {paths.experiments};
    if (ref == "LEARNINGS.md") return {paths.learnings};
    if (ref == "state.json") return {paths.state};
    if (ref == "agents/summary_R{NN}.md") return {paths.agents / ("summary_" + round_tag(round) + ".md")};
    for (const auto& [prefix, n] : {std::pair<std::string_view, int>{"R{NN}_", round}, {"R{NN-1}_", round - 1}, {"R00_", 0}}) {
        if (ref.substr(0, prefix.size()) == prefix) return {round_file(paths, n, ref.substr(prefix.size()))};
    }
    return {};
}

PhaseRequest phase_request(const RoundStep& step, int round, const WorkspacePaths& paths, const CompetitionInfo& competition,
                           const TriggerContext& context) {
    if (!step.phase) throw std::logic_error("phase_request: " + std::string(step.key) + " is not an agent step");
    PhaseRequest request;
    request.round = round;
    request.phase = *step.phase;
    request.output = resolve_reference(step.output, round, paths, competition).at(0);
    for (const auto& ref : step.inputs)
        for (const auto& file : resolve_reference(ref, round, paths, competition))
            if (non_empty_file(file)) request.inputs.push_back(file);
    const std::string tag = round_tag(round);
    const fs::path retro = round_file(paths, round, "retro.md");
    std::string trigger(step.trigger);
    trigger = replace_all(trigger, "{from_retro}",
                          non_empty_file(retro) ? " starting from the retrospective " + retro.filename().string() : "");
    trigger = replace_all(trigger, "{why}", context.revise_reason);
    request.trigger = replace_all(trigger, "{R}", tag);
    if (context.last_round) request.trigger += " The campaign stops after " + round_tag(*context.last_round) + ".";
    return request;
}

std::string phase_table_markdown() {
    std::ostringstream md;
    md << "| step | who | when | output | the trigger points to | trigger | valid reply |\n"
       << "|---|---|---|---|---|---|---|\n";
    for (const auto& s : round_steps()) {
        std::vector<std::string_view> outputs{s.output};
        outputs.insert(outputs.end(), s.also.begin(), s.also.end());
        md << "| " << s.key << " | " << s.who << " | " << when_text(s) << " | " << joined(outputs) << " | "
           << (s.phase ? joined(s.inputs) : std::string("-")) << " | "
           << (s.trigger.empty() ? std::string("-") : "`" + std::string(s.trigger) + "`") << " | "
           << (s.reply == "-" ? std::string("-") : "`" + std::string(s.reply) + "`") << " |\n";
    }
    return md.str();
}

}  // namespace autokaggle
