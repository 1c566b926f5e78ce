// Shared by the dashboard's pages: DOM builders (text only: nothing is ever parsed as HTML),
// number formats and JSON fetches.
"use strict";

const AK = {};

AK.SVG_NS = "http://www.w3.org/2000/svg";

/// AK.el("td", {class: "cv", text: "0.81"}, child, ...): an element with attributes and children.
AK.el = function (tag, props, ...children) {
  return AK.fill(document.createElement(tag), props, children);
};

/// The same for SVG elements.
AK.svg = function (tag, props, ...children) {
  return AK.fill(document.createElementNS(AK.SVG_NS, tag), props, children);
};

AK.fill = function (node, props, children) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "class") node.setAttribute("class", value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
};

AK.byId = (id) => document.getElementById(id);

/// Replaces an element's children.
AK.put = function (target, ...children) {
  const node = typeof target === "string" ? AK.byId(target) : target;
  node.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return node;
};

AK.number = function (value) {
  if (value === null || value === undefined || value === "") return null;
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? n : null;
};

AK.score = function (value) {
  const n = AK.number(value);
  return n === null ? "–" : n.toFixed(6);  // as results.tsv and `status` write scores
};

AK.usd = (value) => "$" + (AK.number(value) || 0).toFixed(2);

AK.count = function (value) {
  const n = AK.number(value) || 0;
  if (n >= 1e6) return (n / 1e6).toFixed(2) + "M";
  if (n >= 1e4) return (n / 1e3).toFixed(1) + "k";
  return String(Math.round(n));
};

AK.tag = (round) => "R" + String(round).padStart(2, "0");

/// "02:15", "1:02:15", "3d 04h".
AK.duration = function (seconds) {
  let s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  if (d > 0) return d + "d " + String(Math.floor((s % 86400) / 3600)).padStart(2, "0") + "h";
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  s %= 60;
  const mm = String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
  return h > 0 ? h + ":" + mm : mm;
};

AK.getJSON = async function (url) {
  const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
  if (!response.ok) throw new Error(url + ": " + response.status + " " + (await response.text()));
  return { data: await response.json(), date: response.headers.get("Date") };
};

AK.getText = async function (url) {
  const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
  const text = await response.text();
  if (!response.ok) throw new Error(text || url + ": " + response.status);
  return { text, truncated: response.headers.get("X-Autokaggle-Truncated") };
};

/// Higher or lower is better, from the metric's direction.
AK.better = (direction) => (direction === "lower" ? (a, b) => a < b : (a, b) => a > b);
