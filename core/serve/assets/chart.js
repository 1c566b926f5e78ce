// The charts, drawn as inline SVG: CV and public LB per round, and the OOF correlation heat map.
"use strict";

AK.chart = (function () {
  const W = 960;
  const H = 320;
  const PAD = { left: 64, right: 16, top: 16, bottom: 44 };

  function ticks(lo, hi, count) {
    if (hi <= lo) return [lo];
    const raw = (hi - lo) / count;
    const step = Math.pow(10, Math.floor(Math.log10(raw)));
    const nice = [1, 2, 2.5, 5, 10].map((f) => f * step).find((s) => (hi - lo) / s <= count) || raw;
    const out = [];
    for (let v = Math.ceil(lo / nice) * nice; v <= hi + nice * 1e-9; v += nice) out.push(Number(v.toPrecision(12)));
    return out;
  }

  function decimals(step) {
    return Math.min(6, Math.max(0, -Math.floor(Math.log10(step || 1)) + 1));
  }

  /// The rounds the chart needs, from the rounds table of the summary.
  function points(rounds) {
    return rounds
      .filter((r) => Number.isInteger(r.round) && r.status !== "eda")
      .map((r) => ({
        round: r.round,
        status: r.status || "",
        cv: r.status === "ok" ? AK.number(r.cv_score) : null,
        lb: AK.number(r.lb),
        submitted: r.submitted === "yes",
        description: r.description || "",
      }))
      .sort((a, b) => a.round - b.round);
  }

  /// CV (verified rounds), public LB, failed and killed rounds, the best CV so far as a step
  /// line, and the rounds that were submitted.
  function scores(container, rounds, direction) {
    const data = points(rounds);
    const better = AK.better(direction);
    const values = data.flatMap((p) => [p.cv, p.lb]).filter((v) => v !== null);
    if (data.length === 0) {
      AK.put(container, AK.el("p", { class: "empty", text: "No finished round yet." }));
      return;
    }
    let lo = values.length ? Math.min(...values) : 0;
    let hi = values.length ? Math.max(...values) : 1;
    const margin = (hi - lo) * 0.08 || Math.abs(hi) * 0.01 || 0.01;
    lo -= margin;
    hi += margin;
    const first = data[0].round;
    const last = Math.max(data[data.length - 1].round, first + 1);
    const x = (round) => PAD.left + ((round - first) / (last - first)) * (W - PAD.left - PAD.right);
    const y = (v) => PAD.top + (1 - (v - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);
    const bottom = H - PAD.bottom;

    const svg = AK.svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", "aria-label": "CV and public LB per round" });
    const yTicks = ticks(lo, hi, 5);
    const digits = decimals(yTicks.length > 1 ? yTicks[1] - yTicks[0] : 0.01);
    for (const t of yTicks) {
      svg.append(AK.svg("line", { class: "grid", x1: PAD.left, x2: W - PAD.right, y1: y(t), y2: y(t) }));
      svg.append(AK.svg("text", { class: "axis-label", x: PAD.left - 6, y: y(t) + 4, "text-anchor": "end", text: t.toFixed(digits) }));
    }
    const xStep = Math.max(1, Math.ceil((last - first) / 16));
    for (let r = first; r <= last; r += xStep) {
      svg.append(AK.svg("text", { class: "axis-label", x: x(r), y: bottom + 16, "text-anchor": "middle", text: AK.tag(r) }));
    }
    svg.append(AK.svg("line", { class: "axis", x1: PAD.left, x2: W - PAD.right, y1: bottom, y2: bottom }));
    svg.append(AK.svg("text", { class: "axis-title", x: PAD.left, y: H - 6, text: "round" }));

    // The best verified CV so far: a step that rises (or falls) only at a new best.
    let best = null;
    let path = "";
    for (const p of data) {
      if (p.cv === null) continue;
      if (best === null) {
        best = p.cv;
        path = `M${x(p.round)},${y(best)}`;
      } else {
        path += ` H${x(p.round)}`;
        if (better(p.cv, best)) {
          best = p.cv;
          path += ` V${y(best)}`;
        }
      }
    }
    if (path) svg.append(AK.svg("path", { class: "best-line", d: path + ` H${x(last)}` }));

    const lbPoints = data.filter((p) => p.lb !== null);
    if (lbPoints.length > 1) {
      svg.append(AK.svg("polyline", { class: "lb-line", points: lbPoints.map((p) => `${x(p.round)},${y(p.lb)}`).join(" ") }));
    }
    for (const p of data) {
      const cx = x(p.round);
      if (p.cv !== null) {
        if (p.submitted) svg.append(AK.svg("circle", { class: "mark-submitted", cx, cy: y(p.cv), r: 8, "data-round": p.round }));
        svg.append(
          AK.svg("circle", { class: "point-cv", cx, cy: y(p.cv), r: 4.5, "data-round": p.round },
                 AK.svg("title", { text: `${AK.tag(p.round)} CV ${AK.score(p.cv)}${p.submitted ? " (submitted)" : ""} — ${p.description}` })));
      } else {
        const killed = p.status.startsWith("killed") || p.status === "timeout" || p.status === "oom" || p.status === "cancelled";
        const cy = bottom - 10;
        svg.append(
          AK.svg("path", { class: killed ? "mark-killed" : "mark-failed", d: `M${cx - 5},${cy - 5} L${cx + 5},${cy + 5} M${cx - 5},${cy + 5} L${cx + 5},${cy - 5}`, "data-round": p.round, "data-status": p.status },
                 AK.svg("title", { text: `${AK.tag(p.round)} ${p.status} — ${p.description}` })));
      }
      if (p.lb !== null) {
        const ly = y(p.lb);
        svg.append(
          AK.svg("path", { class: "point-lb", d: `M${cx},${ly - 6} L${cx + 6},${ly} L${cx},${ly + 6} L${cx - 6},${ly} Z`, "data-round": p.round },
                 AK.svg("title", { text: `${AK.tag(p.round)} public LB ${AK.score(p.lb)}` })));
      }
    }
    const legend = AK.el("div", { class: "legend" },
      AK.el("span", { class: "key key-cv", text: "verified CV" }),
      AK.el("span", { class: "key key-best", text: "best CV so far" }),
      AK.el("span", { class: "key key-lb", text: "public LB" }),
      AK.el("span", { class: "key key-submitted", text: "submitted" }),
      AK.el("span", { class: "key key-failed", text: "failed / unverified" }),
      AK.el("span", { class: "key key-killed", text: "killed / timeout" }));
    AK.put(container, svg, legend);
  }

  /// The Pearson correlations of the experiments' OOF predictions as a coloured matrix.
  function heatmap(container, experiments, correlations) {
    const pairs = Object.entries(correlations || {})
      .map(([key, value]) => [key.split("|"), AK.number(value)])
      .filter(([ids, v]) => ids.length === 2 && v !== null);
    const order = new Map(experiments.map((e, i) => [e.id, [e.round, i]]));
    const ids = [...new Set(pairs.flatMap(([k]) => k))].sort((a, b) => {
      const [ra, ia] = order.get(a) || [1e9, 0];
      const [rb, ib] = order.get(b) || [1e9, 0];
      return ra - rb || ia - ib || a.localeCompare(b);
    });
    if (ids.length < 2) {
      AK.put(container, AK.el("p", { class: "empty", text: "Correlations appear once two experiments are verified." }));
      return;
    }
    const value = new Map();
    for (const [[a, b], v] of pairs) {
      value.set(a + "|" + b, v);
      value.set(b + "|" + a, v);
    }
    const offDiagonal = pairs.map(([, v]) => v);
    const lo = Math.min(...offDiagonal, 0.9);
    const cell = Math.max(14, Math.min(40, Math.floor(520 / ids.length)));
    const label = 70;
    const size = label + cell * ids.length;
    const svg = AK.svg("svg", { viewBox: `0 0 ${size + 4} ${size + 4}`, class: "heatmap", role: "img", "aria-label": "OOF correlation matrix" });
    ids.forEach((id, i) => {
      svg.append(AK.svg("text", { class: "axis-label", x: label - 4, y: label + cell * i + cell / 2 + 4, "text-anchor": "end", text: id }));
      svg.append(AK.svg("text", { class: "axis-label", x: label + cell * i + cell / 2, y: label - 6, "text-anchor": "start",
                                  transform: `rotate(-60 ${label + cell * i + cell / 2} ${label - 6})`, text: id }));
    });
    ids.forEach((a, i) => {
      ids.forEach((b, j) => {
        const v = i === j ? 1 : value.get(a + "|" + b);
        const t = v === undefined ? null : Math.max(0, Math.min(1, (v - lo) / (1 - lo || 1)));
        // Light for weakly correlated pairs (good blend partners), dark red for near-duplicates.
        const fill = t === null ? "#eee" : `hsl(${Math.round(210 - 210 * t)}, 70%, ${Math.round(92 - 45 * t)}%)`;
        svg.append(AK.svg("rect", { class: "heat-cell", x: label + cell * j, y: label + cell * i, width: cell - 1, height: cell - 1, fill,
                                    "data-pair": a + "|" + b },
                          AK.svg("title", { text: `${a} × ${b}: ${v === undefined ? "–" : v.toFixed(4)}` })));
        if (cell >= 30 && v !== undefined && i !== j) {
          svg.append(AK.svg("text", { class: "heat-value", x: label + cell * j + cell / 2, y: label + cell * i + cell / 2 + 3,
                                      "text-anchor": "middle", text: v.toFixed(2) }));
        }
      });
    });
    AK.put(container, svg, AK.el("p", { class: "note", text: `colour from ${lo.toFixed(3)} (light: diverse, good for blending) to 1 (dark: near-duplicates)` }));
  }

  return { scores, heatmap, points };
})();
