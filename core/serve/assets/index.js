// The list of campaigns served (when `autokaggle serve` got several folders).
"use strict";

(function () {
  function row(c) {
    const best = c.best || {};
    const stop = c.stop || {};
    const state = c.running_pid ? `running (pid ${c.running_pid})` : stop.reason ? `stopped: ${stop.reason}` : "not running";
    return AK.el("tr", { "data-id": c.id },
      AK.el("td", null, AK.el("a", { href: `/c/${encodeURIComponent(c.id)}/`, text: c.name })),
      AK.el("td", { text: c.competition || "–" }),
      AK.el("td", { text: c.metric ? `${c.metric} (${c.direction})` : "–" }),
      AK.el("td", { text: c.round !== undefined ? `${AK.tag(c.round)} · ${c.phase}` : "–" }),
      AK.el("td", null, AK.el("span", { class: "badge badge-" + (c.running_pid ? "running" : "stopped"), text: state })),
      AK.el("td", { class: "num", text: AK.score(best.cv) }),
      AK.el("td", { class: "num", text: AK.score(best.lb) }));
  }

  async function load() {
    try {
      const { data } = await AK.getJSON("/api/campaigns");
      AK.put(AK.byId("campaigns").tBodies[0], data.map(row));
    } catch (e) {
      AK.put(AK.byId("campaigns").tBodies[0], AK.el("tr", null, AK.el("td", { colspan: 7, class: "error", text: e.message })));
    }
  }

  load();
  setInterval(load, 5000);
})();
