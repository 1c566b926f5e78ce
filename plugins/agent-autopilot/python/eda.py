"""Exploratory data analysis for round 0: column types, missing values, cardinality, the target
distribution, train/test drift per column and a suggested CV scheme. Writes a markdown report
and a JSON file of facts the autopilot's Builder plans from."""
import argparse
import json
import math
import os
import sys

import numpy as np
import pandas as pd
from scipy import stats


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--train", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--id", default="")
    p.add_argument("--task", required=True)
    p.add_argument("--metric", required=True)
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--out-md", required=True)
    p.add_argument("--out-json", required=True)
    return p.parse_args()


def json_safe(value):
    """JSON has no NaN or infinity: an unknown statistic is written as null, so that strict
    readers (the Builder's) can parse the facts."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def psi(expected, actual, bins=10):
    """Population stability index of `actual` against `expected` (quantile bins of expected)."""
    expected = expected[~np.isnan(expected)]
    actual = actual[~np.isnan(actual)]
    if len(expected) == 0 or len(actual) == 0:
        return float("nan")
    edges = np.unique(np.quantile(expected, np.linspace(0, 1, bins + 1)))
    if len(edges) < 2:
        return 0.0
    e = np.histogram(np.clip(expected, edges[0], edges[-1]), edges)[0] / len(expected)
    a = np.histogram(np.clip(actual, edges[0], edges[-1]), edges)[0] / len(actual)
    e, a = np.maximum(e, 1e-4), np.maximum(a, 1e-4)
    return float(np.sum((a - e) * np.log(a / e)))


def category_psi(train_col, test_col):
    e = train_col.fillna("__missing__").astype(str).value_counts(normalize=True)
    a = test_col.fillna("__missing__").astype(str).value_counts(normalize=True)
    keys = e.index.union(a.index)
    e = np.maximum(e.reindex(keys).fillna(0).values, 1e-4)
    a = np.maximum(a.reindex(keys).fillna(0).values, 1e-4)
    return float(np.sum((a - e) * np.log(a / e)))


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main():
    a = parse_args()
    train = pd.read_csv(a.train)
    test = pd.read_csv(a.test)
    if a.target not in train.columns:
        sys.exit("%s has no column '%s' (config.json target_column)" % (a.train, a.target))
    classification = a.task in ("binary_classification", "multiclass_classification")
    y = train[a.target]
    features = [c for c in train.columns if c not in (a.target, a.id)]
    rows, facts_cols = [], []
    for c in features:
        col = train[c]
        numeric = pd.api.types.is_numeric_dtype(col)
        in_test = c in test.columns
        missing_train = float(col.isna().mean())
        missing_test = float(test[c].isna().mean()) if in_test else float("nan")
        distinct = int(col.nunique(dropna=True))
        drift_kind, drift = "-", float("nan")
        if in_test and numeric:
            tr = col.dropna().astype(float).values
            te = pd.to_numeric(test[c], errors="coerce").dropna().values
            if len(tr) and len(te):
                drift_kind, drift = "KS", float(stats.ks_2samp(tr, te).statistic)
            p = psi(col.astype(float).values, pd.to_numeric(test[c], errors="coerce").values)
        elif in_test:
            p = category_psi(col, test[c])
            drift_kind, drift = "PSI", p
        else:
            p = float("nan")
        skew = float(col.skew()) if numeric and distinct > 2 else float("nan")
        kind = "numeric" if numeric else ("categorical" if distinct <= max(50, 0.5 * len(train)) else "text/id")
        rows.append((c, kind, distinct, missing_train, missing_test, skew, drift_kind, drift, p))
        facts_cols.append({"name": c, "kind": kind, "distinct": distinct, "missing_train": missing_train,
                           "missing_test": missing_test, "drift": drift, "psi": p, "skew": skew})

    md = ["# R00 exploratory data analysis", ""]
    md.append("Train: %d rows x %d columns; test: %d rows. Task: %s, metric: %s, target: `%s`." % (
        len(train), train.shape[1], len(test), a.task, a.metric, a.target))
    n_num = sum(1 for r in rows if r[1] == "numeric")
    n_cat = sum(1 for r in rows if r[1] == "categorical")
    n_text = sum(1 for r in rows if r[1] == "text/id")
    md.append("Features: %d numeric, %d categorical, %d text/identifier-like (dropped by the models)." % (
        n_num, n_cat, n_text))
    md += ["", "## Columns", "",
           "| column | type | distinct | missing train | missing test | skew | drift | PSI |",
           "|---|---|---|---|---|---|---|---|"]
    for c, kind, distinct, mtr, mte, skew, dk, d, p in rows:
        md.append("| %s | %s | %d | %.1f%% | %s | %s | %s | %s |" % (
            c, kind, distinct, 100 * mtr, "-" if np.isnan(mte) else "%.1f%%" % (100 * mte),
            "-" if np.isnan(skew) else "%.2f" % skew,
            "-" if np.isnan(d) else "%s %.3f" % (dk, d), "-" if np.isnan(p) else "%.3f" % p))

    md += ["", "## Target", ""]
    facts = {"rows": len(train), "test_rows": len(test), "numeric": n_num, "categorical": n_cat,
             "text": n_text, "columns": facts_cols, "missing_any": bool(train[features].isna().any().any())}
    if classification:
        counts = y.value_counts().sort_index()
        md.append("| class | rows | share |")
        md.append("|---|---|---|")
        for label, n in counts.items():
            md.append("| %s | %d | %.1f%% |" % (label, n, 100.0 * n / len(y)))
        minority = float(counts.min() / len(y))
        facts.update({"classes": [str(v) for v in counts.index], "minority_share": minority,
                      "imbalanced": minority < 0.5 / len(counts)})
        md.append("")
        md.append("Minority class share %.1f%% (%s)." % (
            100 * minority, "imbalanced: class weights are worth a try" if facts["imbalanced"] else "balanced enough"))
    else:
        yv = y.astype(float)
        skew = float(yv.skew())
        q = yv.quantile([0, 0.25, 0.5, 0.75, 1]).values
        md.append("min %.4g, q25 %.4g, median %.4g, q75 %.4g, max %.4g; mean %.4g, std %.4g, skew %.2f." % (
            q[0], q[1], q[2], q[3], q[4], yv.mean(), yv.std(), skew))
        positive = bool((yv >= 0).all())
        facts.update({"target_skew": skew, "target_nonnegative": positive,
                      "skewed_target": positive and skew > 0.75})
        if facts["skewed_target"]:
            md.append("The target is non-negative and right-skewed: a log1p-target variant is worth a try.")

    drifted = [r[0] for r in rows if not np.isnan(r[8]) and r[8] > 0.2]
    md += ["", "## Train/test drift", ""]
    md.append("KS statistic (numeric) and PSI per column are listed above. PSI > 0.2 means a shifted "
              "distribution: %s." % (", ".join(drifted) if drifted else "none"))
    facts["drifted"] = drifted

    md += ["", "## Suggested validation", ""]
    if classification:
        md.append("StratifiedKFold with %d folds and one fixed seed for every experiment, so OOF rows line up "
                  "for blending. With %d rows, fold scores will be noisy: treat differences below the "
                  "fold-score spread as noise." % (a.folds, len(train)))
    else:
        md.append("KFold (shuffled) with %d folds and one fixed seed for every experiment, so OOF rows line up "
                  "for blending." % a.folds)
    md.append("")
    write_atomic(a.out_md, "\n".join(md) + "\n")
    write_atomic(a.out_json, json.dumps(json_safe(facts), indent=1, allow_nan=False))
    print("EDA written: %s" % a.out_md)


if __name__ == "__main__":
    main()
