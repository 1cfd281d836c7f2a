# 1,000 copies of the records of file "a", each patient ID prefixed with the copy's number, and
# one line that is not an encoding after the first record of copy 900 (line 5,396 of 6,001):
# a file of about 11 MB, so that smx link match reads it in several pieces.
BEGIN {
  while ((getline line < "a") > 0) rec[n++] = line
  for (i = 1; i <= 1000; i++)
    for (j = 0; j < n; j++) {
      l = rec[j]
      sub(/"patient":"/, "\"patient\":\"" i "-", l)
      print l
      if (i == 900 && j == 0) print "{\"kind\":\"junk\"}"
    }
}
