// Small typed readers for the orchestrator's JSON records: every mismatch is an Error naming
// the source file and the field.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace autokaggle::json_util {

/// Reads fields of one object; `where` names it ("state.json: current").
class Fields {
public:
    Fields(const boost::json::value& value, std::string where);
    const boost::json::object& object() const { return obj_; }
    const std::string& where() const { return where_; }

    std::string str(std::string_view key, std::string fallback = {}) const;
    long long integer(std::string_view key, long long fallback = 0) const;
    double number(std::string_view key, double fallback = 0) const;
    std::optional<double> opt_number(std::string_view key) const;
    bool boolean(std::string_view key, bool fallback = false) const;
    const boost::json::value* find(std::string_view key) const;  ///< nullptr when absent or null
    /// An object/array member, or an empty one when absent; Error when of another type.
    Fields child(std::string_view key) const;
    const boost::json::array& array(std::string_view key) const;

private:
    [[noreturn]] void wrong(std::string_view key, std::string_view expected) const;
    const boost::json::object& obj_;
    std::string where_;
};

boost::json::value opt(const std::optional<double>& v);

/// `v` rounded to 15 significant digits. Every score the orchestrator records is kept in this
/// form and numbers read back from its JSON files are normalised to it, so a value survives a
/// write/read cycle bit for bit (the JSON parser may be one unit in the last place off) and a
/// resumed campaign computes exactly what an uninterrupted one does.
double canonical(double v);

/// Pretty-printed JSON with two-space indentation and a final newline (stable for diffs); strict
/// JSON whatever the value holds (see strict_json in base/text.hpp).
std::string pretty(const boost::json::value& value);

}  // namespace autokaggle::json_util
