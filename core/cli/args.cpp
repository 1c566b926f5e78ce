#include "cli/args.hpp"

#include <algorithm>

namespace autokaggle::cli {

Args::Args(std::span<const std::string> argv, std::vector<std::string> value_options,
           std::vector<std::string> flags, std::map<std::string, std::string> aliases) {
    flags.push_back("--help");
    aliases.emplace("-h", "--help");
    auto known = [](const std::vector<std::string>& list, const std::string& name) {
        return std::find(list.begin(), list.end(), name) != list.end();
    };
    for (std::size_t i = 0; i < argv.size(); ++i) {
        std::string arg = argv[i];
        if (arg == "--") {
            positionals_.insert(positionals_.end(), argv.begin() + static_cast<long>(i) + 1, argv.end());
            break;
        }
        if (arg.size() < 2 || arg[0] != '-') {
            positionals_.push_back(arg);
            continue;
        }
        std::optional<std::string> inline_value;
        if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
            inline_value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
        }
        if (auto alias = aliases.find(arg); alias != aliases.end()) arg = alias->second;
        if (known(flags, arg)) {
            if (inline_value) throw UsageError("option " + arg + " takes no value");
            flags_[arg] = true;
        } else if (known(value_options, arg)) {
            if (inline_value) {
                values_[arg] = *inline_value;
            } else if (i + 1 < argv.size()) {
                values_[arg] = argv[++i];
            } else {
                throw UsageError("option " + arg + " needs a value");
            }
        } else {
            throw UsageError("unknown option " + arg);
        }
    }
}

std::optional<std::string> Args::value(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

std::string Args::value_or(const std::string& name, std::string fallback) const {
    auto v = value(name);
    return v ? *v : std::move(fallback);
}

std::optional<long> Args::integer(const std::string& name) const {
    auto v = value(name);
    if (!v) return std::nullopt;
    try {
        std::size_t used = 0;
        long n = std::stol(*v, &used);
        if (used != v->size()) throw std::invalid_argument(*v);
        return n;
    } catch (const std::exception&) {
        throw UsageError("option " + name + " expects a whole number, got '" + *v + "'");
    }
}

void Args::max_positionals(std::size_t max) const {
    if (positionals_.size() > max)
        throw UsageError("unexpected argument '" + positionals_[max] + "'");
}

}  // namespace autokaggle::cli
