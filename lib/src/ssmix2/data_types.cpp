// The data-type table of SS-MIX2 standardized storage and the layer's diagnostic codes.
#include <algorithm>

#include "smx/ssmix2.hpp"

namespace smx::ssmix2 {

// Reference §4 (guideline 1.2g p11 as reproduced in NHO-SPEC §1.1): 26 folders; cancel events
// share the folder of the event they cancel. Care-date sources from reference §2 (DTT
// SSMIX_CAREDATE.json); "" = stored in the "-" folder (no care date).
// ADT-32: §2 gives A53 a PV2-47 care date while §4 files A53 (cancel return from leave) under
// ADT-32; the folder-level source stays EVN-6 (the A22 rule) and the validator can refine A53.
const std::vector<DataType>& data_types() {
  static const std::vector<DataType> table = {
      {"ADT-00", "患者基本情報の更新／削除", {"ADT^A08", "ADT^A23"}, ""},
      {"ADT-01", "担当医の変更／取消", {"ADT^A54", "ADT^A55"}, ""},
      {"ADT-12", "外来診察の受付", {"ADT^A04"}, "PV1-44"},
      {"ADT-21", "入院予定／取消", {"ADT^A14", "ADT^A27"}, "PV2-8"},
      {"ADT-22", "入院実施／取消", {"ADT^A01", "ADT^A11"}, "PV1-44"},
      {"ADT-31", "外出泊実施／取消", {"ADT^A21", "ADT^A52"}, "EVN-6"},
      {"ADT-32", "外出泊帰院実施／取消", {"ADT^A22", "ADT^A53"}, "EVN-6"},
      {"ADT-41", "転科・転棟（転室・転床）予定／取消", {"ADT^A15", "ADT^A26"}, "PV2-8"},
      {"ADT-42", "転科・転棟（転室・転床）実施／取消", {"ADT^A02", "ADT^A12"}, "EVN-6"},
      {"ADT-51", "退院予定／取消", {"ADT^A16", "ADT^A25"}, "PV2-9"},
      {"ADT-52", "退院実施／取消", {"ADT^A03", "ADT^A13"}, "PV1-45"},
      {"ADT-61", "アレルギー情報の登録／更新", {"ADT^A60"}, ""},
      {"PPR-01", "病名（歴）情報の登録／更新", {"PPR^ZD1"}, ""},
      {"OMD", "食事オーダ", {"OMD^O03"}, "ORC-9"},
      {"OMP-01", "処方オーダ", {"RDE^O11"}, "ORC-9"},
      {"OMP-11", "処方実施通知", {"RAS^O17"}, "RXA-3"},
      {"OMP-02", "注射オーダ", {"RDE^O11"}, "ORC-9"},
      {"OMP-12", "注射実施通知", {"RAS^O17"}, "RXA-3"},
      {"OML-01", "検体検査オーダ", {"OML^O33"}, "ORC-9"},
      {"OML-11", "検体検査結果通知", {"OUL^R22"}, "SPM-17"},
      {"OMG-01", "放射線検査オーダ", {"OMG^O19"}, "ORC-9"},
      {"OMG-11", "放射線検査の実施通知", {"OMI^Z23"}, "OBR-7"},
      {"OMG-02", "内視鏡検査オーダ", {"OMG^O19"}, "ORC-9"},
      {"OMG-12", "内視鏡検査の実施通知", {"OMI^Z23"}, "OBR-7"},
      {"OMG-03", "生理検査オーダ", {"OMG^O19"}, "ORC-9"},
      {"OMG-13", "生理検査結果通知", {"ORU^R01"}, "OBR-7"},
  };
  return table;
}

const DataType* find_data_type(std::string_view folder) {
  const auto& table = data_types();
  auto it = std::find_if(table.begin(), table.end(),
                         [&](const DataType& t) { return t.folder == folder; });
  return it == table.end() ? nullptr : &*it;
}

const std::vector<DiagnosticCode>& diagnostic_codes() {
  using enum Severity;
  static const std::vector<DiagnosticCode> codes = {
      {"SSMX-NAME-FIELDS", error, "fewer than 7 '_'-separated fields; the name is not parsed"},
      {"SSMX-NAME-EXTRA-FIELDS", warning, "more than 7 fields; '_' taken as part of the patient ID or order number"},
      {"SSMX-NAME-NO-DEPT", warning, "extended-storage content folder with 6 fields; department code missing"},
      {"SSMX-NAME-SPACE", warning, "whitespace inside the name"},
      {"SSMX-NAME-EXTENSION", warning, "file extension after the condition flag"},
      {"SSMX-NAME-DATE", warning, "care date neither a valid YYYYMMDD nor '-'"},
      {"SSMX-NAME-DATE-TYPE", warning, "'-' care date for a dated data type, or a date for an undated one"},
      {"SSMX-NAME-TYPE-UNKNOWN", warning, "data type not in the SS-MIX2 data-type table"},
      {"SSMX-NAME-ORDER-WIDTH", warning, "order number not 15 characters"},
      {"SSMX-NAME-ORDER", warning, "order number holds characters other than digits"},
      {"SSMX-NAME-KEY-WIDTH", warning, "extended-storage specific key longer than 22 characters"},
      {"SSMX-NAME-TIMESTAMP-WIDTH", warning, "timestamp of digits but not 17 (YYYYMMDDHHMMSSFFF)"},
      {"SSMX-NAME-TIMESTAMP", warning, "timestamp not digits, or an impossible date or time"},
      {"SSMX-NAME-DEPT", warning, "department code neither '-' nor 1 to 3 letters or digits"},
      {"SSMX-NAME-FLAG", warning, "condition flag not 0, 1 or 2"},
      {"SSMX-PATIENT-SHORT", warning, "patient ID shorter than 6 characters"},
      {"SSMX-PATIENT-LONG", warning, "patient ID longer than 15 characters"},
      {"SSMX-PATH-DEPTH", error, "file not at pid[0:3]/pid[3:6]/pid/date/type/file"},
      {"SSMX-PATH-PATIENT", error, "patient folder differs from the file name or from its prefix folders"},
      {"SSMX-PATH-DATE", error, "date folder differs from the care date of the file name"},
      {"SSMX-PATH-TYPE", error, "data-type folder differs from the data type of the file name"},
      {"SSMX-WALK-UNREADABLE", error, "a directory or root could not be read; the walk goes on"},
      {"SSMX-WALK-VANISHED", warning, "an entry disappeared during the walk"},
      {"SSMX-WALK-LOOP", warning, "symbolic link to a directory that contains it; not followed"},
      {"SSMX-WALK-OUTSIDE", warning, "symbolic link leaving the root; not followed"},
      {"SSMX-WALK-DANGLING", warning, "symbolic link to nothing"},
      {"SSMX-WALK-SYMLINK", note, "symbolic link inside the root not followed (following is off)"},
      {"SSMX-WALK-SPECIAL", note, "not a regular file or directory; skipped"},
  };
  return codes;
}

}  // namespace smx::ssmix2
