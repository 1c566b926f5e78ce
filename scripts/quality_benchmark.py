#!/usr/bin/python3
"""Autopilot quality benchmark: for each reference competition, a 12-round autopilot campaign
(through `autokaggle run`) whose final submission is scored on the PRIVATE part of answers.csv,
next to a default HistGradientBoosting and a default XGBoost trained on the same train.csv.

Usage: quality_benchmark.py --cli build/bin/autokaggle --competitions competitions
                            [--rounds 12] [--work DIR] [--record docs/benchmarks.md]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn import metrics as skm
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

MASK = (1 << 64) - 1
SPLIT_SEED = 2026
PUBLIC_SHARE = 0.3
SECTION = "## Autopilot quality"


def split_hash(text, seed):
    """The local submitter's public/private split hash (plugins/submitter-local), bit for bit."""
    h = (1469598103934665603 ^ ((seed * 0x9E3779B97F4A7C15) & MASK)) & MASK
    for byte in text.encode("utf-8"):
        h ^= byte
        h = (h * 1099511628211) & MASK
    h ^= h >> 30
    h = (h * 0xBF58476D1CE4E5B9) & MASK
    h ^= h >> 27
    h = (h * 0x94D049BB133111EB) & MASK
    h ^= h >> 31
    return h


def is_public(text):
    return (split_hash(text, SPLIT_SEED) % 1000000) < PUBLIC_SHARE * 1000000.0


def score(metric, truth, pred, n_classes):
    if metric == "auc_roc":
        return skm.roc_auc_score(truth, pred)
    if metric == "logloss":
        p = np.clip(pred, 1e-15, 1 - 1e-15)
        p = p / p.sum(axis=1, keepdims=True)
        return skm.log_loss(truth, p, labels=list(range(n_classes)))
    if metric == "rmse":
        return float(np.sqrt(np.mean((truth - pred) ** 2)))
    if metric == "mae":
        return float(np.mean(np.abs(truth - pred)))
    raise SystemExit("quality benchmark: metric %s is not supported here" % metric)


def defaults(comp_dir, spec):
    """Private scores of default HistGradientBoosting and default XGBoost on this competition."""
    train = pd.read_csv(os.path.join(comp_dir, "data", "train.csv"))
    test = pd.read_csv(os.path.join(comp_dir, "data", "test.csv"))
    answers = pd.read_csv(os.path.join(comp_dir, "answers.csv"))
    target, ident = spec["target_column"], spec.get("id_column", "id")
    features = [c for c in train.columns if c not in (target, ident)]
    X, Xt = train[features].copy(), test[features].copy()
    for c in features:
        if not pd.api.types.is_numeric_dtype(X[c]):
            cats = pd.Categorical(pd.concat([X[c], Xt[c]]).astype(str)).categories
            X[c] = pd.Categorical(X[c].astype(str), categories=cats).codes
            Xt[c] = pd.Categorical(Xt[c].astype(str), categories=cats).codes
    classification = "classification" in spec["task_type"]
    answers = answers.set_index(answers[ident].astype(str)).loc[test[ident].astype(str)]
    private = np.array([not is_public(i) for i in test[ident].astype(str)])
    if classification:
        classes = np.unique(train[target].values)
        y = np.searchsorted(classes, train[target].values)
        truth = np.searchsorted(classes, answers[target].values)
        models = {"hgb": HistGradientBoostingClassifier(random_state=0),
                  "xgb": xgb.XGBClassifier(n_jobs=2, random_state=0)}
    else:
        classes = []
        y = train[target].astype(float).values
        truth = answers[target].astype(float).values
        models = {"hgb": HistGradientBoostingRegressor(random_state=0),
                  "xgb": xgb.XGBRegressor(n_jobs=2, random_state=0)}
    out = {}
    for name, model in models.items():
        model.fit(X, y)
        if classification:
            pred = model.predict_proba(Xt)
            pred = pred[:, 1] if len(classes) == 2 else pred
        else:
            pred = model.predict(Xt)
        out[name] = score(spec["metric"], truth[private], pred[private], len(classes))
    return out


def campaign(cli, comp_dir, spec, rounds, work):
    ws = os.path.join(work, spec["competition"])
    held_out = ws + "-heldout"  # the answers and private scores stay outside the workspace
    for d in (ws, held_out):
        if os.path.exists(d):
            shutil.rmtree(d)
    shutil.copytree(os.path.join(comp_dir, "data"), os.path.join(ws, "data"))
    os.makedirs(held_out)
    shutil.copy(os.path.join(comp_dir, "answers.csv"), os.path.join(held_out, "answers.csv"))
    for top in (ws, held_out):
        for root, dirs, files in os.walk(top):
            for f in files:
                os.chmod(os.path.join(root, f), 0o644)
            os.chmod(root, 0o755)
    config = dict(spec)
    config.update({
        "data_dir": "./data",
        "cv_strategy": "StratifiedKFold" if "classification" in spec["task_type"] else "KFold",
        "max_submissions_per_day": 20,
        "python": "/usr/bin/python3",
        "budget": {"max_rounds": rounds},
        "agents": {r: {"plugin": "autopilot"} for r in ("researcher", "builder", "reviewer")},
        "submitter": {"plugin": "local", "options": {"answers": "../" + os.path.basename(held_out) + "/answers.csv",
                                                      "public_share": PUBLIC_SHARE,
                                                      "split_seed": SPLIT_SEED}},
        "scraper": {"plugin": "files", "options": {"path": "knowledge"}},
        "runner": {"plugin": "local", "options": {"timeout_s": 600}},
        # A fresh store per campaign: the measured quality is the autopilot's with the starter rules
        # only, and the user's own learnings store is left alone.
        "learnings_store": "learnings-store.md",
    })
    with open(os.path.join(ws, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    started = time.time()
    log = open(os.path.join(work, spec["competition"] + ".log"), "w")
    rc = subprocess.call([cli, "run", ws, "--max-rounds", str(rounds), "--quiet"], stdout=log, stderr=subprocess.STDOUT)
    seconds = time.time() - started
    board_file = os.path.join(held_out, "leaderboard.json")
    if not os.path.exists(board_file):
        return {"rc": rc, "seconds": seconds, "private": None, "public": None, "submissions": 0, "best_round": "-"}
    board = json.load(open(board_file))
    scored = [s for s in board["submissions"] if "private_score" in s]
    last = scored[-1] if scored else None
    return {"rc": rc, "seconds": seconds, "private": last and last["private_score"],
            "public": last and last["public_score"], "submissions": len(scored),
            "best_round": last["description"].split()[0] if last and last.get("description") else "-"}


def fmt(v):
    return "-" if v is None else "%.5f" % v


def table(rows, rounds):
    lines = ["| competition | metric | autopilot (%d rounds) private | default HGB private | default XGBoost private | "
             "better default | margin | verdict | campaign time |" % rounds,
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lower = r["direction"] == "lower"
        best_default = min(r["hgb"], r["xgb"]) if lower else max(r["hgb"], r["xgb"])
        margin = None if r["private"] is None else (best_default - r["private"] if lower else r["private"] - best_default)
        rel = None if margin is None else 100.0 * margin / abs(best_default)
        verdict = "no submission" if margin is None else ("beats" if margin > 0 else "loses")
        lines.append("| %s | %s (%s) | %s | %s | %s | %s | %s | %s | %.0f s |" % (
            r["competition"], r["metric"], "lower" if lower else "higher", fmt(r["private"]), fmt(r["hgb"]),
            fmt(r["xgb"]), fmt(best_default), "-" if margin is None else "%+.5f (%+.1f%%)" % (margin, rel), verdict,
            r["seconds"]))
    return "\n".join(lines)


def record(path, text):
    doc = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
    start = doc.find(SECTION)
    if start >= 0:
        end = doc.find("\n## ", start + len(SECTION))
        doc = doc[:start] + text.rstrip("\n") + "\n" + (doc[end:] if end >= 0 else "")
    else:
        doc = doc.rstrip("\n") + "\n\n" + text
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(doc)
    os.replace(tmp, path)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cli", required=True)
    p.add_argument("--competitions", required=True)
    p.add_argument("--rounds", type=int, default=12)
    p.add_argument("--work", default=None)
    p.add_argument("--record", default=None)
    a = p.parse_args()
    work = a.work or tempfile.mkdtemp(prefix="autokaggle-quality-")
    os.makedirs(work, exist_ok=True)
    rows = []
    for name in sorted(os.listdir(a.competitions)):
        comp_dir = os.path.join(a.competitions, name)
        spec_file = os.path.join(comp_dir, "competition.json")
        if not os.path.isfile(spec_file):
            continue
        spec = json.load(open(spec_file))
        print("== %s: %d-round autopilot campaign (workspace %s)" % (name, a.rounds, os.path.join(work, name)), flush=True)
        result = campaign(a.cli, comp_dir, spec, a.rounds, work)
        base = defaults(comp_dir, spec)
        row = {"competition": name, "metric": spec["metric"], "direction": spec["metric_direction"],
               "hgb": base["hgb"], "xgb": base["xgb"]}
        row.update(result)
        rows.append(row)
        print("   campaign exit %d, %.0f s, %d submissions, final private %s; defaults HGB %s, XGBoost %s" % (
            result["rc"], result["seconds"], result["submissions"], fmt(result["private"]), fmt(base["hgb"]),
            fmt(base["xgb"])), flush=True)
    text = table(rows, a.rounds)
    print("\n" + text)
    if a.record:
        stamp = time.strftime("%Y-%m-%d", time.gmtime())
        section = (SECTION + "\n\n"
                   "Measured by `scripts/quality-benchmark.sh` on %s (2 cores). Each campaign runs %d rounds with "
                   "the autopilot agents and the local leaderboard (public share %.0f%%, split seed %d); its final "
                   "submission (the last one the core made) is scored on the private part of answers.csv. The "
                   "defaults are scikit-learn's HistGradientBoosting and XGBoost with default parameters (ordinal "
                   "codes for string columns), trained on the whole train.csv in the same run and scored on the same "
                   "private rows. Margin: how much better the campaign is than the better default, in the metric's "
                   "direction.\n\n%s\n" % (stamp, a.rounds, 100 * PUBLIC_SHARE, SPLIT_SEED, text))
        record(a.record, section)
        print("recorded in %s" % a.record)
    failed = [r["competition"] for r in rows if r["rc"] != 0 or r["private"] is None]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
