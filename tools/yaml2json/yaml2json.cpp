// yaml2json IN.yaml OUT.json — converts a YAML document to JSON at build time, so the server can
// serve api/openapi.yaml as JSON without a YAML parser at run time.
//
// Plain scalars are typed by the YAML 1.2 core schema (null, booleans, integers, floats, else
// strings); quoted and block scalars are always strings. Aliases are expanded. A document that
// does not parse, or that is not a mapping at the top, fails the build with the parser's message.

#include <yaml-cpp/yaml.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <regex>
#include <string>

namespace {

std::optional<std::int64_t> ParseInteger(const std::string& text) {
  static const std::regex kDecimal("[-+]?[0-9]+");
  static const std::regex kOctal("0o[0-7]+");
  static const std::regex kHex("0x[0-9a-fA-F]+");
  std::int64_t value = 0;
  auto parse = [&value](std::string_view digits, int base) -> std::optional<std::int64_t> {
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
    if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    return value;
  };
  if (std::regex_match(text, kDecimal)) {
    std::string_view digits = text;
    if (digits.front() == '+') digits.remove_prefix(1);
    return parse(digits, 10);
  }
  if (std::regex_match(text, kOctal)) return parse(std::string_view(text).substr(2), 8);
  if (std::regex_match(text, kHex)) return parse(std::string_view(text).substr(2), 16);
  return std::nullopt;
}

std::optional<double> ParseFloat(const std::string& text) {
  static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (std::regex_match(text, kFloat)) return std::strtod(text.c_str(), nullptr);
  if (text == ".inf" || text == ".Inf" || text == ".INF" || text == "+.inf") {
    return std::numeric_limits<double>::infinity();
  }
  if (text == "-.inf" || text == "-.Inf" || text == "-.INF") {
    return -std::numeric_limits<double>::infinity();
  }
  return std::nullopt;
}

boost::json::value PlainScalar(const std::string& text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return nullptr;
  }
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (auto integer = ParseInteger(text)) return *integer;
  if (auto number = ParseFloat(text); number && std::isfinite(*number)) return *number;
  return boost::json::string(text);
}

boost::json::value ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar:
      // yaml-cpp tags plain scalars "?" and quoted or block scalars "!".
      if (node.Tag() == "!") return boost::json::string(node.Scalar());
      return PlainScalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      boost::json::array array;
      for (const auto& item : node) array.push_back(ToJson(item));
      return array;
    }
    case YAML::NodeType::Map: {
      boost::json::object object;
      for (const auto& entry : node) {
        auto key = entry.first.as<std::string>();
        if (object.contains(key)) throw std::runtime_error("duplicate key \"" + key + "\"");
        object[key] = ToJson(entry.second);
      }
      return object;
    }
  }
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: yaml2json IN.yaml OUT.json\n";
    return 2;
  }
  try {
    YAML::Node document = YAML::LoadFile(argv[1]);
    if (!document.IsMap()) throw std::runtime_error("the document is not a mapping");
    std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
    out << boost::json::serialize(ToJson(document)) << '\n';
    if (!out) throw std::runtime_error(std::string("cannot write ") + argv[2]);
  } catch (const std::exception& e) {
    std::cerr << argv[1] << ": " << e.what() << '\n';
    return 1;
  }
  return 0;
}
