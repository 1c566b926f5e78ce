// Pretty-printed JSON for files people edit (config.json) and small records (seen-lists).
#pragma once

#include <boost/json/value.hpp>

#include <string>

namespace autokaggle::kaggle {

/// Two-space indentation, keys in their stored order, a final newline.
std::string pretty_json(const boost::json::value& value);

}  // namespace autokaggle::kaggle
