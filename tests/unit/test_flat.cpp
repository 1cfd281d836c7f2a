// smx flat internals: the PID-11 address line, "latest" ordering, the per-patient merge.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "../../lib/src/out/flat_internal.hpp"

using namespace smx;
using namespace smx::detail;

namespace {

// Synthetic messages only. Segments joined with CR.
hl7::Message message_of(const std::string& pid, const std::string& msh7 = "20260105101500") {
  hl7::Message m;
  std::string reason;
  REQUIRE(m.assign("MSH|^~\\&|APP|H1|GW|RCV|" + msh7 + "||ADT^A08^ADT_A01|1|P|2.5\rPID|1||" + pid + "\r", &reason));
  return m;
}

PostalAddress address_of(const std::string& xad) { return pid_address(message_of("P1||||||||" + xad), 1); }

Record record_of(const std::string& pid, const std::string& msh7, const std::string& timestamp = {}) {
  Record r;
  r.message = message_of(pid, msh7);
  r.src.path = "mem";
  r.src.n = 1;
  if (!timestamp.empty()) {
    ssmix2::FileName name;
    name.timestamp = timestamp;
    r.ssmix2 = name;
  }
  return r;
}

std::vector<std::vector<std::string>> rows_of(const PatientTable& table) {
  std::vector<std::vector<std::string>> rows;
  table.for_each_row([&](const std::vector<std::string>& row) { rows.push_back(row); });
  return rows;
}

}  // namespace

TEST_CASE("pid_address: SS-MIX2 puts the whole address in XAD.8") {
  PostalAddress a = address_of("^^^^100-0001^JPN^H^東京都千代田区千代田１−１");
  CHECK(a.postal_code == "100-0001");
  CHECK(a.address == "東京都千代田区千代田１−１");
}

TEST_CASE("pid_address: structured parts read in Japanese order (prefecture, city, street, other)") {
  CHECK(address_of("千代田１−１&x&y^ビル2F^千代田区^東京都^100-0001^JPN^H").address == "東京都千代田区千代田１−１ビル2F");
  CHECK(address_of("&千代田&１−１^^千代田区^東京都").address == "東京都千代田区千代田１−１");  // SAD.2 + SAD.3
  // Parts already inside XAD.8: the whole text, not twice.
  CHECK(address_of("^^千代田区^東京都^^^H^東京都千代田区千代田１−１").address == "東京都千代田区千代田１−１");
  // Parts and a text that differ: both kept, the seam visible.
  CHECK(address_of("^^千代田区^東京都^^^H^丸の内").address == "東京都千代田区 丸の内");
}

TEST_CASE("pid_address: the home repetition, else the first") {
  PostalAddress a = address_of("^^^^530-0001^JPN^B^大阪府大阪市北区~^^^^100-0001^JPN^H^東京都千代田区");
  CHECK(a.postal_code == "100-0001");
  CHECK(a.address == "東京都千代田区");
  CHECK(address_of("^^^^530-0001^JPN^B^大阪府大阪市北区~^^^^^JPN^O^京都府").address == "大阪府大阪市北区");
}

TEST_CASE("sent_order: MSH-7 read as a time, then the file-name timestamp, then input order") {
  CHECK(sent_order(record_of("P1", "20260105101500"), 0).msh7 == "202601051015000000");
  CHECK(sent_order(record_of("P1", "20111220224447.3399"), 0).msh7 == "201112202244473399");
  CHECK(sent_order(record_of("P1", "20080203163012345"), 0).msh7 == "200802031630123450");  // no dot (NHO sample)
  CHECK(sent_order(record_of("P1", "202601051015+0900"), 0).msh7 == "202601051015000000");  // zone not read
  CHECK(sent_order(record_of("P1", "x"), 0).msh7.empty());
  // A shorter MSH-7 is the same instant as its zero-filled form, earlier than a later second.
  CHECK(sent_order(record_of("P1", "202601051015"), 0) < sent_order(record_of("P1", "20260105101501"), 0));
  CHECK(sent_order(record_of("P1", "20260105101500", "20260105101500000"), 1) <
        sent_order(record_of("P1", "20260105101500", "20260105101500001"), 0));
  CHECK(sent_order(record_of("P1", "20260105101500"), 0) < sent_order(record_of("P1", "20260105101500"), 1));
  // Missing MSH-7 ranks below any present one, whatever the input order.
  CHECK(sent_order(record_of("P1", ""), 9) < sent_order(record_of("P1", "19000101"), 0));
}

TEST_CASE("PatientTable: latest wins field by field; empty keeps, \"\" clears (HL7 v2.5 §2.5.3)") {
  PatientTable table;
  // Read out of time order on purpose: the newest message comes first.
  table.add(record_of("P1||新^名^^^^^L^I||19800101|F", "20260301000000"), "H1", "P1", 0);
  table.add(record_of("P1||旧^名^^^^^L^I~キュウ^メイ^^^^^L^P||19700101|M|||^^^^100-0001^JPN^H^東京都", "20260101000000"),
            "H1", "P1", 1);
  table.add(record_of("P1||中^名||\"\"||||^^^^530-0001^JPN^H^大阪府", "20260201000000"), "H1", "P1", 2);
  table.add(record_of("P2||別^人", "20260101000000"), "H1", "P2", 3);
  table.add(record_of("P1||他^院", "20260101000000"), "H0", "P1", 4);
  auto rows = rows_of(table);
  REQUIRE(rows.size() == 3);
  // Byte order of facility, then patient.
  CHECK(rows[0][1] == "H0");
  CHECK(rows[1][0] == "P1");
  CHECK(rows[2][0] == "P2");
  const auto& p1 = rows[1];
  CHECK(p1[2] == "新 名");  // name from the latest (March) message
  CHECK(p1[3] == "");        // its PID-5 has no kana repetition: PID-5 is one field, sent whole
  CHECK(p1[4] == "F");
  CHECK(p1[5] == "19800101");
  CHECK(p1[6] == "530-0001");  // address: March does not send PID-11; February's is the latest sent
  CHECK(p1[7] == "大阪府");
  CHECK(p1[8] == "3");         // sources
  CHECK(p1[9] == "20260301000000");
}

TEST_CASE("PatientTable: \"\" from the latest message empties the field") {
  PatientTable table;
  table.add(record_of("P1||名^前||19700101|M|||^^^^100-0001^JPN^H^東京都", "20260101000000"), "H1", "P1", 0);
  table.add(record_of("P1||||\"\"||||\"\"", "20260201000000"), "H1", "P1", 1);
  auto rows = rows_of(table);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0][2] == "名 前");  // PID-5 not sent: kept
  CHECK(rows[0][5] == "");       // PID-7 "" : deleted
  CHECK(rows[0][6] == "");
  CHECK(rows[0][7] == "");       // PID-11 "" : deleted
}

TEST_CASE("PatientTable: messages without a patient ID are never merged") {
  PatientTable table;
  table.add(record_of("||甲", "20260101000000"), "H1", "", 0);
  table.add(record_of("||乙", "20260101000000"), "H1", "", 1);
  auto rows = rows_of(table);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0][2] == "甲");
  CHECK(rows[1][2] == "乙");
  CHECK(rows[0][8] == "1");
}
