#!/usr/bin/env python3
"""Writes a synthetic QI CSV in smx qi's format (header facility,period,indicator,numerator,
denominator,value,suppressed) for facilities H01..Hn over three months: deterministic numbers
(no randomness), one facility (OUTLIER) far above the others on the DOT rate, a cell under 10
suppressed, a month with denominator 0. Usage: make_qi.py N_FACILITIES OUTLIER > qi.csv"""
import sys

n, outlier = int(sys.argv[1]), sys.argv[2]
print("facility,period,indicator,numerator,denominator,value,suppressed")
for f in range(1, n + 1):
    fac = f"H{f:02d}"
    for m, period in enumerate(["2024-01", "2024-02", "2024-03"]):
        days = 800 + 150 * f + 40 * m            # patient-days
        dot = days * (120 + 7 * f + 3 * m) // 1000   # days of therapy, ~120-160 per 1,000
        if fac == outlier:
            dot = days * 300 // 1000
        print(f"{fac},{period},antibacterial_dot,{dot},{days},{1000 * dot / days:.6g},false")
        tested = 30 + 5 * f + m
        controlled = tested * (55 + 2 * f) // 100
        if f == 1 and m == 2:
            print(f"{fac},{period},hba1c_control,,,,true")   # under --min-cell
        elif f == 2 and m == 1:
            print(f"{fac},{period},hba1c_control,0,0,,false")  # nobody in the denominator
        else:
            print(f"{fac},{period},hba1c_control,{controlled},{tested},{controlled / tested:.6g},false")
