"""What a loader holds after applying smx streams in order (tests/props/state.sh): a map from file
key (the SS-MIX2 name without its condition flag) to the message text. A message of flag 1 (or
without a name) is upserted; flag 0 or 2 and a delete record remove the key. Prints the map sorted,
one key and message a line, so two ways of getting there can be compared byte for byte."""
import json
import sys


def key_of(record):
    name = record.get("ssmix2")
    if not name:
        return record["src"]["path"] + "#" + str(record["src"].get("n", 1))
    return "_".join(name[f] for f in ("patient", "date", "type", "order", "ts", "dept"))


def main():
    held = {}
    for path in sys.argv[1:]:
        with open(path, encoding="utf-8") as stream:
            for line in stream:
                record = json.loads(line)
                if record["kind"] == "delete":
                    held.pop(record["key"], None)
                elif record["kind"] == "hl7":
                    flag = (record.get("ssmix2") or {}).get("flag", 1)
                    if flag in (0, 2):
                        held.pop(key_of(record), None)
                    else:
                        held[key_of(record)] = record["hl7"]
    for key in sorted(held):
        print(key, json.dumps(held[key], ensure_ascii=False))


main()
