// A small Markdown renderer that builds DOM nodes from text: headings, paragraphs, nested lists,
// block quotes, fenced code, tables, rules, and inline code, bold, italics and links. It never
// parses HTML: a "<script>" in a plan is shown as the text it is. Links keep only http(s) and
// in-page addresses.
"use strict";

AK.markdown = (function () {
  const FENCE = /^\s*(```|~~~)/;
  const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
  const RULE = /^\s*([-*_])(\s*\1){2,}\s*$/;
  const ITEM = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/;
  const QUOTE = /^\s*>\s?(.*)$/;
  const TABLE_SEPARATOR = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;

  function safeHref(url) {
    const trimmed = url.trim();
    return /^(https?:\/\/|#)/i.test(trimmed) ? trimmed : null;
  }

  /// Inline spans of one line of text, as nodes.
  function inline(text) {
    const out = [];
    let plain = "";
    const flush = () => {
      if (plain) out.push(document.createTextNode(plain));
      plain = "";
    };
    let i = 0;
    while (i < text.length) {
      // Underscores inside words (snake_case, __dunder__ names) are text, as in CommonMark.
      const rest = text.slice(i);
      let m;
      if ((m = /^(`+)([\s\S]*?[^`])\1(?!`)/.exec(rest))) {
        flush();
        out.push(AK.el("code", { text: m[2].trim() }));
      } else if ((m = /^(\*\*|__)(?=\S)([\s\S]*?\S)\1(?!\w)/.exec(rest)) && (m[1] === "**" || !/\w/.test(text[i - 1] || ""))) {
        flush();
        out.push(AK.el("strong", null, inline(m[2])));
      } else if ((m = /^(\*|_)(?=\S)([\s\S]*?\S)\1(?![\w*])/.exec(rest)) && (m[1] === "*" || !/\w/.test(text[i - 1] || ""))) {
        flush();
        out.push(AK.el("em", null, inline(m[2])));
      } else if ((m = /^\[([^\]]+)\]\(([^)\s]+)(?:\s+"[^"]*")?\)/.exec(rest))) {
        flush();
        const href = safeHref(m[2]);
        out.push(href ? AK.el("a", { href, rel: "noopener noreferrer", target: "_blank" }, inline(m[1])) : AK.el("span", null, inline(m[1])));
      } else {
        plain += text[i];
        i += 1;
        continue;
      }
      i += m[0].length;
    }
    flush();
    return out;
  }

  function splitRow(line) {
    let s = line.trim();
    if (s.startsWith("|")) s = s.slice(1);
    if (s.endsWith("|")) s = s.slice(0, -1);
    return s.split("|").map((c) => c.trim());
  }

  /// Lists from consecutive item lines; deeper indentation nests.
  function list(lines, start) {
    const root = { indent: -1, node: null, children: [] };
    const stack = [root];
    let i = start;
    let lastItem = null;
    while (i < lines.length) {
      const m = ITEM.exec(lines[i]);
      if (!m) {
        if (lines[i].trim() !== "" && lastItem && /^\s{2,}/.test(lines[i])) {  // a continued item
          lastItem.append(" ", ...inline(lines[i].trim()));
          i += 1;
          continue;
        }
        break;
      }
      const indent = m[1].replace(/\t/g, "    ").length;
      const ordered = /\d/.test(m[2]);
      while (stack.length > 1 && indent < stack[stack.length - 1].indent) stack.pop();
      let top = stack[stack.length - 1];
      if (indent > top.indent) {
        const node = AK.el(ordered ? "ol" : "ul");
        if (lastItem && top !== root) lastItem.append(node);
        else root.children.push(node);
        top = { indent, node };
        stack.push(top);
      }
      let body = m[3];
      const task = /^\[([ xX])\]\s+(.*)$/.exec(body);
      lastItem = AK.el("li");
      if (task) {
        lastItem.append(task[1] === " " ? "☐ " : "☑ ");
        body = task[2];
      }
      lastItem.append(...inline(body));
      top.node.append(lastItem);
      i += 1;
    }
    return { nodes: root.children, next: i };
  }

  function render(text) {
    const lines = String(text).replace(/\r\n?/g, "\n").split("\n");
    const out = AK.el("div", { class: "md" });
    let i = 0;
    while (i < lines.length) {
      const line = lines[i];
      let m;
      if (line.trim() === "") {
        i += 1;
      } else if ((m = FENCE.exec(line))) {
        const fence = m[1];
        const language = line.trim().slice(3).trim();
        const body = [];
        i += 1;
        while (i < lines.length && !lines[i].trim().startsWith(fence)) body.push(lines[i++]);
        i += 1;
        out.append(AK.el("pre", { class: "code" }, AK.el("code", { "data-language": language || null, text: body.join("\n") })));
      } else if ((m = HEADING.exec(line))) {
        out.append(AK.el("h" + Math.min(6, m[1].length + 2), { class: "md-h" + m[1].length }, inline(m[2])));
        i += 1;
      } else if (RULE.test(line)) {
        out.append(AK.el("hr"));
        i += 1;
      } else if (QUOTE.test(line)) {
        const body = [];
        while (i < lines.length && QUOTE.test(lines[i])) body.push(QUOTE.exec(lines[i++])[1]);
        out.append(AK.el("blockquote", null, render(body.join("\n"))));
      } else if (ITEM.test(line)) {
        const { nodes, next } = list(lines, i);
        out.append(...nodes);
        i = next;
      } else if (line.includes("|") && i + 1 < lines.length && TABLE_SEPARATOR.test(lines[i + 1])) {
        const head = splitRow(line);
        const table = AK.el("table", { class: "md-table" }, AK.el("thead", null, AK.el("tr", null, head.map((h) => AK.el("th", null, inline(h))))));
        const body = AK.el("tbody");
        i += 2;
        while (i < lines.length && lines[i].includes("|") && lines[i].trim() !== "") {
          body.append(AK.el("tr", null, splitRow(lines[i]).map((c) => AK.el("td", null, inline(c)))));
          i += 1;
        }
        table.append(body);
        out.append(table);
      } else {
        const body = [];
        while (i < lines.length && lines[i].trim() !== "" && !FENCE.test(lines[i]) && !HEADING.test(lines[i]) &&
               !ITEM.test(lines[i]) && !QUOTE.test(lines[i]) && !RULE.test(lines[i])) {
          body.push(lines[i++].trim());
        }
        if (body.length === 0) {  // a line no rule took (e.g. "|" without a table): plain text
          body.push(lines[i++]);
        }
        out.append(AK.el("p", null, inline(body.join(" "))));
      }
    }
    return out;
  }

  return render;
})();
