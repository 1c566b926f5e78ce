// Reading a plugin's options. A plugin states each option's default once, in its options schema.
// The host fills those defaults in before the factory runs; a plugin fills them again with
// with_schema_defaults before reading, so that an object made directly (tests, tools) sees the
// same values, and then reads each option without a fallback of its own.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace autokaggle {

/// `options` with every option the schema gives a default for, and that `options` leaves out or
/// sets to null, set to that default. Throws std::logic_error when the schema is not a JSON
/// object of option -> {type, default, doc}: that is the plugin's bug, not the user's.
boost::json::object with_schema_defaults(std::string_view options_schema, boost::json::object options);

/// The option `key` of options filled by with_schema_defaults. Throws std::logic_error naming the
/// key when it is not there: the schema lacks that option or its default.
const boost::json::value& option_value(const boost::json::object& options, std::string_view key);

/// Typed reads of option_value. A value of another type throws ConfigError
/// "<section>.<key> must be a number, got <value>"; `section` is "runner.options" and the like.
double number_option(const boost::json::object& options, std::string_view section, std::string_view key);
std::string string_option(const boost::json::object& options, std::string_view section, std::string_view key);
bool bool_option(const boost::json::object& options, std::string_view section, std::string_view key);
std::vector<std::string> strings_option(const boost::json::object& options, std::string_view section,
                                        std::string_view key);

}  // namespace autokaggle
