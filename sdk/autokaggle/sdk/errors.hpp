// Errors a plugin throws. The host catches everything at the boundary and re-throws a
// HostError that names the plugin; plugins should still say what failed and how to fix it.
#pragma once

#include <autokaggle/sdk/abi.hpp>

#include <stdexcept>
#include <string>

namespace autokaggle {

/// Base of every AutoKaggle error.
class AUTOKAGGLE_SDK_VISIBLE Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Bad user input (config.json, an option, a file the user supplied): exit code 2.
class AUTOKAGGLE_SDK_VISIBLE ConfigError : public Error {
public:
    using Error::Error;
};

/// Invalid data handed to a metric (length mismatch, NaN, one class for AUC...).
class AUTOKAGGLE_SDK_VISIBLE MetricError : public Error {
public:
    using Error::Error;
};

/// A remote service (LLM provider, Kaggle) answered with an error after retries.
class AUTOKAGGLE_SDK_VISIBLE ServiceError : public Error {
public:
    ServiceError(std::string message, int status = 0, std::string type = {}, std::string request_id = {})
        : Error(std::move(message)), status_(status), type_(std::move(type)), request_id_(std::move(request_id)) {}
    int status() const noexcept { return status_; }                       ///< HTTP status, 0 if none
    const std::string& type() const noexcept { return type_; }             ///< provider's error type
    const std::string& request_id() const noexcept { return request_id_; } ///< for support tickets

private:
    int status_;
    std::string type_;
    std::string request_id_;
};

/// The campaign was asked to stop (SIGINT/SIGTERM, budget): unwind without recording a failure.
class AUTOKAGGLE_SDK_VISIBLE Cancelled : public Error {
public:
    using Error::Error;
};

}  // namespace autokaggle
