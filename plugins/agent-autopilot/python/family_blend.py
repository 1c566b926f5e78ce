# ---- family: blend of earlier experiments' out-of-fold predictions ---------------------------
# Greedy forward selection with replacement (Caruana et al. 2004) on the validated OOF rows; the
# same weights are then applied to the members' test predictions. The weights are chosen on the
# prediction layout's proper scoring rule (blend_loss); the core scores the blend with the
# competition's metric, fold by fold, like any experiment.


def main():
    args = parse_args()
    table = Table(args.data_dir, args.max_train_rows, args.seed)
    fold, fit = load_folds(table)
    validated = fold >= 0  # members' OOF rows no fold validates hold nothing (NaN)
    y = table.y[validated]
    members = SPEC["members"]
    oofs, tests = [], []
    for m in members:
        o = np.load(m["oof"])
        if len(o) != table.train_rows:
            sys.exit("member %s has %d OOF rows, training data has %d" % (m["oof"], len(o), table.train_rows))
        oofs.append(o[table.rows])
        tests.append(np.load(m["test"]))

    def loss(pred):
        return blend_loss(y, pred[validated], table.n_classes)

    singles = [loss(o) for o in oofs]
    for m, s in zip(members, singles):
        print("member R%02d %s loss=%.6f" % (m["round"], m["family"], s), flush=True)
    best_single = int(np.argmin(singles))
    counts = np.zeros(len(members))
    counts[best_single] = 1
    current = singles[best_single]
    for _ in range(int(SPEC["params"].get("steps", 40))):
        trial_best, trial_index = current, -1
        for i in range(len(members)):
            trial = counts.copy()
            trial[i] += 1
            s = loss(sum(w * o for w, o in zip(trial / trial.sum(), oofs)))
            if s < trial_best:
                trial_best, trial_index = s, i
        if trial_index < 0:
            break
        counts[trial_index] += 1
        current = trial_best
    weights = counts / counts.sum()
    oof = sum(w * o for w, o in zip(weights, oofs))
    test_pred = sum(w * t for w, t in zip(weights, tests))
    partial = np.full(oof.shape, np.nan)
    for k, (_, valid_idx) in enumerate(splits(fold, fit), start=1):
        partial[valid_idx] = oof[valid_idx]
        report_fold(args, k, partial)
    print("weights " + " ".join("R%02d=%.3f" % (m["round"], w) for m, w in zip(members, weights)), flush=True)
    save(args.oof_out, oof)
    save(args.test_out, test_pred)
