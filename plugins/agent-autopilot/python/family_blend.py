# ---- family: blend of earlier experiments' out-of-fold predictions ---------------------------
# Greedy forward selection with replacement (Caruana et al. 2004) on the OOF metric; the same
# weights are then applied to the members' test predictions. Fold scores use the same folds
# as every experiment (same seed, same splitter), so they are comparable.


def better(a, b):
    return a > b if SPEC["direction"] == "higher" else a < b


def main():
    args = parse_args()
    table = Table(args.data_dir, args.max_train_rows, args.seed)
    members = SPEC["members"]
    oofs = [np.load(m["oof"]) for m in members]
    tests = [np.load(m["test"]) for m in members]
    for m, o in zip(members, oofs):
        if len(o) != len(table.y):
            sys.exit("member %s has %d OOF rows, training data has %d" % (m["oof"], len(o), len(table.y)))
    singles = [score(table.y, o, table.n_classes) for o in oofs]
    for m, s in zip(members, singles):
        print("member R%02d %s score=%.6f" % (m["round"], m["family"], s), flush=True)
    best_single = int(np.argmax(singles) if SPEC["direction"] == "higher" else np.argmin(singles))
    counts = np.zeros(len(members))
    counts[best_single] = 1
    current = singles[best_single]
    for _ in range(int(SPEC["params"].get("steps", 40))):
        trial_best, trial_index = current, -1
        for i in range(len(members)):
            trial = counts.copy()
            trial[i] += 1
            blended = sum(w * o for w, o in zip(trial / trial.sum(), oofs))
            s = score(table.y, blended, table.n_classes)
            if better(s, trial_best):
                trial_best, trial_index = s, i
        if trial_index < 0:
            break
        counts[trial_index] += 1
        current = trial_best
    weights = counts / counts.sum()
    oof = sum(w * o for w, o in zip(weights, oofs))
    test_pred = sum(w * t for w, t in zip(weights, tests))
    partial = np.full(oof.shape, np.nan)
    for k, (_, valid_idx) in enumerate(make_folds(table.y, args.folds, args.seed), start=1):
        partial[valid_idx] = oof[valid_idx]
        if args.oof_partial:
            save(args.oof_partial, partial)
        print("FOLD %d SCORE=%.6f" % (k, score(table.y[valid_idx], oof[valid_idx], table.n_classes)), flush=True)
    print("weights " + " ".join("R%02d=%.3f" % (m["round"], w) for m, w in zip(members, weights)), flush=True)
    save(args.oof_out, oof)
    save(args.test_out, test_pred)
    print("CV_SCORE=%.6f" % score(table.y, oof, table.n_classes), flush=True)
