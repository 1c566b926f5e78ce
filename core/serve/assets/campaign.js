// The campaign page: renders the summary (header, chart, rounds, experiments, blend) and the
// live part (phase, running experiment, campaign log) from the server's event stream; opens a
// round's files on demand. Nothing here reloads the page.
"use strict";

(function () {
  const id = decodeURIComponent(location.pathname.split("/")[2] || "");
  const api = (what) => `/api/c/${encodeURIComponent(id)}/${what}`;
  const page = { summary: null, live: null, clockOffset: 0, openRound: null, openFile: null, connected: false };

  const now = () => Date.now() + page.clockOffset;

  // ---- header ---------------------------------------------------------------------------------

  function runState(summary, live) {
    const pid = live ? live.running_pid : summary.running_pid;
    const stop = (live && live.stop) || summary.stop || {};
    if (pid !== null && pid !== undefined) return { cls: "running", text: `running (pid ${pid})` };
    if (stop.reason) return { cls: "stopped", text: `stopped: ${stop.reason}${stop.at ? " at " + stop.at : ""}` };
    if (!summary.updated_at) return { cls: "idle", text: "not started" };
    return { cls: "stale", text: "not running (no stop recorded: the run was killed or crashed; `autokaggle run` resumes)" };
  }

  function deadlineText(deadline) {
    if (!deadline) return "no deadline";
    const end = Date.parse(deadline + "T00:00:00Z") + 86400e3;  // the end of the deadline day, UTC
    if (!Number.isFinite(end)) return deadline;
    const left = (end - now()) / 1000;
    return left > 0 ? `${deadline} (${AK.duration(left)} left)` : `${deadline} (passed)`;
  }

  function meter(label, spent, limit, text) {
    const fraction = limit > 0 ? Math.min(1, spent / limit) : 0;
    const bar = AK.el("span", { class: "bar" + (fraction >= 0.9 ? " bar-high" : "") }, AK.el("span", { class: "bar-fill" }));
    bar.firstChild.style.width = (fraction * 100).toFixed(1) + "%";
    return AK.el("div", { class: "meter" }, AK.el("span", { class: "meter-label", text: label }), limit > 0 ? bar : null,
                 AK.el("span", { class: "meter-text", text }));
  }

  function renderHeader(s, live) {
    document.title = `${s.competition || s.name} · AutoKaggle`;
    AK.put("campaign-name", s.competition || s.name);
    AK.put("campaign-meta",
      `${s.metric || "?"} (${s.direction === "lower" ? "lower ↓" : "higher ↑"} is better)`,
      s.task_type ? ` · ${s.task_type}` : "",
      s.cv_strategy ? ` · ${s.cv_folds}-fold ${s.cv_strategy}` : "",
      ` · ${s.workspace}`);
    const round = live ? live.round : s.round;
    const phase = live ? live.phase : s.phase;
    AK.put("round-phase", `${AK.tag(round)} · ${phase}`);
    const state = runState(s, live);
    const badge = AK.put("run-state", state.text);
    badge.className = "badge badge-" + state.cls;
    AK.put("deadline", deadlineText(s.deadline));
    const sub = s.submissions || {};
    AK.put("submissions", `${sub.left_today ?? "?"} of ${sub.limit_per_day ?? "?"} left today (UTC) · ${sub.total ?? 0} in all`,
           sub.pending ? " · one in flight" : "");
    const best = s.best || {};
    AK.put("best-cv", best.cv === null || best.cv === undefined ? "none yet" : `${AK.score(best.cv)} (${AK.tag(best.cv_round)})`);
    AK.put("best-lb", best.lb === null || best.lb === undefined ? "none yet" : `${AK.score(best.lb)} (${AK.tag(best.lb_round)})`);
    const spent = s.budget_spent || {};
    const total = spent.total || {};
    const budget = s.budget || {};
    const tokens = (total.input_tokens || 0) + (total.output_tokens || 0);
    const hours = (spent.seconds || 0) / 3600;
    const done = Math.max(0, s.round - 1);  // rounds below the current one are finished (R00 is the EDA)
    AK.put("spend",
      meter("USD", total.usd || 0, budget.max_usd, `${AK.usd(total.usd)}${budget.max_usd > 0 ? " of " + AK.usd(budget.max_usd) : ""}`),
      meter("tokens", tokens, budget.max_tokens, `${AK.count(tokens)}${budget.max_tokens > 0 ? " of " + AK.count(budget.max_tokens) : ""}`),
      meter("hours", hours, budget.max_hours, `${hours.toFixed(2)} h${budget.max_hours > 0 ? " of " + budget.max_hours + " h" : ""}`),
      budget.max_rounds > 0 ? meter("rounds", done, budget.max_rounds, `${done} of ${budget.max_rounds} done`) : null);
    const divergence = s.cv_lb_divergence || {};
    const warnings = [...(divergence.flag ? ["CV/LB divergence: " + divergence.note] : []), ...(s.warnings || [])];
    AK.put("warnings", warnings.map((w) => AK.el("li", { text: w })));
    AK.byId("warnings").hidden = warnings.length === 0;
  }

  // ---- rounds ---------------------------------------------------------------------------------

  function statusClass(status) {
    if (status === "ok") return "status-ok";
    if (status === "eda") return "status-eda";
    if ((status || "").startsWith("killed") || status === "timeout" || status === "oom" || status === "cancelled") return "status-killed";
    return "status-failed";
  }

  function roundRow(r) {
    const cost = AK.number(r.usd) !== null ? `${AK.usd(r.usd)} · ${AK.count(r.tokens)} tok` : "–";
    const cv = r.status === "ok" ? AK.score(r.cv_score) : r.cv_score || "–";
    const row = AK.el("tr", { "data-round": r.round, class: "round-row " + statusClass(r.status), tabindex: 0,
                              onclick: () => openRound(r.round), onkeydown: (e) => e.key === "Enter" && openRound(r.round) },
      AK.el("td", { class: "round", text: AK.tag(r.round) }),
      AK.el("td", { class: "family", text: r.family || "–" }),
      AK.el("td", { class: "cv num", text: cv }),
      AK.el("td", { class: "lb num", text: AK.number(r.lb) !== null ? AK.score(r.lb) : r.lb || "–" }),
      AK.el("td", { class: "status" }, AK.el("span", { class: "status-chip", text: r.status || "–" })),
      AK.el("td", { class: "submitted", text: r.submitted === "yes" ? "yes" : "no" }),
      AK.el("td", { class: "cost num", text: cost }),
      AK.el("td", { class: "description", text: r.description || "" }));
    if (page.openRound === r.round) row.classList.add("selected");
    return row;
  }

  function renderRounds(s) {
    const rows = (s.rounds || []).slice().sort((a, b) => b.round - a.round);
    const current = [];
    const started = s.phase !== "start" || Object.keys((s.current && s.current.done) || {}).length > 0;
    if (started && !rows.some((r) => r.round === s.round)) {
      current.push(AK.el("tr", { "data-round": s.round, class: "round-row current-row", tabindex: 0, onclick: () => openRound(s.round) },
        AK.el("td", { class: "round", text: AK.tag(s.round) }),
        AK.el("td", { colspan: 7, class: "description", text: `in progress: ${s.phase}` +
                      (s.current && s.current.failure ? ` — ${s.current.failure}` : "") })));
    }
    AK.put(AK.byId("rounds-table").tBodies[0], current, rows.map(roundRow));
    AK.put("rounds-count", `${rows.length} recorded`);
  }

  /// Opens a round's files below the table (`refresh`: the same round again, after a change).
  async function openRound(round, refresh = false) {
    page.openRound = round;
    for (const tr of document.querySelectorAll("#rounds-table tr.selected")) tr.classList.remove("selected");
    const row = document.querySelector(`#rounds-table tr[data-round="${round}"]`);
    if (row) row.classList.add("selected");
    const panel = AK.byId("round-detail");
    panel.hidden = false;
    panel.dataset.round = String(round);
    AK.put("round-title", `Round ${AK.tag(round)}`);
    if (!refresh) panel.scrollIntoView({ block: "nearest" });
    try {
      const { data } = await AK.getJSON(api(`round/${round}`));
      if (page.openRound !== round) return;
      const files = data.files || [];
      const tabs = files.map((f) => AK.el("button", { class: "tab", type: "button", "data-path": f.path, text: f.name,
                                                     onclick: () => openFile(f) }));
      AK.put("round-tabs", tabs.length ? tabs : AK.el("span", { class: "empty", text: "no files yet" }));
      const keep = page.openFile && files.find((f) => f.name === page.openFile.name);
      const first = keep || files.find((f) => f.name === "plan.md") || files[0];
      if (!first) AK.put("round-file", "");
      else if (!refresh || !keep || keep.kind === "log") openFile(first);
      else for (const b of document.querySelectorAll("#round-tabs .tab")) b.classList.toggle("active", b.dataset.path === keep.path);
    } catch (e) {
      AK.put("round-file", AK.el("p", { class: "error", text: e.message }));
    }
  }

  async function openFile(file) {
    page.openFile = file;
    for (const b of document.querySelectorAll("#round-tabs .tab")) b.classList.toggle("active", b.dataset.path === file.path);
    try {
      const { text, truncated } = await AK.getText(api("file/" + file.path.split("/").map(encodeURIComponent).join("/")));
      if (page.openFile !== file) return;
      const note = truncated ? AK.el("p", { class: "note", text: file.kind === "log"
        ? `the last part of a ${AK.count(truncated)}-byte log` : `the first part of a ${AK.count(truncated)}-byte file` }) : null;
      const body = file.kind === "markdown" ? AK.markdown(text)
        : AK.el("pre", { class: file.kind === "python" ? "code" : "log" }, AK.el("code", { text }));
      AK.put("round-file", note, body);
      AK.byId("round-file").dataset.path = file.path;
    } catch (e) {
      AK.put("round-file", AK.el("p", { class: "error", text: e.message }));
    }
  }

  // ---- experiments and blend ------------------------------------------------------------------

  function renderExperiments(s) {
    const experiments = s.experiments || [];
    const better = AK.better(s.direction);
    const families = new Map();
    for (const e of experiments) {
      const f = families.get(e.family) || { runs: 0, best: null };
      f.runs += 1;
      if (e.cv !== null && (f.best === null || better(e.cv, f.best))) f.best = e.cv;
      families.set(e.family, f);
    }
    AK.put("families", [...families.entries()].map(([name, f]) =>
      AK.el("span", { class: "family-chip", "data-family": name }, AK.el("b", { text: name }),
            ` ${f.runs} run${f.runs === 1 ? "" : "s"}, best ${AK.score(f.best)}`)));
    const rows = experiments.map((e) => AK.el("tr", { "data-id": e.id },
      AK.el("td", { text: e.id }), AK.el("td", { text: e.family }), AK.el("td", { class: "num", text: AK.score(e.cv) }),
      AK.el("td", { class: "num", text: AK.score(e.lb) }), AK.el("td", { text: e.status }),
      AK.el("td", { class: "num", text: e.features }),
      AK.el("td", { class: "params", text: Object.keys(e.params || {}).length ? JSON.stringify(e.params) : "" })));
    AK.put(AK.byId("experiments-table").tBodies[0], rows);
    AK.byId("experiments-empty").hidden = experiments.length > 0;
    AK.chart.heatmap(AK.byId("heatmap"), experiments, s.correlations);
  }

  function renderBlend(s) {
    const blend = s.blend;
    if (blend && Array.isArray(blend.models)) {
      const max = Math.max(...blend.models.map((m) => AK.number(m.weight) || 0), 1e-9);
      const rows = blend.models.filter((m) => (AK.number(m.weight) || 0) > 0).map((m) => {
        const bar = AK.el("span", { class: "bar" }, AK.el("span", { class: "bar-fill" }));
        bar.firstChild.style.width = ((AK.number(m.weight) / max) * 100).toFixed(1) + "%";
        return AK.el("tr", { class: "blend-model" }, AK.el("td", { text: m.id }), AK.el("td", { text: m.family || "" }),
                     AK.el("td", { class: "num", text: AK.score(m.cv) }), AK.el("td", { class: "num", text: (AK.number(m.weight) || 0).toFixed(3) }),
                     AK.el("td", null, bar));
      });
      AK.put("blend",
        AK.el("p", null, `blend CV ${AK.score(blend.blend_cv)} against the best single model `,
              AK.el("b", { text: blend.best_single ? blend.best_single.id : "?" }), ` ${AK.score(blend.best_single && blend.best_single.cv)}`,
              blend.rank_average ? " · rank averaging" : "", " · from blends/blend.json (autokaggle blend)"),
        AK.el("table", { class: "data" }, AK.el("thead", null, AK.el("tr", null, ["model", "family", "cv", "weight", ""].map((h) => AK.el("th", { text: h })))),
              AK.el("tbody", null, rows)));
      return;
    }
    const rounds = (s.experiments || []).filter((e) => /blend|ensemble|stack/i.test(e.family));
    const latest = rounds[rounds.length - 1];
    if (latest) {
      AK.put("blend", AK.el("p", null, `latest blend: experiment ${latest.id} (${latest.family}), CV ${AK.score(latest.cv)}`),
             Object.keys(latest.params || {}).length ? AK.el("pre", { class: "code" }, AK.el("code", { text: JSON.stringify(latest.params, null, 2) })) : null,
             AK.el("p", { class: "note", text: "its weights are in the round's run log (open the round above)" }));
      return;
    }
    AK.put("blend", AK.el("p", { class: "empty", text: "No blend yet (`autokaggle blend` builds one from the registry)." }));
  }

  // ---- live -----------------------------------------------------------------------------------

  function renderLive(live) {
    page.live = live;
    if (page.summary) renderHeader(page.summary, live);
    AK.put("live-phase", `${AK.tag(live.round)} · ${live.phase}`);
    const run = live.run;
    const box = AK.byId("run");
    box.hidden = !run;
    AK.byId("no-run").hidden = !!run;
    if (run) {
      const total = run.folds_total || 0;
      const done = run.folds_done || 0;
      const progress = AK.byId("fold-progress");
      progress.dataset.done = String(done);
      progress.dataset.total = String(total);
      progress.firstChild.style.width = (total > 0 ? Math.min(1, done / total) * 100 : 0).toFixed(1) + "%";
      AK.put("run-label", `${run.label}${live.running_pid ? "" : " (campaign not running: the experiment goes on under its supervisor until it ends or the campaign re-attaches)"}`);
      AK.put("fold-text", total > 0 ? `fold ${done} of ${total}` : `${done} fold(s)`, run.cv !== null ? ` · CV ${AK.score(run.cv)}` : "");
      AK.put("fold-scores", (run.fold_scores || []).map((f) => AK.el("li", { "data-fold": f.fold, text: `fold ${f.fold}: ${AK.score(f.score)}` })));
      AK.put("run-tail", (run.tail || []).join("\n"));
    }
    AK.put("phase-log", (live.phase_log || []).join("\n"));
    const log = AK.byId("phase-log");
    log.scrollTop = log.scrollHeight;
    tick();
  }

  /// Once a second: the elapsed time of the running experiment and the deadline countdown.
  function tick() {
    const live = page.live;
    if (live && live.run && live.run.started_at) AK.put("elapsed", AK.duration(now() / 1000 - live.run.started_at));
    if (live && live.phase_since) {
      const since = Date.parse(live.phase_since);
      AK.put("phase-since", Number.isFinite(since) && live.running_pid ? `last step finished ${AK.duration((now() - since) / 1000)} ago` : "");
    }
    if (page.summary) AK.put("deadline", deadlineText(page.summary.deadline));
  }

  // ---- wiring ---------------------------------------------------------------------------------

  function renderSummary(s) {
    page.summary = s;
    renderHeader(s, page.live);
    AK.chart.scores(AK.byId("chart"), s.rounds || [], s.direction);
    renderRounds(s);
    renderExperiments(s);
    renderBlend(s);
    document.body.dataset.summaryLoaded = "1";
    if (page.openRound !== null && page.openRound >= s.round - 1) openRound(page.openRound, true);  // new files may have appeared
  }

  function setConnection(ok, text) {
    page.connected = ok;
    const c = AK.put("connection", text);
    c.className = "badge " + (ok ? "badge-live" : "badge-off");
  }

  function connect() {
    const events = new EventSource(api("events"));
    events.addEventListener("open", () => setConnection(true, "live"));
    events.addEventListener("error", () => setConnection(false, "reconnecting…"));
    events.addEventListener("summary", (e) => renderSummary(JSON.parse(e.data)));
    events.addEventListener("live", (e) => renderLive(JSON.parse(e.data)));
  }

  async function start() {
    try {
      const { data, date } = await AK.getJSON(api("summary"));
      const serverNow = Date.parse(date || "");
      if (Number.isFinite(serverNow)) page.clockOffset = serverNow - Date.now();
      renderSummary(data);
    } catch (e) {
      AK.put("warnings", AK.el("li", { text: e.message }));
      AK.byId("warnings").hidden = false;
    }
    connect();
    setInterval(tick, 1000);
  }

  AK.byId("round-close").addEventListener("click", () => {
    page.openRound = null;
    AK.byId("round-detail").hidden = true;
    for (const tr of document.querySelectorAll("#rounds-table tr.selected")) tr.classList.remove("selected");
  });
  start();
})();
