// Reading a tool call's arguments the way models send them: strings, integers that may come
// quoted, booleans that may come as "true". A wrong or missing argument is a ToolError, which
// goes back to the model as an error result it can act on.
#pragma once

#include <autokaggle/sdk/errors.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace autokaggle::tools {

/// The model's mistake (bad argument, refused path, missing file): reported back to it.
struct ToolError : Error {
    using Error::Error;
};

std::string text_arg(const boost::json::object& args, const char* key, bool required, std::string fallback = {});
long long int_arg(const boost::json::object& args, const char* key, long long fallback);
double number_arg(const boost::json::object& args, const char* key, double fallback);
bool bool_arg(const boost::json::object& args, const char* key, bool fallback);

/// A JSON Schema object with `properties` and `required` names.
boost::json::object object_schema(boost::json::object properties, boost::json::array required = {});
/// One property: {"type": type, "description": description}.
boost::json::object property(const char* type, const char* description);

/// `text` cut to `limit` bytes, keeping the head and the tail, with a note saying what was
/// left out and `hint` (what to do to see it).
std::string cap_middle(std::string text, std::size_t limit, const std::string& hint);

}  // namespace autokaggle::tools
