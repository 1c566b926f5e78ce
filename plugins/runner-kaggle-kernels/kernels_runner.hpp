// The "kaggle-kernels" runner: each experiment is pushed as a private Kaggle script kernel
// (SaveKernel) with the competition attached as a data source, followed with
// GetKernelSessionStatus (with backoff), and on its end its output files and log are fetched
// (ListKernelSessionOutput) into the round's folder. Kaggle hands the log over only at the end,
// so fold lines arrive all at once. See docs/runner-kaggle-kernels.md.
#pragma once

#include <autokaggle/support/kaggle_client.hpp>

#include <autokaggle/sdk/host.hpp>
#include <autokaggle/sdk/runner.hpp>

#include <boost/json/object.hpp>

#include <memory>
#include <string>

namespace autokaggle::kaggle_kernels {

inline constexpr const char* kOptionsSchema = R"json({
  "api_base":           {"type": "string",  "default": "", "doc": "Kaggle API base (empty: https://api.kaggle.com); KAGGLE_API_BASE_URL overrides it"},
  "username":           {"type": "string",  "default": "", "doc": "the Kaggle user that owns the kernels (empty: config.json kaggle_username, else the credentials' user)"},
  "kernel_slug_prefix": {"type": "string",  "default": "", "doc": "kernel titles are '<prefix> R03 experiment' (empty: 'autokaggle <competition>')"},
  "enable_gpu":         {"type": "boolean", "default": true, "doc": "run on an accelerator (needs a phone-verified Kaggle account)"},
  "machine_shape":      {"type": "string",  "default": "NvidiaTeslaT4", "doc": "the accelerator: NvidiaTeslaT4, NvidiaTeslaP100, NvidiaL4, TpuV38, ... (sent when enable_gpu is true)"},
  "enable_internet":    {"type": "boolean", "default": false, "doc": "internet access inside the kernel (many competitions forbid it)"},
  "competition":        {"type": "string",  "default": "", "doc": "competition attached as data source (empty: config.json competition)"},
  "poll_interval_s":    {"type": "number",  "default": 15, "doc": "first wait between session status calls; it doubles while nothing changes"},
  "max_poll_interval_s": {"type": "number", "default": 120, "doc": "the longest wait between status calls"},
  "timeout_s":          {"type": "number",  "default": 0, "doc": "stop following a session after this many seconds (0: Kaggle's own session limit)"},
  "api_grace_s":        {"type": "number",  "default": 600, "doc": "how long the Kaggle API may fail before the run is given up"}
})json";

struct Options {
    std::string api_base;          ///< resolved (env KAGGLE_API_BASE_URL first)
    std::string username;          ///< may be empty until credentials are known
    std::string kernel_slug_prefix;
    bool enable_gpu = true;
    std::string machine_shape = "NvidiaTeslaT4";
    bool enable_internet = false;
    std::string competition;
    double poll_interval_s = 15;
    double max_poll_interval_s = 120;
    double timeout_s = 0;
    double api_grace_s = 600;

    /// From the validated plugin options; `host` (may be null) supplies the competition and
    /// config.json kaggle_username. Throws ConfigError naming runner.options.<key>.
    static Options from_json(const boost::json::object& options, const HostServices* host);
};

/// The kernel a run lives in.
struct KernelRef {
    std::string username;
    std::string slug;   ///< without the user
    std::string title;
    int version = 0;    ///< SaveKernel's versionNumber (0: not told)
    std::string ref() const { return username + "/" + slug; }
};

class KernelsRunner final : public Runner {
public:
    /// Credentials come from the environment (see docs/kaggle.md); throws ConfigError when none.
    KernelsRunner(Options options, HostServices* host = nullptr);
    /// With a ready client (tests).
    KernelsRunner(Options options, kaggle::Client client, HostServices* host = nullptr);

    /// Pushes the kernel (one SaveKernel call). A refusal throws autokaggle::ServiceError whose
    /// type says which limit was hit ("accelerator_quota", "rules_not_accepted", ...).
    std::unique_ptr<RunHandle> start(const RunSpec& spec) override;
    /// Follows the recorded kernel without pushing it again; nullptr when Kaggle no longer knows it.
    std::unique_ptr<RunHandle> attach(const RunSpec& spec, const boost::json::object& record) override;

    const Options& options() const noexcept { return options_; }
    /// The SaveKernel body of a run (what start() sends).
    boost::json::object save_request(const RunSpec& spec, const KernelRef& kernel) const;
    KernelRef kernel_for(const RunSpec& spec) const;

private:
    void log(LogLevel level, const std::string& message) const;

    Options options_;
    std::shared_ptr<const kaggle::Client> client_;
    HostServices* host_;
};

}  // namespace autokaggle::kaggle_kernels
