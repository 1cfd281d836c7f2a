# The night of changes that tests/props/state.sh and load*.sh apply to a tree made by smx gen
# (sourced, not run): a new file, an update (the old version renamed _1 -> _2 with its mtime kept,
# the new version written as _1), a deletion (_1 -> _0), a file copied in with an old mtime, a
# removed file, a file rewritten in place with its size and mtime put back. Files are chosen by
# position among the OML-11 files so the tests do not depend on generated names.
nightly_changes() {
  local root=$1 scratch=$2
  local ones new_dir base updated up_base ts old_src old_base victim
  mapfile -t ones < <(find "$root" -type f -name '*_OML-11_0000000000*_1' | LC_ALL=C sort)
  new_dir=$(dirname "${ones[0]}")
  base=$(basename "${ones[0]}")
  cp "${ones[0]}" "$new_dir/${base/_0000000000/_9900000000}"
  updated=${ones[1]}
  mv "$updated" "${updated%_1}_2"
  up_base=$(basename "$updated")
  ts=$(echo "$up_base" | cut -d_ -f5)
  cp "${updated%_1}_2" "$(dirname "$updated")/${up_base/_${ts}_/_${ts%???}999_}"
  mv "${ones[2]}" "${ones[2]%_1}_0"
  old_src=${ones[3]}
  old_base=$(basename "$old_src")
  cp "$old_src" "$scratch/old-copy"
  touch -d 2001-01-01 "$scratch/old-copy"
  cp -p "$scratch/old-copy" "$(dirname "$old_src")/${old_base/_0000000000/_9800000000}"
  rm "${ones[4]}"
  victim=${ones[5]}
  touch -r "$victim" "$scratch/stamp"
  cp "$victim" "$scratch/before-rewrite"
  sed -i 's/|F|/|X|/; s/|N|/|X|/' "$victim"
  if cmp -s "$victim" "$scratch/before-rewrite"; then
    echo "nightly_changes: the rewrite changed nothing" >&2
    return 1
  fi
  touch -r "$scratch/stamp" "$victim"
}
