// An Agent that answers each phase with one headless call of a coding-agent CLI (Claude Code,
// Codex) started in the workspace, resuming the role's CLI session from call to call.
//
// The shared part lives here: the phase prompt, the role's system prompt, the process with its
// timeout and cancellation, session persistence (agents/<role>/session.json), usage reporting and
// the one-line token. A subclass says how to build the command line and how to read the output.
#pragma once

#include "subprocess.hpp"

#include <autokaggle/sdk/agent.hpp>
#include <autokaggle/sdk/plugin.hpp>

#include <boost/json/object.hpp>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace autokaggle::cli_agent {

/// One call of the CLI, as the subclass needs it to build the command line.
struct CliCall {
    std::string prompt;         ///< the phase prompt (trigger, paths, problem, summary)
    std::string system_prompt;  ///< the role's rendered prompts/<role>.md
    std::string resume_id;      ///< empty: start a new session
    std::filesystem::path output;  ///< the file the phase must write (absolute; may be empty)
};

/// What the subclass read from the CLI's output.
struct CliReply {
    std::string text;                 ///< the final message
    std::string session_id;           ///< the CLI's session/thread id; empty when it gave none
    std::optional<Usage> usage;       ///< tokens and cost of this call
    std::string error;                ///< non-empty: the call failed, with the CLI's own words
    std::string detail;               ///< extra facts for the log ("12 turns")
    std::vector<std::string> denials; ///< tool calls the CLI's permissions refused ("Write /x/R01_review.md")
    bool session_missing = false;     ///< the CLI does not know the session it was asked to resume
};

/// What both plugins configure the same way.
struct CliSettings {
    std::string plugin_name;          ///< "claude-code"
    std::string tool_name;            ///< "Claude Code"
    std::string install_hint;         ///< "npm install -g @anthropic-ai/claude-code"
    std::filesystem::path executable; ///< resolved absolute path
    std::chrono::milliseconds timeout{0};
    std::string prompts_dir;          ///< option value, may be empty
};

class Options;

/// The settings every CLI agent reads the same way: `executable` (resolved now), `timeout_s`
/// (>= 0, 0 = no limit) and `prompts_dir`; their defaults are in the plugin's options schema.
CliSettings read_cli_settings(const Options& options, std::string plugin_name, std::string tool_name,
                              std::string install_hint);

/// The error for output the plugin could not read: `what`, how the process ended when it failed,
/// and the tails of its stderr and stdout.
std::string unreadable_output_error(std::string what, const CommandResult& result);

/// The string at `key` of a CLI's JSON output, or "" when absent or not a string.
std::string string_field(const boost::json::object& o, std::string_view key);

/// Resolves the configured executable (a path, or a name on PATH) or throws ConfigError saying
/// how to install the tool and which option names the executable.
std::filesystem::path resolve_executable(const std::string& configured, const std::string& option_path,
                                         const std::string& tool_name, const std::string& install_hint);

/// The phase's token: the last non-empty line of `text`, trimmed of blanks and of markdown
/// emphasis or code marks around it. Empty when the text has no non-blank line.
std::string last_line_token(std::string_view text);

class CliAgent : public Agent {
public:
    CliAgent(const PluginContext& context, CliSettings settings);

    std::string run_phase(const PhaseRequest& request) override;
    void respawn(const std::filesystem::path& summary_file) override;
    std::string session_id() const override { return session_id_; }

protected:
    virtual std::vector<std::string> command_line(const CliCall& call) const = 0;
    /// Reads the CLI's output (whatever the exit code: tools print their error reports too).
    /// Fills `error` for every failure the output shows; never throws for bad output.
    virtual CliReply parse_output(const CommandResult& result) const = 0;
    /// The session id one line of output announces while the CLI runs (Claude Code's init event,
    /// Codex's thread.started), or "". It is persisted at once, so a call that times out keeps it.
    virtual std::string session_announced(std::string_view line) const = 0;

    const CliSettings& settings() const { return settings_; }
    HostServices& host() const { return *host_; }
    const std::string& role() const { return role_; }

private:
    /// One call of the CLI: the session it announces and reports is adopted and persisted, usage
    /// is reported. Throws Cancelled when stopped, Error on a timeout.
    CommandResult call_cli(const PhaseRequest& request, CliReply& reply);
    /// The session `lost_id` is gone from the CLI: the next call starts a fresh session seeded
    /// with a summary written from the campaign's records, as a re-spawn does.
    void recover_lost_session(const std::string& lost_id, const std::string& reason);
    std::string phase_prompt(const PhaseRequest& request) const;
    std::string failure_prefix(const PhaseRequest& request) const;
    void adopt_session(const std::string& id);
    /// Forgets the session; the next call starts a new one that reads `summary_file` first.
    void start_fresh(const std::filesystem::path& summary_file);
    void load_session();
    void save_session() const;
    std::filesystem::path session_file() const;

    HostServices* host_;
    std::string role_;
    CliSettings settings_;
    std::string system_prompt_;
    std::filesystem::path workspace_;
    // Persisted in session.json:
    std::string session_id_;
    std::filesystem::path pending_summary_;  ///< set by respawn() until the fresh session exists
    long long calls_ = 0;                   ///< CLI calls over the whole campaign
    long long session_calls_ = 0;           ///< CLI calls in the current session
    double cost_usd_ = 0;                   ///< summed cost reported by the CLI
};

}  // namespace autokaggle::cli_agent
