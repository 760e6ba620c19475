// The passage editor (civicposts.app.passages.PassageEditor), an anywidget front-end module.
// It shows the unit's text with the coder's spans highlighted, keeps the last selection made in the
// text (mouse, or Shift+arrows after Tab into it), and sends "add"/"remove" actions to Python, which
// writes the span and sends the spans back. Offsets are Unicode code points of the text, as Python
// counts them (a JavaScript string counts UTF-16 units: an emoji is two of them).

const cp = (s) => Array.from(s).length; // code points in a JS string

function offsetIn(root, node, offset) {
  // code-point offset of (node, offset) within root's text
  const range = document.createRange();
  range.setStart(root, 0);
  range.setEnd(node, offset);
  return cp(range.toString());
}

function render({ model, el }) {
  el.classList.add("cp-passage-editor");
  el.innerHTML = "";
  const help = document.createElement("div");
  help.className = "cp-passage-help";
  help.style.cssText = "font-size:85%;color:#333;margin:4px 0";
  help.textContent = "Code a passage: select it in the text (mouse, or Tab into the text and Shift+arrows), " +
    "then choose a code.";
  const text = document.createElement("div");
  text.className = "cp-passage-text";
  text.tabIndex = 0;
  text.contentEditable = "true"; // for keyboard selection only: typing is refused below
  text.setAttribute("role", "textbox");
  text.setAttribute("aria-readonly", "true");
  text.setAttribute("aria-label", "unit text: select a passage to code");
  text.style.cssText = "white-space:pre-wrap;border:1px solid #888;padding:4px;max-height:9em;overflow:auto;" +
    "line-height:1.5;outline-offset:2px;caret-color:#000";
  const chosen = document.createElement("div");
  chosen.className = "cp-passage-selection";
  chosen.style.cssText = "font-size:85%;margin:2px 0";
  const buttons = document.createElement("div");
  buttons.className = "cp-passage-codes";
  buttons.style.cssText = "display:flex;flex-wrap:wrap;gap:3px";
  const list = document.createElement("ul");
  list.className = "cp-passage-list";
  list.style.cssText = "margin:4px 0;padding-left:1.2em;font-size:90%";
  const status = document.createElement("div");
  status.className = "cp-passage-status";
  status.setAttribute("aria-live", "polite");
  status.style.cssText = "font-size:85%;color:#0b6e4f";
  el.append(help, text, chosen, buttons, list, status);

  let selection = null; // {start, end} in code points

  const stop = (e) => e.preventDefault();
  text.addEventListener("beforeinput", stop); // read-only: no typing, pasting or deleting
  text.addEventListener("paste", stop);
  text.addEventListener("drop", stop);

  const noteSelection = () => {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0) return;
    const r = sel.getRangeAt(0);
    if (!text.contains(r.startContainer) || !text.contains(r.endContainer)) return;
    const a = offsetIn(text, r.startContainer, r.startOffset);
    const b = offsetIn(text, r.endContainer, r.endOffset);
    selection = a === b ? null : { start: Math.min(a, b), end: Math.max(a, b) };
    const chars = Array.from(model.get("text"));
    chosen.textContent = selection
      ? `selected ${selection.start}–${selection.end}: “${chars.slice(selection.start, selection.end).join("")}”`
      : "";
  };
  document.addEventListener("selectionchange", noteSelection);

  const draw = () => {
    const chars = Array.from(model.get("text"));
    const spans = model.get("spans");
    const codes = model.get("codes");
    const colour = new Map(codes.map((c) => [`${c.variable}/${c.code}`, c.color]));
    // cut the text at every span boundary; each piece is marked by the spans covering it
    const cuts = new Set([0, chars.length]);
    for (const s of spans) { cuts.add(s.start); cuts.add(Math.min(s.end, chars.length)); }
    const points = [...cuts].sort((x, y) => x - y);
    text.innerHTML = "";
    for (let i = 0; i + 1 < points.length; i++) {
      const [a, b] = [points[i], points[i + 1]];
      const piece = chars.slice(a, b).join("");
      const over = spans.filter((s) => s.start <= a && s.end >= b);
      if (!over.length) { text.append(document.createTextNode(piece)); continue; }
      const mark = document.createElement("mark");
      const first = over[0];
      mark.style.background = colour.get(`${first.variable}/${first.codes[0]}`) || "#ddd";
      mark.style.borderBottom = over.length > 1 ? "3px double #000" : "1px solid #000";
      mark.title = over.map((s) => s.codes.join(", ")).join(" | ");
      mark.textContent = piece;
      text.append(mark);
    }
    buttons.innerHTML = "";
    let group = null;
    for (const c of codes) {
      if (c.group !== group) { // the variable's name before its codes: "Other" is in several
        group = c.group;
        const g = document.createElement("span");
        g.className = "cp-passage-group";
        g.textContent = `${group}:`;
        g.style.cssText = "font-weight:bold;font-size:85%;flex-basis:100%;margin-top:2px";
        buttons.append(g);
      }
      const btn = document.createElement("button");
      btn.type = "button";
      btn.className = `cp-passage-code cp-passage-${c.variable}-${c.code}`;
      btn.textContent = c.short;
      btn.title = c.label;
      btn.style.cssText = `border:1px solid #555;border-left:8px solid ${c.color};background:#fff;padding:1px 6px;` +
        "cursor:pointer";
      btn.addEventListener("click", () => {
        if (!selection) { status.textContent = "select a passage in the text first"; return; }
        model.send({ action: "add", variable: c.variable, code: c.code, start: selection.start, end: selection.end });
      });
      buttons.append(btn);
    }
    list.innerHTML = "";
    for (const s of spans) {
      const li = document.createElement("li");
      li.className = "cp-passage-item";
      const label = document.createElement("span");
      label.textContent = `${s.start}–${s.end} ${s.codes.join(", ")}: “${s.passage}”` +
        (s.stale ? " (the text changed: recode this passage)" : "");
      const rm = document.createElement("button");
      rm.type = "button";
      rm.className = "cp-passage-remove";
      rm.textContent = "remove";
      rm.setAttribute("aria-label", `remove passage ${s.start}–${s.end}`);
      rm.style.marginLeft = "6px";
      rm.addEventListener("click", () => model.send({ action: "remove", variable: s.variable, start: s.start, end: s.end }));
      li.append(label, rm);
      list.append(li);
    }
    status.textContent = model.get("status");
  };
  draw();
  const redraw = () => { selection = null; chosen.textContent = ""; draw(); };
  model.on("change:text", redraw);
  model.on("change:spans", draw);
  model.on("change:codes", draw);
  model.on("change:status", () => { status.textContent = model.get("status"); });
  return () => {
    document.removeEventListener("selectionchange", noteSelection);
    model.off("change:text", redraw);
    model.off("change:spans", draw);
    model.off("change:codes", draw);
  };
}

export default { render };
