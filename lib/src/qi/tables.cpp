// smx qi's tables: the drug-class table and the indicator files (yaml-cpp, every problem reported
// as "FILE:LINE:COL: [QI-...]"), and the site's drug master (CSV; SHA-256 with libcrypto).
#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "smx/error.hpp"
#include "smx/qi.hpp"

namespace smx::qi {
namespace {

constexpr std::size_t kMaxTableBytes = 4u << 20;

[[noreturn]] void fail_at(const std::string& file, const YAML::Mark& mark, std::string_view code, const std::string& what) {
  std::string where = file;
  if (!mark.is_null()) where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  throw config_error(where + ": [" + std::string(code) + "] " + what);
}

std::string read_file(const std::string& path, std::string_view code) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw config_error(path + ": [" + std::string(code) + "] cannot read the file");
  std::ostringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  if (text.size() > kMaxTableBytes) throw config_error(path + ": [" + std::string(code) + "] larger than 4 MiB");
  return text;
}

YAML::Node parse(const std::string& path, std::string_view code) {
  const std::string text = read_file(path, code);
  // Aliases would let a small file expand into a huge one (the "billion laughs"): refused, as in
  // the other tables (smx-tables(5)).
  try {
    YAML::Node root = YAML::Load(text);
    if (!root.IsMap()) fail_at(path, root.Mark(), code, "the document must be a mapping");
    return root;
  } catch (const YAML::Exception& e) {
    fail_at(path, e.mark, code, e.msg);
  }
}

std::string scalar(const std::string& path, const YAML::Node& node, std::string_view code, std::string_view what) {
  if (!node.IsScalar()) fail_at(path, node.Mark(), code, std::string(what) + " must be a scalar");
  return node.as<std::string>();
}

void check_keys(const std::string& path, const YAML::Node& node, std::string_view code,
                const std::set<std::string, std::less<>>& allowed) {
  if (!node.IsMap()) fail_at(path, node.Mark(), code, "expected a mapping");
  for (const auto& entry : node) {
    // A key may itself be a sequence or mapping in YAML ("? [a, b]: c"); as<std::string>() would
    // then throw YAML's own exception, without the file's name (found by fuzz_qi_inputs).
    const std::string key = scalar(path, entry.first, code, "a key");
    if (!allowed.contains(key)) fail_at(path, entry.first.Mark(), code, "unknown key '" + key + "'");
  }
}


double number(const std::string& path, const YAML::Node& node, std::string_view code, std::string_view what) {
  const std::string text = scalar(path, node, code, what);
  try {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  fail_at(path, node.Mark(), code, std::string(what) + " must be a number, not '" + text + "'");
}

std::vector<std::string> prefixes(const std::string& path, const YAML::Node& list, std::string_view code) {
  if (!list.IsSequence()) fail_at(path, list.Mark(), code, "expected a list");
  std::vector<std::string> out;
  for (const YAML::Node& item : list) {
    if (item.IsMap()) {
      check_keys(path, item, code, {"prefix", "source"});
      if (!item["prefix"] || !item["source"]) fail_at(path, item.Mark(), code, "a prefix row needs prefix and source");
      out.push_back(scalar(path, item["prefix"], code, "prefix"));
    } else {
      out.push_back(scalar(path, item, code, "a prefix"));
    }
  }
  return out;
}

Selector selector(const std::string& path, const YAML::Node& node, const ClassTable& classes) {
  static constexpr std::string_view code = "QI-YAML";
  check_keys(path, node, code, {"kind", "action", "class", "setting", "data_type", "code_prefixes", "unit"});
  Selector s;
  s.given = true;
  if (node["kind"]) {
    s.kind = scalar(path, node["kind"], code, "kind");
    if (s.kind != "drug" && s.kind != "lab") fail_at(path, node["kind"].Mark(), code, "kind must be drug or lab");
  }
  if (node["action"]) {
    s.action = scalar(path, node["action"], code, "action");
    if (s.action != "prescription" && s.action != "injection" && s.action != "administration")
      fail_at(path, node["action"].Mark(), code, "action must be prescription, injection or administration");
  }
  if (node["class"]) {
    s.drug_class = scalar(path, node["class"], code, "class");
    if (!classes.find(s.drug_class)) fail_at(path, node["class"].Mark(), code, "unknown drug class '" + s.drug_class + "'");
  }
  if (node["setting"]) {
    s.setting = scalar(path, node["setting"], code, "setting");
    if (s.setting != "outpatient" && s.setting != "inpatient")
      fail_at(path, node["setting"].Mark(), code, "setting must be outpatient or inpatient");
  }
  if (node["data_type"]) s.data_type = scalar(path, node["data_type"], code, "data_type");
  if (node["code_prefixes"]) s.code_prefixes = prefixes(path, node["code_prefixes"], code);
  if (node["unit"]) s.unit = scalar(path, node["unit"], code, "unit");
  return s;
}

MeasureSpec measure(const std::string& path, const YAML::Node& node, const ClassTable& classes) {
  static constexpr std::string_view code = "QI-YAML";
  check_keys(path, node, code,
             {"measure", "events", "having", "preceded_by", "anchor", "window_days", "supply_days_at_least", "test",
              "last_below", "tests_at_least", "apart_days"});
  if (!node["measure"]) fail_at(path, node.Mark(), code, "no measure");
  MeasureSpec m;
  const std::string name = scalar(path, node["measure"], code, "measure");
  static const std::pair<std::string_view, Measure> names[] = {
      {"patient-days", Measure::patient_days}, {"agent-days", Measure::agent_days}, {"days", Measure::days},
      {"ddd", Measure::ddd},                   {"stays", Measure::stays},           {"patients", Measure::patients}};
  bool known = false;
  for (const auto& [text, value] : names)
    if (name == text) m.measure = value, known = true;
  if (!known) fail_at(path, node["measure"].Mark(), code, "unknown measure '" + name + "'");
  auto need = [&](const char* key) {
    if (!node[key]) fail_at(path, node.Mark(), code, "measure " + name + " needs " + key);
  };
  if (m.measure == Measure::agent_days || m.measure == Measure::days || m.measure == Measure::ddd) need("events");
  if (m.measure == Measure::stays) need("having");
  if (m.measure == Measure::patients) need("anchor");
  if (node["events"]) m.events = selector(path, node["events"], classes);
  if (node["having"]) m.having = selector(path, node["having"], classes);
  if (node["preceded_by"]) m.preceded_by = selector(path, node["preceded_by"], classes);
  if (node["anchor"]) m.anchor = selector(path, node["anchor"], classes);
  if (node["test"]) m.test = selector(path, node["test"], classes);
  if (node["window_days"]) m.window_days = static_cast<int>(number(path, node["window_days"], code, "window_days"));
  if (node["supply_days_at_least"])
    m.supply_days_at_least = static_cast<int>(number(path, node["supply_days_at_least"], code, "supply_days_at_least"));
  if (node["last_below"]) {
    m.has_last_below = true;
    m.last_below = number(path, node["last_below"], code, "last_below");
  }
  if (node["tests_at_least"]) m.tests_at_least = static_cast<int>(number(path, node["tests_at_least"], code, "tests_at_least"));
  if (node["apart_days"]) m.apart_days = static_cast<int>(number(path, node["apart_days"], code, "apart_days"));
  if ((m.has_last_below || m.tests_at_least > 0) && !m.test.given)
    fail_at(path, node.Mark(), code, "last_below and tests_at_least need a test selector");
  if (m.window_days < 1) fail_at(path, node.Mark(), code, "window_days must be at least 1");
  return m;
}

}  // namespace

const ClassTable::Class* ClassTable::find(std::string_view name) const {
  for (const Class& c : classes)
    if (c.name == name) return &c;
  return nullptr;
}

ClassTable load_class_table(const std::string& path) {
  static constexpr std::string_view code = "QI-CLASSES";
  const YAML::Node root = parse(path, code);
  check_keys(path, root, code, {"version", "classes"});
  if (!root["classes"] || !root["classes"].IsMap()) fail_at(path, root.Mark(), code, "classes must be a mapping");
  ClassTable table;
  for (const auto& entry : root["classes"]) {
    check_keys(path, entry.second, code, {"title", "yj_prefixes", "atc_prefixes", "note"});
    ClassTable::Class c;
    c.name = scalar(path, entry.first, code, "a class name");
    if (entry.second["yj_prefixes"]) c.yj_prefixes = prefixes(path, entry.second["yj_prefixes"], code);
    if (entry.second["atc_prefixes"]) c.atc_prefixes = prefixes(path, entry.second["atc_prefixes"], code);
    if (c.yj_prefixes.empty() && c.atc_prefixes.empty()) fail_at(path, entry.first.Mark(), code, "a class needs prefixes");
    table.classes.push_back(std::move(c));
  }
  return table;
}

std::vector<Indicator> load_indicators(const std::vector<std::string>& paths, const ClassTable& classes) {
  static constexpr std::string_view code = "QI-YAML";
  std::vector<Indicator> out;
  for (const std::string& path : paths) {
    const YAML::Node root = parse(path, code);
    check_keys(path, root, code, {"version", "indicators"});
    if (!root["indicators"] || !root["indicators"].IsSequence())
      fail_at(path, root.Mark(), code, "indicators must be a list");
    for (const YAML::Node& node : root["indicators"]) {
      check_keys(path, node, code, {"id", "title", "source", "per", "numerator", "denominator"});
      for (const char* key : {"id", "title", "source", "numerator", "denominator"})
        if (!node[key]) fail_at(path, node.Mark(), code, std::string("an indicator needs ") + key);
      Indicator ind;
      ind.id = scalar(path, node["id"], code, "id");
      for (const Indicator& other : out)
        if (other.id == ind.id) fail_at(path, node["id"].Mark(), code, "indicator '" + ind.id + "' is defined twice");
      ind.title = scalar(path, node["title"], code, "title");
      ind.source = scalar(path, node["source"], code, "source");
      ind.where = path + ":" + std::to_string(node.Mark().line + 1);
      if (node["per"]) ind.per = number(path, node["per"], code, "per");
      ind.numerator = measure(path, node["numerator"], classes);
      ind.denominator = measure(path, node["denominator"], classes);
      out.push_back(std::move(ind));
    }
  }
  return out;
}

// ---- the drug master ------------------------------------------------------------------------------

const DrugRow* DrugMaster::find(std::string_view code) const {
  auto found = by_code.find(code);
  return found == by_code.end() ? nullptr : &found->second;
}

namespace {

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = line.find(',', start);
    out.push_back(line.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw config_error("[QI-DRUGS-ROW] OpenSSL libcrypto gives no SHA-256");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 15]);
  }
  return out;
}

}  // namespace

DrugMaster load_drug_master(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw config_error(path + ": [QI-DRUGS-ROW] cannot read the drug master");
  std::ostringstream all;
  all << in.rdbuf();
  const std::string bytes = all.str();
  DrugMaster master;
  master.path = path;
  master.sha256 = sha256_hex(bytes);
  std::istringstream lines(bytes);
  std::string line;
  std::size_t number = 0;
  int code_at = -1, yj_at = -1, atc_at = -1, ddd_at = -1, unit_at = -1;
  bool header = false;
  auto fail = [&](const std::string& what) {
    throw config_error(path + ":" + std::to_string(number) + ": [QI-DRUGS-ROW] " + what);
  };
  while (std::getline(lines, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const std::vector<std::string> fields = split_csv(line);
    if (!header) {
      for (std::size_t i = 0; i < fields.size(); ++i) {
        const int at = static_cast<int>(i);
        if (fields[i] == "code") code_at = at;
        if (fields[i] == "yj") yj_at = at;
        if (fields[i] == "atc") atc_at = at;
        if (fields[i] == "ddd") ddd_at = at;
        if (fields[i] == "ddd_unit") unit_at = at;
      }
      if (code_at < 0 || yj_at < 0 || atc_at < 0 || ddd_at < 0 || unit_at < 0)
        fail("the header must name code, yj, atc, ddd and ddd_unit");
      header = true;
      continue;
    }
    auto at = [&](int index) { return static_cast<std::size_t>(index) < fields.size() ? fields[static_cast<std::size_t>(index)] : std::string(); };
    const std::string code = at(code_at);
    if (code.empty()) fail("no code");
    DrugRow row;
    row.yj = at(yj_at);
    row.atc = at(atc_at);
    const std::string ddd = at(ddd_at), unit = at(unit_at);
    if (!ddd.empty()) {
      double value = 0;
      try {
        std::size_t used = 0;
        value = std::stod(ddd, &used);
        if (used != ddd.size() || !(value > 0)) throw std::invalid_argument("ddd");
      } catch (const std::exception&) {
        fail("ddd is not a positive number: '" + ddd + "'");
      }
      if (unit == "g") row.ddd_mg = value * 1000;
      else if (unit == "mg") row.ddd_mg = value;
      else fail("ddd_unit must be g or mg, not '" + unit + "'");
    }
    if (!master.by_code.emplace(code, row).second) fail("the code is listed twice");
    ++master.rows;
  }
  if (!header) throw config_error(path + ":1: [QI-DRUGS-ROW] no header");
  return master;
}

}  // namespace smx::qi
