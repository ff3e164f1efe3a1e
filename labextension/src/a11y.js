// Accessibility of gexlib's lessons in JupyterLab (this folder's extension) and in the built book
// (copied as vendor/widgets-a11y.js by book/_ext/gexlib_book.py, loaded before widgets-setup.js):
// WCAG 2.1 1.1.1, 4.1.2, 2.5.3, for what neither ipywidgets 8.1 nor JupyterLab 4 offers an option:
// - ipywidgets' sliders draw their handle (role="slider") with noUiSlider and pass it no name: the
//   visible label (description) is a <label> without a `for`, and no widget attribute (tooltip,
//   tabbable, _dom_classes) reaches the handle. The handle is named by its control's visible label
//   and announces the value its readout shows (a selection slider's handle would announce an index).
// - a row of toggle buttons becomes a group named by its label; a drop-down is named by its label.
// - a book-mode frame (box of class gexlib-frame) carries its figure's text alternative in its
//   readout's data-gexlib-alt attribute (gexlib.course.widgets.book_view): it becomes the alt of
//   the frame's image.
// - JupyterLab draws an image output (a matplotlib figure) as an <img> without alt, whatever the
//   output's metadata says. A lesson figure's text alternative is the caption that follows its cell,
//   a Markdown cell opening "*Figure N.M — …*": "Figure N.M: " and the caption's opening sentences,
//   the same rule as the built book (book/_ext/gexlib_book.py, caption_alt).
// Pure DOM work, applied to each part of the page that changes (its control, frame or cell) rather than
// to the whole page: no notebook content is trusted or run.
(function (global) {
"use strict";

/** Longest text alternative taken from a caption, characters (whole sentences; at least the first). */
const ALT_CHARS = 300;
/** A figure caption: "Figure 3.1 — what it shows. More." */
const CAPTION = /^\s*Figure\s+(\d+\.\d+)\s*[—–-]\s*([\s\S]+)$/;
/** Sentences of a caption (same pattern as book/_ext/gexlib_book.py). */
const SENTENCE = /.+?[.!?](?=\s+[A-Z(]|$)|.+$/g;

/**
 * The text alternative a caption gives its figure: "Figure N.M: " and as many whole opening
 * sentences as fit in `limit` characters (at least the first); null when `text` is no caption.
 */
function captionAlt(text, limit = ALT_CHARS) {
  const m = CAPTION.exec(text);
  if (m === null) return null;
  const body = m[2].split(/\s+/).filter(Boolean).join(" ");
  const sentences = body.match(SENTENCE) || [body];
  let alt = sentences[0].trim();
  for (const sentence of sentences.slice(1)) {
    if (alt.length + 1 + sentence.trim().length > limit) break;
    alt += " " + sentence.trim();
  }
  return `Figure ${m[1]}: ${alt}`;
}

function set(el, name, value) {
  if (value && el.getAttribute(name) !== value) el.setAttribute(name, value);
}

function labelOf(widget) {
  const label = widget.querySelector(":scope > .widget-label");
  return label ? label.textContent.trim() : "";
}

/**
 * The text alternative of the figure in `cell` from its caption: the first paragraph of the next
 * cell if it is a rendered Markdown cell (whichever renderer drew it: JupyterLab's or jupyterlab-myst).
 */
function captionOf(cell) {
  let next = cell.nextElementSibling;
  while (next && !next.classList.contains("jp-Cell")) next = next.nextElementSibling;
  if (!next || !next.classList.contains("jp-MarkdownCell")) return null;
  const first = [...next.querySelectorAll(".jp-InputArea p")].find((p) => !p.closest(".cm-editor"));
  return first ? captionAlt(first.textContent) : null;
}

/** The elements matching `selector` in `root`'s subtree, `root` itself included. */
function within(root, selector) {
  const found = [...root.querySelectorAll(selector)];
  if (root.matches(selector)) found.unshift(root);
  return found;
}

/** Name the widget controls and lesson figures in `root`'s subtree (`root` itself included). */
function fix(root) {
  within(root, ".widget-slider").forEach((widget) => {
    const name = labelOf(widget);
    const readout = widget.querySelector(".widget-readout");
    widget.querySelectorAll("[role=slider]").forEach((handle) => {
      set(handle, "aria-label", name);
      if (readout) set(handle, "aria-valuetext", readout.textContent.trim());
    });
  });
  within(root, ".widget-toggle-buttons, .widget-radio").forEach((widget) => {
    set(widget, "role", widget.classList.contains("widget-radio") ? "radiogroup" : "group");
    set(widget, "aria-label", labelOf(widget));
  });
  within(root, ".widget-dropdown, .widget-select").forEach((widget) => {
    const select = widget.querySelector("select");
    if (select) set(select, "aria-label", labelOf(widget));
  });
  within(root, ".gexlib-frame").forEach((frame) => {
    const text = frame.querySelector("[data-gexlib-alt]");
    if (!text) return;
    const alt = text.getAttribute("data-gexlib-alt");
    frame.querySelectorAll("img").forEach((img) => set(img, "alt", alt));
  });
  within(root, ".jp-RenderedImage > img:not([alt])").forEach((img) => {
    const cell = img.closest(".jp-Cell");
    const alt = cell ? captionOf(cell) : null;
    if (alt) img.setAttribute("alt", alt);
  });
}

/**
 * The containers whose names a fix covers: a control, a book-mode frame, a notebook cell. A change inside one
 * is fixed by fixing it; a change outside every one (a toolbar, a status bar) needs nothing.
 */
const SCOPES = ".widget-slider, .widget-toggle-buttons, .widget-radio, .widget-dropdown, .widget-select, "
  + ".gexlib-frame, .jp-Cell";
/** Changes in one frame beyond which the whole of `root` is fixed rather than each change's container. */
const MANY = 200;

/**
 * Where a fix covers the change `record` reports (MutationRecord): the innermost container of
 * `SCOPES` around it; an added element outside every one (a whole notebook, a widget tree) itself. A
 * rendered Markdown cell may be the caption of the cell before it: that cell too. Empty when the change
 * touches nothing named (an attribute or a text outside every container, a removal).
 */
function scopesOf(record) {
  const out = [];
  const add = (el) => {
    if (!el) return;
    out.push(el);
    if (el.classList.contains("jp-MarkdownCell")) {
      let prev = el.previousElementSibling;
      while (prev && !prev.classList.contains("jp-Cell")) prev = prev.previousElementSibling;
      if (prev) out.push(prev);
    }
  };
  const element = (node) => (node.nodeType === 1 ? node : node.parentElement);
  if (record.type === "childList") {
    record.addedNodes.forEach((node) => {
      const el = element(node);
      if (el) add(el.closest(SCOPES) || (node.nodeType === 1 ? el : null));
    });
  } else {
    const el = element(record.target);
    if (el) add(el.closest(SCOPES));
  }
  return out;
}

/** The connected elements of `els` that no other of them contains. */
function outermost(els) {
  const live = [...new Set(els)].filter((el) => el.isConnected);
  return live.filter((el) => !live.some((other) => other !== el && other.contains(el)));
}

/**
 * Apply `fix` to `root` now, then once per animation frame after changes below it: to the container of
 * each change (`scopesOf`), so that a slider's move or a new figure costs a look at its own control or
 * cell, not at the whole page; to the whole of `root` after very many changes at once.
 */
function observe(root) {
  let queued = false;
  let pending = [];
  let whole = false;
  const observer = new MutationObserver((records) => {
    if (!whole) {
      for (const record of records) pending.push(...scopesOf(record));
      if (pending.length > MANY) {
        whole = true;
        pending = [];
      }
    }
    if (queued || (!whole && pending.length === 0)) return;
    queued = true;
    window.requestAnimationFrame(() => {
      const scopes = whole ? [root] : outermost(pending);
      queued = false;
      whole = false;
      pending = [];
      scopes.forEach(fix);
    });
  });
  fix(root);
  observer.observe(root, { childList: true, subtree: true, characterData: true,
                           attributes: true, attributeFilter: ["class", "aria-valuenow"] });
  return observer;
}

const api = { ALT_CHARS, captionAlt, fix, observe, scopesOf, SCOPES };
if (typeof module === "object" && module.exports) module.exports = api;  // the extension's bundle
else global.gexlibA11y = api;  // a plain script in the book's pages
})(this);
