// The pieces of a Kaggle kernel run that are pure text: the kernel's slug and title, the
// Python launcher that carries the round's script to Kaggle, the log Kaggle hands back, and
// what Kaggle's failure messages mean. No I/O here, so all of it is unit-testable.
#pragma once

#include <autokaggle/sdk/runner.hpp>

#include <map>
#include <string>
#include <string_view>

namespace autokaggle::kaggle_kernels {

/// Kaggle's slug of a title: lower case, runs of anything but [a-z0-9] become one '-', no
/// '-' at either end.
std::string slugify(std::string_view title);

/// The kernel's title: "<prefix> <label>" where an empty prefix means "autokaggle <competition>";
/// cut to Kaggle's 50 characters so that slugify(title) is the slug the runner asks for.
std::string kernel_title(std::string_view prefix, std::string_view competition, std::string_view label);

/// Where the kernel sees things. The launcher falls back to input_root/competitions/<slug>,
/// the layout newer kernels use.
inline constexpr std::string_view kKaggleInputRoot = "/kaggle/input";
inline constexpr std::string_view kKaggleWorking = "/kaggle/working";

/// A host path of the run translated for the kernel: spec.data_dir (and anything under it)
/// becomes the competition's input folder, anything under spec.work_dir the kernel's working
/// folder, one of spec.inputs the copy the launcher unpacks; other values stay as they are.
/// Placeholders are filled in by the launcher.
std::string kernel_value(const RunSpec& spec, std::string_view value);

/// A self-contained Python script: it writes the embedded experiment script and `inputs` (file
/// name -> bytes: the files of spec.inputs) to a temporary folder, runs the script with the contract's
/// arguments and environment pointing at the kernel's input and working folders and at those
/// files, and exits with its exit code. The input and working roots can be moved with
/// AUTOKAGGLE_KAGGLE_INPUT / AUTOKAGGLE_KAGGLE_WORKING (to try the launcher off Kaggle).
std::string launcher_source(const RunSpec& spec, std::string_view script_text, std::string_view competition,
                            const std::map<std::string, std::string>& inputs = {});

/// The text of a kernel's log: Kaggle sends a JSON array of {"stream_name","time","data"}
/// entries; their data joined in order. Anything else is returned as it is.
std::string log_text(std::string_view kaggle_log);

/// The outcome a failed session's message describes: oom for memory limits, timeout for
/// Kaggle's session time limit, crash otherwise.
RunStatus classify_failure(std::string_view failure_message);

/// Whether a SaveKernel refusal is one of Kaggle's accelerator limits (weekly GPU/TPU quota,
/// too many concurrent sessions); `what` receives a short name of the limit.
bool is_accelerator_limit(std::string_view error, std::string* what = nullptr);

/// An output file name Kaggle lists that can be placed under the round's folder: relative,
/// no "..", no empty segments.
bool safe_output_name(std::string_view name);

}  // namespace autokaggle::kaggle_kernels
