// Tiny implementations of every plugin interface, shared by the fixture plugins. The agent
// turns special triggers into exceptions so that tests can check what the host's guard does.
#pragma once

#include <autokaggle/sdk/errors.hpp>
#include <autokaggle/sdk/plugin.hpp>

#include <boost/json/serialize.hpp>

#include <memory>
#include <stdexcept>
#include <string>

namespace fixture {

using namespace autokaggle;

class EchoAgent final : public Agent {
public:
    explicit EchoAgent(const PluginContext& ctx) : role_(ctx.instance), options_(boost::json::serialize(ctx.options)) {}
    std::string run_phase(const PhaseRequest& r) override {
        if (r.trigger == "throw-cancelled") throw Cancelled("stop requested");
        if (r.trigger == "throw-config") throw ConfigError("option llm names no configuration");
        if (r.trigger == "throw-service") throw ServiceError("rate limited", 429, "rate_limit_error", "req-123");
        if (r.trigger == "throw-metric") throw MetricError("length mismatch");
        if (r.trigger == "throw-runtime") throw std::runtime_error("disk full");
        if (r.trigger == "throw-int") throw 42;
        if (r.trigger == "options") return options_;
        return "DONE " + role_;
    }
    void respawn(const std::filesystem::path&) override { throw std::logic_error("respawn failed"); }
    std::string session_id() const override { return "session-" + role_; }

private:
    std::string role_, options_;
};

class FixedLlm final : public LlmProvider {
public:
    ChatResponse chat(const ChatRequest&) override {
        ChatResponse r;
        r.message.role = Role::assistant;
        r.message.text = "hello";
        r.model = "fixture-model";
        return r;
    }
    std::string model() const override { return "fixture-model"; }
    long long context_window() const override { return 1000; }
};

class CountMetric final : public Metric {
public:
    explicit CountMetric(std::string name) : name_(std::move(name)) {}
    std::string name() const override { return name_; }
    Direction direction() const override { return Direction::lower; }
    PredictionKind prediction_kind() const override { return PredictionKind::value; }
    double score(const MetricInput& in) const override {
        if (in.truth.size() != in.pred.size()) throw MetricError("truth has " + std::to_string(in.truth.size()) +
                                                                 " rows, pred " + std::to_string(in.pred.size()));
        return static_cast<double>(in.truth.size());
    }

private:
    std::string name_;
};

class NullSubmitter final : public Submitter {
public:
    SubmissionInfo submit(const SubmissionRequest& r) override {
        SubmissionInfo i;
        i.ref = std::to_string(next_ref_++);
        i.description = r.description;
        return i;
    }
    SubmissionInfo status(const std::string& ref) override {
        std::string message = "no submission ";
        message += ref;  // (not literal + string: GCC 12 warns spuriously about that at -O2)
        throw ServiceError(message, 404, "not_found", "");
    }
    std::vector<SubmissionInfo> recent(int) override { return {}; }
    std::optional<Quota> quota() override { return Quota{0, 5}; }

private:
    int next_ref_ = 1;
};

class NullScraper final : public Scraper {
public:
    ScrapeResult scrape(const ScrapeRequest&) override { return {0, "nothing new"}; }
};

class DoneHandle final : public RunHandle {
public:
    RunPoll poll(double) override {
        RunPoll p;
        p.status = RunStatus::ok;
        p.exit_code = 0;
        return p;
    }
    void cancel(std::string_view) override { throw std::runtime_error("already finished"); }
    boost::json::object record() const override { return {{"pid", 1}}; }
};

class InstantRunner final : public Runner {
public:
    std::unique_ptr<RunHandle> start(const RunSpec&) override { return std::make_unique<DoneHandle>(); }
    std::unique_ptr<RunHandle> attach(const RunSpec&, const boost::json::object&) override { return nullptr; }
};

}  // namespace fixture
