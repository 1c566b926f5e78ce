#!/usr/bin/python3
"""Writes the grouped test competition: hospital visits of patients, several visits each, where
readmission depends on an unobserved per-patient risk. A model that sees other visits of the
same patient learns that risk, so a shuffled KFold CV is optimistic; the held-out answers are
for patients never seen in training, as GroupKFold on patient_id simulates.

Usage: make_data.py [OUT_DIR]   (default: the folder of this script). Deterministic."""
import os
import sys

import numpy as np


def patients(rng, count, first_id):
    rows = []
    for p in range(count):
        age, bmi, lab = rng.uniform(35, 85), rng.uniform(19, 41), rng.normal()
        site = "ABC"[rng.randint(3)]
        risk = rng.normal(scale=1.6)  # never observed
        for _ in range(rng.randint(4, 11)):
            visit_lab, days = rng.normal(), rng.exponential(60)
            logit = -0.4 + 0.025 * (age - 60) + 0.4 * lab + 0.5 * visit_lab + risk
            rows.append((first_id + p, round(age, 1), round(bmi, 1), round(lab, 3), site, round(visit_lab, 3),
                         round(days, 1), int(rng.uniform() < 1 / (1 + np.exp(-logit)))))
    return rows


def write(path, header, rows):
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(str(v) for v in r) + "\n")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    rng = np.random.RandomState(20261)
    train = patients(rng, 160, 1000)
    test = patients(rng, 70, 5000)
    features = ["patient_id", "age", "bmi", "baseline_lab", "site", "visit_lab", "days_since_last"]
    os.makedirs(os.path.join(out, "data"), exist_ok=True)
    write(os.path.join(out, "data", "train.csv"), ["id"] + features + ["readmitted"],
          [(i,) + r for i, r in enumerate(train)])
    first = len(train)
    write(os.path.join(out, "data", "test.csv"), ["id"] + features, [(first + i,) + r[:-1] for i, r in enumerate(test)])
    write(os.path.join(out, "data", "sample_submission.csv"), ["id", "readmitted"],
          [(first + i, 0.5) for i in range(len(test))])
    write(os.path.join(out, "answers.csv"), ["id", "readmitted"], [(first + i, r[-1]) for i, r in enumerate(test)])


if __name__ == "__main__":
    main()
