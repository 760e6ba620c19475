// The coding app's keyboard bridge (civicposts.app.keys.KeyBridge), an anywidget front-end module.
// It finds the app's root element around it, makes it focusable, and handles every key pressed
// inside: plain keys never reach JupyterLab (whose command mode reads "b" as "insert a cell" and
// "d d" as "delete it"); the coding keys go to Python; keys typed into a text box stay in the box.
const NOT_TEXT = new Set(["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"]);

function isTextBox(t) {
  if (t.isContentEditable || t.tagName === "TEXTAREA" || t.tagName === "SELECT") return true;
  return t.tagName === "INPUT" && !NOT_TEXT.has((t.type || "text").toLowerCase());
}

function render({ model, el }) {
  let root = null;
  let tries = 0;

  const focusTarget = () => {
    const sel = model.get("focus_selector");
    return (sel && root.querySelector(sel)) || root;
  };
  const focus = () => {
    if (root) focusTarget().focus();
  };
  const onKey = (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return; // browser and notebook shortcuts (Ctrl+S) pass
    e.stopPropagation(); // no plain key pressed in the app reaches JupyterLab
    const t = e.target;
    if (isTextBox(t)) {
      if (e.key === "Escape" && t !== root) {
        e.preventDefault();
        root.focus(); // leave the text box, back to coding keys
      }
      return;
    }
    if (e.key === "Escape") {
      root.blur();
      return;
    }
    if (e.key === "m" || e.key === "/") {
      const box = root.querySelector(e.key === "m" ? ".cp-memo textarea" : ".cp-relation-search input");
      if (box && box.offsetParent !== null) {
        e.preventDefault();
        box.focus();
      }
      return;
    }
    if (model.get("coding_keys").includes(e.key)) {
      e.preventDefault();
      model.send({ key: e.key, shift: e.shiftKey });
    }
  };
  const attach = () => {
    root = el.closest(model.get("root"));
    if (!root) {
      if (tries++ < 600) requestAnimationFrame(attach); // the view is put in the page after render
      return;
    }
    if (!root.hasAttribute("tabindex")) root.tabIndex = 0;
    root.setAttribute("data-lm-suppress-shortcuts", "true");
    root.addEventListener("keydown", onKey);
    focus();
  };
  attach();
  model.on("change:focus_token", focus);
  return () => {
    // a view removed (cell re-run, output cleared) leaves no listener behind
    model.off("change:focus_token", focus);
    if (root) root.removeEventListener("keydown", onKey);
  };
}

export default { render };
